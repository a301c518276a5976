"""The app factory: FastAPI with the REST, admin and widget routers, and the Gradio chat mounted at /."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import Settings
from ..texts import APP_TITLE, t
from . import admin, api, widget
from .guard import GuardMiddleware, excerpt
from .lifecycle import AppState
from .plan import router as plan_router
from .responses import ApiError, error_response, on_api_error

log = logging.getLogger("assistant.web")

# Gradio routes that take files; the chat has no file components, so nobody may write files through them.
CLOSED_PATHS = ("/gradio_api/upload", "/gradio_api/process_recording", "/gradio_api/stream/")


class ClosedRoutes:
    """ASGI middleware: 404 with the API's JSON error shape for CLOSED_PATHS, before the body is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/").startswith(CLOSED_PATHS):
            await error_response(404, "not found")(scope, receive, send)
            return
        await self.app(scope, receive, send)


class AfterResponse:
    """ASGI middleware: tells the app state when an HTTP response has gone out, so work the answers do not need
    (opening the question log) starts after the first one instead of slowing it (`AppState.responded`)."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            self.state.responded()


def create_app(settings: Settings) -> FastAPI:
    """Build the app and start preparing the index in the background (/healthz says 503 until it is ready).

    The preparation starts first, so the model, the index snapshot and the warm-up search run while Gradio
    is imported and the page is built (start-up is their overlap, not their sum).
    """
    state = AppState(settings)
    state.start()
    from .ui import mount_ui  # Gradio is imported only when an app is built

    app = FastAPI(
        title=APP_TITLE,
        description="Sourced advice on building an e-commerce team, in Dutch and English.",
        version="0.1.0",
        lifespan=state.lifespan,
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
    app.add_middleware(ClosedRoutes)
    app.add_middleware(AfterResponse, state=state)
    # Outermost: refuses oversized or non-text bodies first and puts the security headers on every response.
    app.add_middleware(
        GuardMiddleware, max_body_bytes=settings.max_request_bytes, frame_ancestors=settings.allowed_origins
    )
    app.include_router(api.router)
    app.include_router(widget.router)
    app.include_router(admin.router)
    app.include_router(plan_router)
    app.add_exception_handler(ApiError, on_api_error)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:  # noqa: ARG001
        return error_response(422, validation_message(exc))

    @app.exception_handler(HTTPException)
    async def on_http(request: Request, exc: HTTPException) -> JSONResponse:  # noqa: ARG001
        detail = exc.detail if isinstance(exc.detail, str) else "request not accepted"
        return error_response(exc.status_code, excerpt(detail, 200), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001
        log.exception("unhandled error")
        return error_response(500, t("en", "server_error"))

    @app.api_route("/api/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
    async def unknown_api(rest: str) -> JSONResponse:
        """Unknown /api/ paths answer in the API's error shape, not with the chat page's 404 (Gradio is at /)."""
        return error_response(404, f"no such API endpoint: /api/{excerpt(rest, 60)}")

    from .plan_ui import plan_tab

    return mount_ui(app, state, extra_tabs=(plan_tab,))


def validation_message(exc: RequestValidationError) -> str:
    """FastAPI's validation errors as one short sentence: where and what, never the whole input echoed."""
    errors = exc.errors()
    if not errors:
        return "the request is not valid"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    msg = str(first.get("msg", "invalid value"))
    if first.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"invalid request: {excerpt(where, 60)}: {excerpt(msg, 160)}{more}"
