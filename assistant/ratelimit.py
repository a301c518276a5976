"""Per-client rate limits for chat requests (a minute window and an hour window).

Clients are keyed by a salted hash of their address, so no address is kept in clear, even in memory.
In-process: with several workers or replicas each enforces its own share.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from collections import deque


class RateLimiter:
    def __init__(self, per_minute: int, per_hour: int) -> None:
        self.limits = [(60.0, per_minute), (3600.0, per_hour)]
        self._salt = secrets.token_bytes(16)
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def key(self, client: str) -> str:
        return hashlib.sha256(self._salt + client.encode()).hexdigest()[:20]

    def check(self, client: str, now: float | None = None) -> int:
        """Record a request; return 0 if allowed, else the seconds to wait before the next one."""
        now = time.monotonic() if now is None else now
        key = self.key(client)
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            longest = max(window for window, _ in self.limits)
            while hits and hits[0] <= now - longest:
                hits.popleft()
            for window, limit in self.limits:
                if limit <= 0:
                    continue
                recent = [t for t in hits if t > now - window]
                if len(recent) >= limit:
                    return max(1, math.ceil(recent[-limit] + window - now))
            hits.append(now)
            if len(self._hits) > 10000:  # forget idle clients
                for k in [k for k, v in self._hits.items() if not v or v[-1] <= now - longest]:
                    del self._hits[k]
            return 0
