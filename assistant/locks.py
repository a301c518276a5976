"""The single-ingest lock shared by replicas: redis-py's Lock in the Redis at `ASSISTANT_REDIS_URL`.

The lock has a lease (LEASE seconds) that a keep-alive thread renews while the ingest runs, so an ingest
on a machine that dies frees the lock within the lease instead of wedging every later ingest. Who holds
it is written next to it, for the "another ingest is running" message.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from .errors import AssistantError, IngestLockedError

LOCK_KEY = "assistant:ingest-lock"
HOLDER_KEY = "assistant:ingest-lock:holder"
LEASE = 30.0


def holder_of(client: redis.Redis) -> str:
    value = client.get(HOLDER_KEY)
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return str(value) if value else "another replica"


@contextmanager
def redis_ingest_lock(url: str, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the shared ingest lock for the block; IngestLockedError if another replica holds it."""
    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    lock = client.lock(LOCK_KEY, timeout=LEASE, sleep=0.2, thread_local=False)
    try:
        acquired = lock.acquire(blocking=wait_seconds > 0, blocking_timeout=max(wait_seconds, 0.01))
    except redis.RedisError as exc:
        client.close()
        raise AssistantError(f"The shared ingest lock in Redis is not reachable ({type(exc).__name__}).") from None
    if not acquired:
        holder = holder_of(client)
        client.close()
        raise IngestLockedError(holder)
    client.set(HOLDER_KEY, f"pid {os.getpid()} on {socket.gethostname()}", ex=int(LEASE))
    done = threading.Event()

    def keep_alive() -> None:
        while not done.wait(LEASE / 3):
            try:
                lock.reacquire()
                client.expire(HOLDER_KEY, int(LEASE))
            except redis.RedisError:
                time.sleep(1)

    renew = threading.Thread(target=keep_alive, daemon=True, name="ingest-lock-lease")
    renew.start()
    try:
        yield
    finally:
        done.set()
        renew.join(5)
        try:
            client.delete(HOLDER_KEY)
            lock.release()
        except redis.RedisError:  # lease ran out or Redis is away: the lease frees it
            pass
        client.close()


def redis_lock_holder(url: str) -> str | None:
    """Who holds the shared ingest lock now (None when free); for a 409 before starting a re-ingest."""
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        return holder_of(client) if client.exists(LOCK_KEY) else None
    except redis.RedisError:
        return None
    finally:
        client.close()
