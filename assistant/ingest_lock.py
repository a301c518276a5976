"""The one-writer lock an ingest or rollback takes before anything else.

Only the standard library is imported here (Redis only when configured), so a second ingest that finds the
lock held refuses before loading Chroma, LangChain or the embedding model: in a fraction of a second.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from .config import Settings
from .errors import IngestLockedError


@contextmanager
def ingest_lock(data_dir: Path, wait_seconds: float = 0.0, redis_url: str | None = None) -> Iterator[None]:
    """One writer at a time: across replicas through Redis when configured, then on this machine a file
    lock. The OS releases the file lock if the process dies, so a kill -9 never wedges it."""
    if redis_url:
        from .locks import redis_ingest_lock

        with redis_ingest_lock(redis_url, wait_seconds), ingest_lock(data_dir, wait_seconds):
            yield
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "ingest.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown process"
                    raise IngestLockedError(holder) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
        yield
    finally:
        os.close(fd)


def lock_for(settings: Settings, wait_seconds: float = 0.0) -> AbstractContextManager[None]:
    """The ingest lock for these settings: the file lock in the data directory, and Redis's when set."""
    redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
    return ingest_lock(settings.data_dir, wait_seconds, redis_url)
