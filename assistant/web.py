"""The web app: a FastAPI server with the REST API and the Gradio chat mounted on it.

Everything is served locally (Gradio ships its JS; fonts are system fonts), analytics are off, and the
index is built in the background on first start while /healthz answers 503.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import hmac
import html
import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from .config import Settings
from .errors import AssistantError, IndexMissingError, InvalidQuestionError
from .feedback import FeedbackStore
from .language import detect_language
from .prompts import t
from .ratelimit import RateLimiter
from .service import Answer, Assistant

log = logging.getLogger("assistant.web")

EXAMPLES = [
    "We are a two-person webshop, what team do we need first?",
    "Welke KPI's gebruik ik voor mijn klantenservice?",
    "Should I hire in-house or outsource?",
    "Moet ik SEO uitbesteden aan een freelancer?",
    "Which KPIs should my digital marketer have?",
    "Wat deed de koffiewebshop om de conversie te verhogen?",
]


class AppState:
    """What the running app holds: the assistant once the index is ready, and the feedback store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.assistant: Assistant | None = None
        self.error: str = ""
        self.building = False
        self.feedback = FeedbackStore(
            settings.data_dir / "feedback.sqlite3", settings.feedback_enabled, settings.feedback_retention_days
        )
        self.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_per_hour)
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
                    from .indexer import run_ingest

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
        }


# -- REST API ----------------------------------------------------------------------------------------------


class ChatMessageIn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20000)


class ChatRequest(BaseModel):
    message: str
    history: list[ChatMessageIn] = Field(default_factory=list)
    lang: Literal["en", "nl"] | None = None


class FeedbackRequest(BaseModel):
    answer_id: str = Field(min_length=1, max_length=64)
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=2000)


def answer_payload(answer: Answer) -> dict[str, Any]:
    return {
        "id": answer.id,
        "answer": answer.answer,
        "sources": [
            {"n": s.n, "source": s.source, "title": s.title, "section": s.section, "text": s.text}
            for s in answer.sources
        ],
        "mode": answer.mode,
        "fallback": answer.fallback,
        "declined": answer.declined,
        "lang": answer.lang,
        "notice": answer.notice,
    }


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def add_api(app: FastAPI, state: AppState) -> None:
    settings = state.settings

    @app.get("/healthz", tags=["health"])
    def healthz() -> JSONResponse:
        status, body = state.health()
        return JSONResponse(body, status_code=status)

    def _check(req: ChatRequest, request: Request) -> JSONResponse | None:
        wait = state.limiter.check(request.client.host if request.client else "unknown")
        if wait:
            message = t(req.lang or "en", "rate_limited", n=wait)
            return JSONResponse({"error": message}, status_code=429, headers={"Retry-After": str(wait)})
        if len(req.history) > settings.max_history_turns * 2:
            return _error(413, f"history is too long: at most {settings.max_history_turns * 2} messages")
        if len(req.message) > settings.max_message_chars:
            return _error(413, f"message is too long: at most {settings.max_message_chars} characters")
        if state.assistant is None:
            return _error(503, t(req.lang or "en", "index_missing"))
        return None

    def _start(req: ChatRequest, request: Request) -> Iterator[Any] | JSONResponse:
        """Validate and start answering; input problems come back as a JSON error before any output."""
        if (problem := _check(req, request)) is not None:
            return problem
        assert state.assistant is not None
        try:
            events = state.assistant.stream(req.message, [m.model_dump() for m in req.history], req.lang)
            first = next(events)
        except InvalidQuestionError as exc:
            return _error(400, str(exc))
        except AssistantError as exc:
            return _error(503, str(exc))
        return _chain(first, events)

    @app.post("/api/chat", tags=["chat"])
    def chat(req: ChatRequest, request: Request) -> JSONResponse:
        """Answer one message (with optional history); the whole answer at once."""
        events = _start(req, request)
        if isinstance(events, JSONResponse):
            return events
        answer = next(e.answer for e in events if e.kind == "final" and e.answer is not None)
        state.feedback.record_answer(answer, channel="api")
        return JSONResponse(answer_payload(answer))

    @app.post("/api/chat/stream", tags=["chat"])
    def chat_stream(req: ChatRequest, request: Request) -> Any:
        """Server-Sent Events: `token` events with text, maybe a `reset`, then one `final` event."""
        events = _start(req, request)
        if isinstance(events, JSONResponse):
            return events

        def sse() -> Iterator[str]:
            for event in events:
                if event.kind == "final" and event.answer is not None:
                    state.feedback.record_answer(event.answer, channel="api")
                    yield f"event: final\ndata: {json.dumps(answer_payload(event.answer), ensure_ascii=False)}\n\n"
                elif event.kind == "reset":
                    yield "event: reset\ndata: {}\n\n"
                else:
                    yield f"event: token\ndata: {json.dumps({'text': event.text}, ensure_ascii=False)}\n\n"

        return StreamingResponse(sse(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @app.post("/api/feedback", tags=["feedback"])
    def feedback(req: FeedbackRequest) -> JSONResponse:
        if not state.feedback.enabled:
            return _error(404, "feedback is turned off on this server")
        if not state.feedback.record_rating(req.answer_id, req.rating, req.comment):
            return _error(404, "unknown answer id")
        return JSONResponse({"ok": True})


STATIC = Path(__file__).parent / "static"
_COLOR = re.compile(r"^#[0-9a-fA-F]{3,8}$")


def add_widget(app: FastAPI, state: AppState) -> None:
    """The embeddable chat: /widget.js for the host page, /widget for the iframe it opens."""
    settings = state.settings
    ancestors = " ".join(["'self'", *settings.allowed_origins])

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> Response:
        return Response(
            (STATIC / "widget.js").read_text(encoding="utf-8"),
            media_type="application/javascript",
            headers={"Cache-Control": "public, max-age=600"},
        )

    @app.get("/widget", include_in_schema=False)
    def widget(lang: str = "en", color: str = "#2563eb", title: str = "") -> HTMLResponse:
        page = (STATIC / "widget.html").read_text(encoding="utf-8")
        page = (
            page.replace("__LANG__", "nl" if lang == "nl" else "en")
            .replace("__COLOR__", color if _COLOR.match(color) else "#2563eb")
            .replace("__TITLE__", html.escape(title[:60] or "E-commerce team assistant"))
            .replace("__MAXLEN__", str(settings.max_message_chars))
            .replace("__BASE__", "")
        )
        return HTMLResponse(
            page,
            headers={
                "Content-Security-Policy": f"frame-ancestors {ancestors}; default-src 'self'; "
                "script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline' 'self'",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @app.get("/api/widget/config", tags=["widget"])
    def widget_config() -> JSONResponse:
        """Reachable from a browser only on allowed origins (CORS): widget.js shows no bubble elsewhere."""
        return JSONResponse({"ok": True, "max_message_chars": settings.max_message_chars})


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
        from .indexer import run_ingest

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


def add_admin(app: FastAPI, state: AppState) -> None:
    """Re-ingest and status for maintainers, behind a bearer token; off when no token is configured."""
    token = state.settings.admin_token.get_secret_value() if state.settings.admin_token else ""
    job = ReingestJob(state.settings)

    def authorised(request: Request) -> JSONResponse | None:
        if not token:
            return _error(404, "admin endpoints are off (set ASSISTANT_ADMIN_TOKEN to turn them on)")
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return JSONResponse(
                {"error": "missing or wrong admin token"}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        return None

    @app.post("/api/admin/reingest", tags=["admin"])
    def reingest(request: Request, rebuild: bool = False) -> JSONResponse:
        """Start a re-ingest of the knowledge base in the background; the chat keeps answering."""
        if (problem := authorised(request)) is not None:
            return problem
        if not job.start(rebuild=rebuild):
            return _error(409, "a re-ingest is already running")
        return JSONResponse({"started": True}, status_code=202)

    @app.get("/api/admin/status", tags=["admin"])
    def status(request: Request) -> JSONResponse:
        """The active index version, when it was built, its size, and the last ingest's outcome."""
        if (problem := authorised(request)) is not None:
            return problem
        from .store import IndexStore

        body: dict[str, Any] = {"reingest_running": job.running, "last_run_here": job.last}
        try:
            store = IndexStore(state.settings)
            info, _ = store.active()
            body.update(
                active_version=info.name,
                built_at=info.built_at,
                chunks=info.chunks,
                documents=info.documents,
                languages=info.languages,
                embedding=info.embedding,
                versions=store.version_names(),
                last_run=store.last_run(),
            )
        except AssistantError as exc:
            body.update(active_version=None, detail=str(exc))
        return JSONResponse(body)


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


# -- Gradio chat -------------------------------------------------------------------------------------------


def _text_of(content: Any) -> str:
    """Gradio hands message content as a string or as a list of typed parts, depending on version."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, list):
        return "\n".join(_text_of(c) for c in content)
    return ""


def inert(text: str) -> str:
    """Show markup typed by a user (or echoed by a model) as text: no tag can start without '<'."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _plain_history(history: list[Any]) -> list[dict[str, str]]:
    out = []
    for msg in history:
        meta = msg.get("metadata") if isinstance(msg, dict) else None
        if meta and meta.get("title"):
            continue  # the sources panel is not part of the conversation
        out.append({"role": msg.get("role", "user"), "content": html.unescape(_text_of(msg.get("content")))})
    return out


def sources_markdown(answer: Answer) -> str:
    lines = []
    for s in answer.sources:
        snippet = s.text if len(s.text) <= 400 else s.text[:400].rsplit(" ", 1)[0] + " …"
        quoted = "\n".join("> " + ln for ln in snippet.splitlines() if ln.strip())
        lines.append(f"**[{s.n}] {s.title} — {s.section}**  \n`{s.source}`\n\n{quoted}")
    return "\n\n".join(lines)


UI_TEXT = {
    "en": {
        "intro": (
            "**Build your e-commerce team, one role at a time.** Ask which roles your shop needs and when, "
            "in-house or freelance, KPIs per role, where to start, or about the coffee-shop case. Every answer "
            "shows the guidance it comes from. *I only know the team-building guidance: for tax, law or "
            "anything else, ask an expert.* You can ask in English or Dutch."
        ),
        "box": "Your question",
        "placeholder": "e.g. We are a two-person webshop, what team do we need first?",
        "send": "Send",
        "clear": "Clear chat",
        "comment": "What was wrong or missing? (optional)",
        "comment_send": "Send feedback",
        "examples": "Examples",
        "thanks": "Thanks, your feedback helps us improve the guidance.",
    },
    "nl": {
        "intro": (
            "**Bouw je e-commerceteam, rol voor rol.** Vraag welke rollen je webshop wanneer nodig heeft, "
            "zelf in dienst of freelance, KPI's per rol, waar je begint, of naar de case van de koffiezaak. "
            "Bij elk antwoord zie je uit welke richtlijn het komt. *Ik ken alleen de richtlijnen over je team: "
            "voor belasting, recht of andere zaken vraag je een expert.* Je kunt in het Nederlands of Engels vragen."
        ),
        "box": "Je vraag",
        "placeholder": "Bijv. We zijn een webshop met twee mensen, welk team hebben we eerst nodig?",
        "send": "Verstuur",
        "clear": "Wis gesprek",
        "comment": "Wat was er mis of wat ontbrak? (optioneel)",
        "comment_send": "Verstuur feedback",
        "examples": "Voorbeelden",
        "thanks": "Bedankt, met je feedback verbeteren we de richtlijnen.",
    },
}
LANG_CHOICES = {"English": "en", "Nederlands": "nl"}


def build_ui(state: AppState) -> gr.Blocks:
    def respond(message: str, history: list[Any], ids: dict[str, str], request: gr.Request) -> Iterator[tuple]:
        history = list(history or [])
        ids = dict(ids or {})
        prior = _plain_history(history)
        history.append({"role": "user", "content": inert(message)})
        yield history, "", ids  # the only time the box is cleared
        keep = gr.skip()  # later updates leave the box alone: the owner may be typing the next question
        client = getattr(getattr(request, "client", None), "host", None) or "unknown"
        wait = state.limiter.check(f"ui:{client}")
        if wait:
            history.append({"role": "assistant", "content": t(detect_language(message), "rate_limited", n=wait)})
            yield history, keep, ids
            return
        if state.assistant is None:
            history.append({"role": "assistant", "content": t("en", "index_missing")})
            yield history, keep, ids
            return
        partial = ""
        try:
            for event in state.assistant.stream(message, prior):
                if event.kind == "token":
                    partial += event.text
                    yield [*history, {"role": "assistant", "content": inert(partial)}], keep, ids
                elif event.kind == "reset":
                    partial = ""
                elif event.kind == "final" and event.answer is not None:
                    answer = event.answer
                    history.append({"role": "assistant", "content": inert(answer.answer)})
                    ids[str(len(history) - 1)] = answer.id
                    if answer.sources:
                        title = "Bronnen" if answer.lang == "nl" else "Sources"
                        history.append(
                            {
                                "role": "assistant",
                                "content": sources_markdown(answer),
                                "metadata": {"title": f"{title} ({len(answer.sources)})", "status": "done"},
                            }
                        )
                    state.feedback.record_answer(answer, channel="chat")
                    yield history, keep, ids
        except AssistantError as exc:
            history.append({"role": "assistant", "content": str(exc)})
            yield history, keep, ids
        except Exception:  # noqa: BLE001 - never a traceback in the chat
            log.exception("chat failed")
            history.append({"role": "assistant", "content": "Something went wrong on our side. Please try again."})
            yield history, keep, ids

    def on_like(ids: dict[str, str], data: gr.LikeData) -> tuple[Any, str]:
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        answer_id = (ids or {}).get(str(index))
        if not answer_id:
            return gr.update(visible=False), ""
        rating = "up" if data.liked else "down"
        state.feedback.record_rating(answer_id, rating)
        return gr.update(visible=rating == "down"), answer_id

    def on_comment(answer_id: str, comment: str, ui_lang: str) -> tuple[Any, str]:
        if answer_id and comment.strip():
            state.feedback.record_rating(answer_id, "down", comment.strip())
            gr.Info(UI_TEXT[LANG_CHOICES.get(ui_lang, "en")]["thanks"])
        return gr.update(visible=False), ""

    def switch_language(choice: str) -> tuple:
        text = UI_TEXT[LANG_CHOICES.get(choice, "en")]
        return (
            gr.update(value=text["intro"]),
            gr.update(label=text["box"], placeholder=text["placeholder"]),
            gr.update(value=text["send"]),
            gr.update(value=text["clear"]),
            gr.update(label=text["comment"]),
            gr.update(value=text["comment_send"]),
        )

    def ask_api(question: str) -> str:
        """Answer one question; the answer followed by its sources, as Markdown."""
        if state.assistant is None:
            return t("en", "index_missing")
        try:
            answer = state.assistant.ask(question)
        except AssistantError as exc:
            return str(exc)
        state.feedback.record_answer(answer, channel="gradio-api")
        if not answer.sources:
            return answer.answer
        return f"{answer.answer}\n\n---\n{sources_markdown(answer)}"

    en = UI_TEXT["en"]
    with gr.Blocks(title="E-commerce team assistant", analytics_enabled=False) as demo:
        ids = gr.State({})
        rated_id = gr.State("")
        with gr.Row(equal_height=True):
            gr.Markdown("# E-commerce team assistant", elem_id="title")
            ui_lang = gr.Radio(
                list(LANG_CHOICES),
                value="English",
                label="Language / Taal",
                elem_id="ui-lang",
                scale=0,
                min_width=220,
            )
        intro = gr.Markdown(en["intro"], elem_id="intro")
        chatbot = gr.Chatbot(
            label="Chat",
            elem_id="chat",
            height=520,
            buttons=["copy"],
            feedback_options=("Like", "Dislike"),
            placeholder="Ask about roles, hiring order, in-house vs freelance, KPIs… / Stel je vraag…",
        )
        with gr.Row():
            box = gr.Textbox(
                label=en["box"],
                placeholder=en["placeholder"],
                elem_id="question",
                scale=8,
                max_length=state.settings.max_message_chars,
                autofocus=True,
            )
            send = gr.Button(en["send"], variant="primary", elem_id="send", scale=1, min_width=90)
        with gr.Row(visible=False) as comment_row:
            comment = gr.Textbox(label=en["comment"], elem_id="comment", scale=8)
            comment_send = gr.Button(en["comment_send"], elem_id="comment-send", scale=1)
        clear = gr.Button(en["clear"], elem_id="clear", size="sm")
        gr.Examples(EXAMPLES, inputs=box, label="Examples / Voorbeelden")

        box.submit(respond, [box, chatbot, ids], [chatbot, box, ids], api_visibility="private")
        send.click(respond, [box, chatbot, ids], [chatbot, box, ids], api_visibility="private")
        clear.click(lambda: ([], {}, ""), None, [chatbot, ids, box], api_visibility="private")
        chatbot.like(on_like, [ids], [comment_row, rated_id], api_visibility="private")
        comment_send.click(on_comment, [rated_id, comment, ui_lang], [comment_row, comment], api_visibility="private")
        ui_lang.change(
            switch_language, ui_lang, [intro, box, send, clear, comment, comment_send], api_visibility="private"
        )
        # The interface language follows the browser's until the owner picks one.
        demo.load(
            None,
            None,
            ui_lang,
            js="() => ((navigator.language || 'en').toLowerCase().startsWith('nl') ? 'Nederlands' : 'English')",
        )
        gr.api(ask_api, api_name="ask")
    return demo


CSS = """
footer {display: none !important}
#title h1 {margin-bottom: 0}
@media (max-width: 640px) { #chat {height: 60vh !important} }
"""


def create_app(settings: Settings) -> FastAPI:
    state = AppState(settings)
    app = FastAPI(
        title="E-commerce team assistant",
        description="Sourced advice on building an e-commerce team, in Dutch and English.",
        version="0.1.0",
    )
    app.state.assistant_state = state
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        expose_headers=["Retry-After"],
        max_age=600,
    )
    add_api(app, state)
    add_widget(app, state)
    add_admin(app, state)

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001
        log.exception("unhandled error")
        return _error(500, "Something went wrong on our side. Please try again.")

    theme = gr.themes.Soft(
        font=["system-ui", "Segoe UI", "Roboto", "sans-serif"], font_mono=["ui-monospace", "monospace"]
    )
    app = gr.mount_gradio_app(app, build_ui(state), path="/", theme=theme, css=CSS, footer_links=[])
    state.start()
    return app


def app_from_environment() -> FastAPI:
    """Factory for uvicorn workers: each worker process reads the settings and builds its own app."""
    return create_app(Settings())


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    host = host or settings.host
    port = port or settings.port
    print(f"E-commerce team assistant on http://{host}:{port}  (API docs: http://{host}:{port}/docs)", flush=True)
    if settings.workers > 1:
        # Several processes: each loads the index; the ingest lock makes the first start build it once.
        uvicorn.run(
            "assistant.web:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=settings.workers,
            log_level="warning",
        )
    else:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
