"""What the running app holds and the background work it does: prepare the index, re-ingest on request.

The index is built in the background on first start while /healthz answers 503, so the server is up at
once; a re-ingest runs in its own thread while the chat keeps answering from the active version.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import Request

from ..config import Settings
from ..errors import AssistantError, IndexMissingError, InvalidQuestionError
from ..feedback import FeedbackService, FeedbackStore
from ..ratelimit import RateLimiter
from ..service import Assistant, Event
from ..texts import t

if TYPE_CHECKING:
    from ..db import Database

log = logging.getLogger("assistant.web")
LOG_OPEN_AFTER_SECONDS = 5.0  # the question log opens after the first response once ready, or this much later


class NotReadyError(AssistantError):
    """The index is still being prepared (or could not be): the channel says so in the asker's language."""


class AppState:
    """The assistant once the index is ready, the feedback service, the rate limiter and the re-ingest job."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.assistant: Assistant | None = None
        self.error: str = ""
        self.building = False
        self.feedback = FeedbackService(FeedbackStore(_question_log(settings), settings.feedback_enabled))
        self.limiter = RateLimiter.from_settings(settings)
        self.reingest = ReingestJob(settings)
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._responded = threading.Event()  # a response went out after the index was ready

    def start(self) -> None:
        threading.Thread(target=self._prepare_until_ready, daemon=True, name="index-prepare").start()

    @asynccontextmanager
    async def lifespan(self, app: Any) -> AsyncIterator[None]:  # noqa: ARG002 - FastAPI's lifespan signature
        """Open the question log in the background once the app serves: its SQLAlchemy import (~0.25 s of
        CPU under the GIL) then never competes with the start (an answer before that opens it and waits)."""
        threading.Thread(target=self._open_log_when_serving, daemon=True, name="question-log").start()
        yield

    def _open_log_when_serving(self) -> None:
        """After the index is ready and a first response has gone out (or LOG_OPEN_AFTER_SECONDS later).

        The lifespan starts before uvicorn binds its socket; opening at once raced the first /healthz 200."""
        self._ready.wait()
        self._responded.wait(LOG_OPEN_AFTER_SECONDS)
        self.feedback.store.open()

    def responded(self) -> None:
        """A response went out (`app.AfterResponse`): the first one after the index is ready lets the question
        log open."""
        if not self._responded.is_set() and self._ready.is_set():
            self._responded.set()

    def wait_ready(self, timeout: float) -> bool:
        """Block until the assistant is ready (True) or `timeout` passes (False): a worker that waits here
        before it starts accepting leaves the connections to the workers that can answer."""
        return self._ready.wait(timeout)

    def _prepare_until_ready(self) -> None:
        """Keep trying after a failed start (Chroma server down, index unreadable), as a reader does after a
        later outage: the app recovers by itself once the store answers. One log line per distinct problem."""
        logged = ""
        while True:
            self._prepare()
            if self.assistant is not None:
                self._ready.set()
                if logged:
                    log.warning("Index ready after %s", logged)
                return
            if self.error != logged:
                log.error("Index not ready (retrying every %.0f s): %s", self.settings.index_retry_seconds, self.error)
                logged = self.error
            time.sleep(self.settings.index_retry_seconds)

    def _prepare(self) -> None:
        with self._lock:
            self.building = True
            try:
                assistant = Assistant(self.settings)
                try:
                    assistant.reader.snapshot()
                except IndexMissingError:
                    from ..indexer import run_ingest

                    log.warning("No index yet: building it from %s", self.settings.knowledge_dir)
                    run_ingest(self.settings, wait_seconds=120)
                    assistant.reader.snapshot()
                assistant.search("warm up")  # model, snapshot and off-topic examples ready before the first owner
                self.assistant = assistant
                self.error = ""
            except AssistantError as exc:
                self.error = str(exc)
            except Exception as exc:  # noqa: BLE001 - reported on /healthz, never as a traceback to users
                self.error = f"index could not be prepared ({type(exc).__name__}: {str(exc)[:200]})"
            finally:
                self.building = False

    def answer(self, message: object, history: list[dict[str, str]], lang: str | None, channel: str) -> Iterator[Event]:
        """Answer through the assistant, recording the answer for feedback; NotReadyError before the index is."""
        if self.assistant is None:
            raise NotReadyError(t(lang or "en", "index_missing"))
        return _owner_safe(self.feedback.recorded(self.assistant.stream(message, history, lang), channel), lang)

    def aanswer(
        self, message: object, history: list[dict[str, str]], lang: str | None, channel: str
    ) -> AsyncGenerator[Event, None]:
        """`answer` for the async channels: no thread waits on the model."""
        if self.assistant is None:
            raise NotReadyError("the knowledge index is not ready yet")
        return _aowner_safe(self.feedback.arecorded(self.assistant.astream(message, history, lang), channel), lang)

    def health(self) -> tuple[int, dict[str, Any]]:
        if self.assistant is None:
            return 503, {
                "status": "starting" if self.building and not self.error else "unavailable",
                "pid": os.getpid(),
                "index_loaded": False,
                "detail": self.error or "building the knowledge index",
            }
        try:
            snap = self.assistant.reader.snapshot()
        except AssistantError as exc:
            return 503, {"status": "unavailable", "pid": os.getpid(), "index_loaded": False, "detail": str(exc)}
        return 200, {
            "status": "ok",
            "storage": self.feedback.store.status,  # "degraded": answering goes on, the question log is failing
            "pid": os.getpid(),
            "index_loaded": True,
            "chunks": len(snap.ids),
            "index_version": snap.info.name,
            "built_at": snap.info.built_at,
            "llm_mode": self.assistant.mode,
            "llm": self.assistant.llm_status(),  # the circuit breaker's state; the model itself is never asked
        }


def _question_log(settings: Settings) -> Database | Callable[[], Database] | None:
    """The question log's database, or how to open it once the app serves (SQLAlchemy's import is not on the
    way to /healthz 200; an answer that comes first opens it and waits, so nothing is lost). A configured
    ASSISTANT_DATABASE_URL is opened at once: a mistyped URL or a missing driver must stop the start."""
    if not settings.feedback_enabled:
        return None

    def opener() -> Database:
        from ..db import open_database

        return open_database(settings)

    return opener() if settings.database_url is not None else opener


def _owner_safe(events: Iterator[Event], lang: str | None) -> Iterator[Event]:
    """Store failures reach owners as a short "temporarily unavailable"; the maintainer's instructions (which
    command rebuilds the index) go to the log and /healthz only."""
    try:
        yield from events
    except InvalidQuestionError:
        raise
    except AssistantError as exc:
        log.error("Index unavailable while answering: %s", exc)
        raise NotReadyError(t(lang or "en", "index_unavailable")) from None


async def _aowner_safe(events: AsyncGenerator[Event, None], lang: str | None) -> AsyncGenerator[Event, None]:
    """`_owner_safe` for the async channels."""
    try:
        async for event in events:
            yield event
    except InvalidQuestionError:
        raise
    except AssistantError as exc:
        log.error("Index unavailable while answering: %s", exc)
        raise NotReadyError(t(lang or "en", "index_unavailable")) from None
    finally:
        await events.aclose()  # an owner who disconnects cancels the model call underneath


def app_state(request: Request) -> AppState:
    """FastAPI dependency: the state `create_app` put on the app."""
    state: AppState = request.app.state.assistant_state
    return state


class ReingestJob:
    """One background re-ingest at a time, started from the admin API."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.running = False
        self.last: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def start(self, rebuild: bool = False) -> bool:
        """False when an ingest is running here or, with Redis, on any replica."""
        if self.settings.redis_url is not None:
            from ..locks import redis_lock_holder

            if redis_lock_holder(self.settings.redis_url.get_secret_value()):
                return False
        with self._lock:
            if self.running:
                return False
            self.running = True
        threading.Thread(target=self._run, args=(rebuild,), daemon=True, name="reingest").start()
        return True

    def _run(self, rebuild: bool) -> None:
        from ..indexer import run_ingest

        started = time.time()
        try:
            report = run_ingest(self.settings, rebuild=rebuild)
            self.last = {"ok": report.ok, "finished_at": time.time(), **report.as_dict()}
        except AssistantError as exc:
            self.last = {"ok": False, "finished_at": time.time(), "message": str(exc)}
        except Exception as exc:  # noqa: BLE001 - reported on /api/admin/status
            log.exception("re-ingest failed")
            self.last = {"ok": False, "finished_at": time.time(), "message": f"ingest failed ({type(exc).__name__})"}
        finally:
            self.last = {**(self.last or {}), "started_at": started}
            self.running = False
