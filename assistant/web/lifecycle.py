"""What the running app holds and the background work it does: prepare the index, re-ingest on request.

The index is built in the background on first start while /healthz answers 503, so the server is up at
once; a re-ingest runs in its own thread while the chat keeps answering from the active version.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncGenerator, Iterator
from typing import Any

from fastapi import Request

from ..config import Settings
from ..errors import AssistantError, IndexMissingError
from ..feedback import FeedbackService, FeedbackStore
from ..ratelimit import RateLimiter
from ..service import Assistant, Event

log = logging.getLogger("assistant.web")


class NotReadyError(AssistantError):
    """The index is still being prepared (or could not be): the channel says so in the asker's language."""


class AppState:
    """The assistant once the index is ready, the feedback service, the rate limiter and the re-ingest job."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.assistant: Assistant | None = None
        self.error: str = ""
        self.building = False
        self.feedback = FeedbackService(
            FeedbackStore(
                settings.data_dir / "feedback.sqlite3", settings.feedback_enabled, settings.feedback_retention_days
            )
        )
        self.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_per_hour)
        self.reingest = ReingestJob(settings)
        self._lock = threading.Lock()

    def start(self) -> None:
        threading.Thread(target=self._prepare, daemon=True, name="index-prepare").start()

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
                log.error("Index not ready: %s", exc)
            except Exception as exc:  # noqa: BLE001 - reported on /healthz, never as a traceback to users
                self.error = f"index could not be prepared ({type(exc).__name__})"
                log.exception("Index not ready")
            finally:
                self.building = False

    def answer(self, message: object, history: list[dict[str, str]], lang: str | None, channel: str) -> Iterator[Event]:
        """Answer through the assistant, recording the answer for feedback; NotReadyError before the index is."""
        if self.assistant is None:
            raise NotReadyError("the knowledge index is not ready yet")
        return self.feedback.recorded(self.assistant.stream(message, history, lang), channel)

    def aanswer(
        self, message: object, history: list[dict[str, str]], lang: str | None, channel: str
    ) -> AsyncGenerator[Event, None]:
        """`answer` for the async channels: no thread waits on the model."""
        if self.assistant is None:
            raise NotReadyError("the knowledge index is not ready yet")
        return self.feedback.arecorded(self.assistant.astream(message, history, lang), channel)

    def health(self) -> tuple[int, dict[str, Any]]:
        if self.assistant is None:
            return 503, {
                "status": "starting" if self.building else "unavailable",
                "index_loaded": False,
                "detail": self.error or "building the knowledge index",
            }
        try:
            snap = self.assistant.reader.snapshot()
        except AssistantError as exc:
            return 503, {"status": "unavailable", "index_loaded": False, "detail": str(exc)}
        return 200, {
            "status": "ok",
            "index_loaded": True,
            "chunks": len(snap.ids),
            "index_version": snap.info.name,
            "built_at": snap.info.built_at,
            "llm_mode": self.assistant.mode,
            "llm": self.assistant.llm_status(),  # the circuit breaker's state; the model itself is never asked
        }


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
