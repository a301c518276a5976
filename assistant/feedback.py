"""Questions, answers and ratings in SQLite, so maintainers can see what the guidance is missing.

No IP addresses or other identifiers of the asker are stored. Retention is enforced on startup and on
every write; with feedback disabled nothing is written at all.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .service import Answer, Event

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY, created REAL NOT NULL, question TEXT NOT NULL, lang TEXT, answer TEXT,
    mode TEXT, fallback INTEGER, declined INTEGER, sources TEXT, channel TEXT
);
CREATE TABLE IF NOT EXISTS ratings (
    answer_id TEXT NOT NULL, created REAL NOT NULL, rating TEXT NOT NULL CHECK (rating IN ('up','down')),
    comment TEXT
);
CREATE INDEX IF NOT EXISTS answers_created ON answers(created);
"""


class FeedbackStore:
    """The SQLite tables; `FeedbackService` below is what the channels use."""

    def __init__(self, path: Path, enabled: bool = True, retention_days: int = 90) -> None:
        self.path = path
        self.enabled = enabled
        self.retention_seconds = retention_days * 86400
        self._lock = threading.Lock()
        if enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.executescript(SCHEMA)
            self.purge()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def purge(self) -> None:
        cutoff = time.time() - self.retention_seconds
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM ratings WHERE created < ?", (cutoff,))
            db.execute("DELETE FROM answers WHERE created < ?", (cutoff,))

    def record_answer(self, answer: Answer, channel: str = "chat") -> None:
        if not self.enabled:
            return
        sources = [f"{s.source}#{s.section}" for s in answer.sources]
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    answer.id,
                    time.time(),
                    answer.question,
                    answer.lang,
                    answer.answer,
                    answer.mode,
                    int(answer.fallback),
                    int(answer.declined),
                    json.dumps(sources, ensure_ascii=False),
                    channel,
                ),
            )

    def record_rating(self, answer_id: str, rating: str, comment: str | None = None) -> bool:
        """Store a rating; False when the answer is unknown (or feedback is off)."""
        if not self.enabled:
            return False
        with self._lock, self._connect() as db:
            if db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                return False
            db.execute("INSERT INTO ratings VALUES (?,?,?,?)", (answer_id, time.time(), rating, (comment or "")[:2000]))
        return True

    def ratings(self, answer_id: str) -> list[tuple[str, str]]:
        with self._connect() as db:
            return db.execute("SELECT rating, comment FROM ratings WHERE answer_id = ?", (answer_id,)).fetchall()

    def rows(self, days: int) -> dict[str, list[tuple[Any, ...]]]:
        cutoff = time.time() - days * 86400
        with self._connect() as db:
            answers = db.execute(
                "SELECT id, question, lang, declined, sources FROM answers WHERE created >= ?", (cutoff,)
            ).fetchall()
            down = db.execute(
                "SELECT a.question, a.answer, r.comment FROM ratings r JOIN answers a ON a.id = r.answer_id "
                "WHERE r.rating = 'down' AND r.created >= ?",
                (cutoff,),
            ).fetchall()
        return {"answers": answers, "down": down}


class FeedbackService:
    """The one way channels record feedback: every answer they pass on, and the owners' ratings of them.

    The REST API, the streaming API, the chat page and the Gradio API all answer through `recorded`, so an
    answer is stored once, with its channel, in one place.
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

    def rate(self, answer_id: str, rating: Literal["up", "down"], comment: str | None = None) -> bool:
        """Store a rating; False when the answer is unknown (or feedback is off)."""
        return self.store.record_rating(answer_id, rating, comment)
