"""Per-client rate limits, one gate for every way in (REST, SSE, the Gradio chat and its API).

Limits are named: "chat" (a minute and an hour window) for everything that answers, "feedback" for
ratings. Counting is done by the `limits` library: in memory on one machine, in Redis when
`ASSISTANT_REDIS_URL` is set, so replicas share one count per client. If Redis goes away the gate keeps
working per process (logged) instead of failing the request.

Clients are keyed by a salted hash of their address (the salt is shared through Redis), never the address
itself. The address is the connecting one, unless that is a trusted proxy (`ASSISTANT_TRUSTED_PROXIES`):
only then is X-Forwarded-For read, right to left, skipping trusted hops, exactly as uvicorn does.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import secrets
import time
from collections.abc import Mapping
from typing import Any

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger("assistant.ratelimit")

RETRY_SHARED_AFTER = 10.0  # seconds on the per-process fallback after Redis failed, before trying it again
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(trusted: list[str]) -> list[Network]:
    return [ipaddress.ip_network(t, strict=False) for t in trusted]


def _is_trusted(host: str, networks: list[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host.strip())
    except ValueError:
        return False
    return any(address in net for net in networks)


def client_address(peer: str | None, headers: Mapping[str, str], trusted: list[Network]) -> str:
    """The client's address: the peer, or (only behind a trusted proxy) the nearest untrusted forwarded hop."""
    peer = peer or "unknown"
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


class RateLimiter:
    """Named limits over one storage; `check(kind, request)` records a request and says how long to wait."""

    def __init__(
        self,
        limits: dict[str, list[RateLimitItem]],
        trusted_proxies: list[str] | None = None,
        redis_url: str | None = None,
    ) -> None:
        self.limits = limits
        self.trusted = _networks(trusted_proxies or [])
        self.shared = redis_url is not None
        self._fallback = MovingWindowRateLimiter(MemoryStorage())
        self._warned = 0.0
        self._down_until = 0.0
        self._salt = secrets.token_bytes(16)
        storage: Storage = MemoryStorage()
        if redis_url:
            storage = RedisStorage(redis_url, socket_timeout=1, socket_connect_timeout=1, wrap_exceptions=True)
            self._salt = self._shared_salt(storage)
        self.limiter = MovingWindowRateLimiter(storage)

    @classmethod
    def from_settings(cls, settings: Any) -> RateLimiter:
        limits = {
            "chat": _items(settings.rate_limit_per_minute, settings.rate_limit_per_hour),
            "feedback": _items(settings.feedback_rate_limit_per_minute, settings.feedback_rate_limit_per_hour),
        }
        redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
        return cls(limits, settings.trusted_proxies, redis_url)

    def _shared_salt(self, storage: RedisStorage) -> bytes:
        """One salt for all replicas (so a client has one key everywhere), kept in Redis."""
        try:
            client = storage.storage
            client.set("assistant:client-salt", secrets.token_hex(16), nx=True)
            return bytes.fromhex(client.get("assistant:client-salt").decode())
        except Exception as exc:  # noqa: BLE001 - Redis away at start: per-process salt, logged
            log.warning("Redis not reachable for the rate-limit salt (%s); counting per process", type(exc).__name__)
            return self._salt

    def client(self, request: Any) -> str:
        """Address of a Starlette or Gradio request (both have .client.host and .headers)."""
        peer = getattr(getattr(request, "client", None), "host", None)
        headers = getattr(request, "headers", None) or {}
        return client_address(peer, headers, self.trusted)

    def key(self, client: str) -> str:
        return hashlib.sha256(self._salt + client.encode()).hexdigest()[:24]

    def check(self, kind: str, client: str) -> int:
        """Record one request of this kind by this client: 0 if allowed, else the seconds to wait."""
        key = self.key(client)
        if time.monotonic() < self._down_until:  # Redis failed a moment ago: do not wait on it per request
            return self._check(self._fallback, kind, key)
        try:
            return self._check(self.limiter, kind, key)
        except Exception as exc:  # noqa: BLE001 - the shared counter is away: keep a per-process gate
            self._down_until = time.monotonic() + RETRY_SHARED_AFTER
            if time.monotonic() - self._warned > 60:
                self._warned = time.monotonic()
                log.warning("rate-limit storage unavailable (%s); counting per process", type(exc).__name__)
            return self._check(self._fallback, kind, key)

    def _check(self, limiter: MovingWindowRateLimiter, kind: str, key: str) -> int:
        for item in self.limits.get(kind, []):
            if not limiter.hit(item, kind, key):
                reset = limiter.get_window_stats(item, kind, key).reset_time
                return max(1, math.ceil(reset - time.time()))
        return 0


def _items(per_minute: int, per_hour: int) -> list[RateLimitItem]:
    """Limits of 0 or less are off."""
    items: list[RateLimitItem] = []
    if per_minute > 0:
        items.append(RateLimitItemPerMinute(per_minute))
    if per_hour > 0:
        items.append(RateLimitItemPerHour(per_hour))
    return items
