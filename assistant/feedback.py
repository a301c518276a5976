"""The question log: every answer the channels pass on, and the owners' ratings of them.

Stored through `db.Database` (SQLite under the data directory, or PostgreSQL shared by replicas). No IP
addresses are stored: a rating carries only a keyed hash of (client, answer), so a client's new rating of
an answer replaces its old one and nothing links two answers to one client. Personal data in questions,
answers and comments is masked before it is written (privacy.py). Retention is enforced on start.

Logging never costs the owner the answer: a failed write is logged, counted and shown on /healthz.

The store may be handed a function that opens the database instead of an open one: the app opens it just
after it starts serving, so SQLAlchemy's import (0.2-0.35 s) is not on the way to /healthz 200. A write or
read that comes first opens it itself and waits for it: nothing is lost. This module imports `db` (and so
SQLAlchemy) only when the database is opened.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Literal

from .privacy import mask_personal_data

if TYPE_CHECKING:
    from .db import Database
    from .service import Answer, Event

log = logging.getLogger("assistant.feedback")


class FeedbackStore:
    """The log's reads and writes; every write fails soft and is counted.

    `db` is an open database (opened here at once) or a function that opens one (opened by `open()`, or by
    the first read or write, which waits for it)."""

    def __init__(self, db: Database | Callable[[], Database] | None, enabled: bool = True) -> None:
        self._opener: Callable[[], Database] | None = db if callable(db) else None
        self._db: Database | None = None if callable(db) else db
        self.enabled = enabled and db is not None
        self.failures = 0
        self.last_failure: float | None = None
        self.last_success: float | None = None
        self._salt: bytes | None = None
        self._lock = threading.Lock()
        self._open_lock = threading.Lock()
        if self._db is not None and self.enabled:
            self._soft("open", self._prepare)

    @property
    def db(self) -> Database | None:
        """The database, opened first if it was handed over as a function (callers wait for the opening)."""
        if self._opener is not None:
            self.open()
        return self._db

    def open(self) -> None:
        """Open the database now if it is not open yet; a failure is counted and the next use tries again."""
        with self._open_lock:
            if self._opener is None:
                return
            self._db = self._soft("open", self._opener)
            if self._db is None:
                return
            self._opener = None
            if self.enabled:
                self._soft("open", self._prepare)

    def _prepare(self) -> None:
        assert self._db is not None
        self._db.ensure_schema()  # creates the schema and purges what is past retention
        self._salt = self._db.secret("rater_salt")

    def _soft(self, what: str, fn: Any, *args: Any) -> Any:
        """Run a database call; on failure warn, count, and return None instead of raising."""
        try:
            result = fn(*args)
        except Exception as exc:
            from .db import SQLAlchemyError, redact  # loaded by now: the failing call went through it

            if not isinstance(exc, SQLAlchemyError | OSError):
                raise
            with self._lock:
                self.failures += 1
                self.last_failure = time.time()
            log.warning("question log: %s failed (%s: %s)", what, type(exc).__name__, redact(str(exc)))
            return None
        with self._lock:
            self.last_success = time.time()
        return result

    @property
    def status(self) -> str:
        """ "off", "opening" until the database is first opened, "ok", or "degraded" while the last write
        failed (the answers go on regardless)."""
        if not self.enabled:
            return "off"
        if self._opener is not None and self.last_failure is None:
            return "opening"
        if self.last_failure is not None and (self.last_success or 0) < self.last_failure:
            return "degraded"
        return "ok"

    def rater(self, client: str, answer_id: str) -> str:
        """Keyed hash of (client, answer): the same client rating again replaces its rating."""
        if self._salt is None and self.db is not None:
            self._salt = self._soft("read salt", self.db.secret, "rater_salt")
        salt = self._salt or b"unsalted"
        return hashlib.sha256(salt + client.encode() + b"\0" + answer_id.encode()).hexdigest()[:32]

    def record_answer(self, answer: Answer, channel: str = "chat") -> None:
        if not self.enabled or self.db is None:
            return
        row = {
            "id": answer.id,
            "created": time.time(),
            "question": mask_personal_data(answer.question),
            "lang": answer.lang,
            "answer": mask_personal_data(answer.answer),
            "mode": answer.mode,
            "fallback": int(answer.fallback),
            "declined": int(answer.declined),
            "sources": json.dumps([f"{s.source}#{s.section}" for s in answer.sources], ensure_ascii=False),
            "channel": channel,
        }
        self._soft("storing an answer", self.db.add_answer, row)

    def record_rating(self, answer_id: str, rating: str, comment: str | None = None, client: str = "") -> bool | None:
        """Store (or replace) this client's rating: False when the answer is unknown or feedback is off,
        None when storage failed."""
        if not self.enabled or self.db is None:
            return False
        comment = mask_personal_data((comment or "")[:2000])
        rater = self.rater(client, answer_id)
        ok: bool | None = self._soft("storing a rating", self.db.set_rating, answer_id, rater, rating, comment)
        return ok

    def ratings(self, answer_id: str) -> list[tuple[str, str]]:
        return self.db.ratings_of(answer_id) if self.db is not None else []

    def rows(self, days: int) -> dict[str, list[tuple[Any, ...]]]:
        if self.db is None:
            return {"answers": [], "down": []}
        return self.db.report_rows(days)


class FeedbackService:
    """The one way channels record feedback: every answer they pass on, and the owners' ratings of them.

    The REST API, the streaming API and the chat page all answer through `recorded`, so an answer is
    stored once, with its channel, in one place.
    """

    def __init__(self, store: FeedbackStore) -> None:
        self.store = store

    @property
    def enabled(self) -> bool:
        return self.store.enabled

    def recorded(self, events: Iterable[Event], channel: str) -> Iterator[Event]:
        """Pass the events through, storing the final answer as it goes by (before the channel shows it)."""
        for event in events:
            if event.kind == "final" and event.answer is not None:
                self.store.record_answer(event.answer, channel=channel)
            yield event

    async def arecorded(self, events: AsyncIterable[Event], channel: str) -> AsyncGenerator[Event, None]:
        """`recorded` for the async channels; the write runs off the event loop."""
        async for event in events:
            if event.kind == "final" and event.answer is not None:
                await asyncio.to_thread(self.store.record_answer, event.answer, channel)
            yield event

    def rate(
        self, answer_id: str, rating: Literal["up", "down"], comment: str | None = None, client: str = ""
    ) -> bool | None:
        """Store a rating: False when the answer is unknown (or feedback is off), None when storage failed."""
        return self.store.record_rating(answer_id, rating, comment, client)
