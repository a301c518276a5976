"""A circuit breaker for the model server: when it is known to be failing, owners get the offline answer at once.

Without it every question waits out the full deadline on a model that is down or rate limited. After
`failures` consecutive failures the breaker opens for `cooldown` seconds; a 429 opens it for the server's own
Retry-After (capped). When the time is up the next question tries the model again (one failure re-opens it).
"""

from __future__ import annotations

import threading
import time
from typing import Any

MAX_RETRY_AFTER = 300.0  # a server asking for more than five minutes is treated as asking for five


class CircuitBreaker:
    """Counts consecutive model failures; thread-safe, no I/O, so a health check can read it without waiting."""

    def __init__(self, failures: int, cooldown: float, clock: Any = time.monotonic) -> None:
        self.threshold = max(1, failures)
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._open_until = 0.0
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """May the model be asked now? False while the breaker is open."""
        with self._lock:
            return self._clock() >= self._open_until

    def success(self) -> None:
        with self._lock:
            self._failures = 0
            self._open_until = 0.0

    def failure(self, retry_after: float | None = None) -> None:
        """One more failure; `retry_after` (seconds, from a 429) opens the breaker for that long at once."""
        with self._lock:
            self._failures += 1
            now = self._clock()
            if retry_after is not None and retry_after > 0:
                self._open_until = max(self._open_until, now + min(retry_after, MAX_RETRY_AFTER))
            elif self._failures >= self.threshold:
                self._open_until = max(self._open_until, now + self.cooldown)

    def state(self) -> dict[str, Any]:
        """For /healthz: "closed" (model in use) or "open" with the seconds until the model is tried again."""
        with self._lock:
            left = self._open_until - self._clock()
            if left > 0:
                return {"state": "open", "retry_in_s": round(left, 1), "consecutive_failures": self._failures}
            return {"state": "closed", "consecutive_failures": self._failures}
