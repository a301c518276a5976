"""The question log, answers and ratings in a SQL database through SQLAlchemy.

SQLite under the data directory by default (one machine); PostgreSQL (or any SQLAlchemy URL) when
`ASSISTANT_DATABASE_URL` is set, so several app replicas share one log and the gaps report sees all of it.
The schema is created on start and the statements are idempotent, so every replica may start at any time.

Writes never cost the owner an answer: a failed write is logged, counted and reported on /healthz as
degraded storage, and the next write tries again (the engine re-checks pooled connections).
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, SQLAlchemyError

from .config import Settings
from .errors import AssistantError

log = logging.getLogger("assistant.db")

metadata = MetaData()
answers = Table(
    "answers",
    metadata,
    Column("id", Text, primary_key=True),
    Column("created", Float, nullable=False),
    Column("question", Text, nullable=False),
    Column("lang", Text),
    Column("answer", Text),
    Column("mode", Text),
    Column("fallback", Integer),
    Column("declined", Integer),
    Column("sources", Text),
    Column("channel", Text),
    Index("answers_created", "created"),
)
ratings = Table(
    "ratings",
    metadata,
    Column("answer_id", Text, nullable=False),
    Column("created", Float, nullable=False),
    Column("rating", Text, nullable=False),
    Column("comment", Text),
    Column("rater", String(64)),  # keyed hash of (client, answer): one rating per answer per client
    Index("ratings_answer_rater", "answer_id", "rater", unique=True),
)
meta = Table("assistant_meta", metadata, Column("key", Text, primary_key=True), Column("value", Text, nullable=False))

_PASSWORD = re.compile(r"://([^:/@\s]+):[^@\s]*@")


def redact(message: str) -> str:
    """Error text without a password from a connection URL, first line only (it goes to the log)."""
    return _PASSWORD.sub(r"://\1:***@", message.splitlines()[0] if message else "")


def database_url(settings: Settings) -> str:
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return f"sqlite:///{settings.data_dir / 'feedback.sqlite3'}"


def make_engine(url: str) -> Engine:
    """An engine that fails fast when the server is away (a question must not wait on the log)."""
    try:
        return _make_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError):
        raise AssistantError(  # never the URL itself: it may hold a password
            "ASSISTANT_DATABASE_URL is not a usable SQLAlchemy URL "
            "(expected e.g. postgresql+psycopg://user:password@host:5432/dbname)"
        ) from None


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10})

        @event.listens_for(engine, "connect")
        def _wal(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        return engine
    args = {"connect_timeout": 3} if url.startswith("postgresql") else {}
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args=args)


class Database:
    """Tables, schema creation, retention and the statements the feedback service needs."""

    def __init__(self, url: str, retention_days: int = 90) -> None:
        self.url = url
        self.retention_seconds = retention_days * 86400
        if url.startswith("sqlite:///"):
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        self._schema_ready = False
        self._lock = threading.Lock()

    def ensure_schema(self) -> None:
        """Create what is missing (idempotent, safe with several replicas starting at once) and purge."""
        if self._schema_ready:
            return
        with self._lock:
            if self._schema_ready:
                return
            try:
                metadata.create_all(self.engine, checkfirst=True)
            except IntegrityError:  # another replica created the same table in the same instant
                metadata.create_all(self.engine, checkfirst=True)
            columns = {c["name"] for c in inspect(self.engine).get_columns("ratings")}
            if "rater" not in columns:  # a log from before one-rating-per-client: add the column and its index
                with self.engine.begin() as db:
                    db.execute(text("ALTER TABLE ratings ADD COLUMN rater VARCHAR(64)"))
                    db.execute(
                        text("CREATE UNIQUE INDEX IF NOT EXISTS ratings_answer_rater ON ratings(answer_id, rater)")
                    )
            self._schema_ready = True
        self.purge()

    def purge(self) -> int:
        """Delete everything older than the retention period; returns the number of answers removed."""
        cutoff = time.time() - self.retention_seconds
        with self.engine.begin() as db:
            db.execute(ratings.delete().where(ratings.c.created < cutoff))
            return db.execute(answers.delete().where(answers.c.created < cutoff)).rowcount or 0

    def secret(self, key: str) -> bytes:
        """A random value stored once in the database, the same for every replica (e.g. the rater salt)."""
        self.ensure_schema()
        with self.engine.begin() as db:
            db.execute(self._insert(meta).values(key=key, value=secrets.token_hex(16)).on_conflict_do_nothing())
            return bytes.fromhex(db.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one())

    def _insert(self, table: Table) -> Any:
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    def add_answer(self, row: dict[str, Any]) -> None:
        self.ensure_schema()
        stmt = self._insert(answers).values(**row)
        with self.engine.begin() as db:
            db.execute(stmt.on_conflict_do_update(index_elements=["id"], set_={k: stmt.excluded[k] for k in row}))

    def set_rating(self, answer_id: str, rater: str, rating: str, comment: str) -> bool:
        """Insert or replace this rater's rating of the answer; False when the answer is unknown."""
        self.ensure_schema()
        with self.engine.begin() as db:
            if db.execute(select(answers.c.id).where(answers.c.id == answer_id)).first() is None:
                return False
            row = {"answer_id": answer_id, "rater": rater, "created": time.time(), "rating": rating, "comment": comment}
            stmt = self._insert(ratings).values(**row)
            db.execute(
                stmt.on_conflict_do_update(
                    index_elements=["answer_id", "rater"],
                    set_={k: stmt.excluded[k] for k in ("created", "rating", "comment")},
                )
            )
        return True

    def ratings_of(self, answer_id: str) -> list[tuple[str, str]]:
        self.ensure_schema()
        with self.engine.connect() as db:
            rows = db.execute(select(ratings.c.rating, ratings.c.comment).where(ratings.c.answer_id == answer_id))
            return [(r.rating, r.comment) for r in rows]

    def report_rows(self, days: int) -> dict[str, list[tuple[Any, ...]]]:
        """Answers of the last `days` days, and each thumbs-down answer once with all its comments."""
        self.ensure_schema()
        cutoff = time.time() - days * 86400
        a = answers.c
        with self.engine.connect() as db:
            rows = db.execute(
                select(a.id, a.question, a.lang, a.declined, a.sources).where(a.created >= cutoff).order_by(a.created)
            ).all()
            down = db.execute(
                select(a.id, a.question, a.answer, ratings.c.comment)
                .join(answers, answers.c.id == ratings.c.answer_id)
                .where(ratings.c.rating == "down", ratings.c.created >= cutoff)
                .order_by(ratings.c.created)
            ).all()
        grouped: dict[str, tuple[str, str, list[str], int]] = {}
        for answer_id, question, answer, comment in down:
            q, ans, comments, votes = grouped.get(answer_id, (question, answer or "", [], 0))
            if comment and comment not in comments:
                comments.append(comment)
            grouped[answer_id] = (q, ans, comments, votes + 1)
        return {"answers": [tuple(r) for r in rows], "down": list(grouped.values())}

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(settings: Settings) -> Database:
    return Database(database_url(settings), settings.feedback_retention_days)


__all__ = ["Database", "SQLAlchemyError", "database_url", "open_database", "redact"]
