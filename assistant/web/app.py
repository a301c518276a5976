"""The app factory: FastAPI with the REST, admin and widget routers, and the Gradio chat mounted at /."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from ..config import Settings
from ..texts import APP_TITLE, t
from . import admin, api, widget
from .lifecycle import AppState
from .plan import router as plan_router
from .responses import ApiError, error_response, on_api_error

log = logging.getLogger("assistant.web")


def create_app(settings: Settings) -> FastAPI:
    """Build the app and start preparing the index in the background (/healthz says 503 until it is ready)."""
    from .ui import mount_ui  # Gradio is imported only when an app is built

    state = AppState(settings)
    app = FastAPI(
        title=APP_TITLE,
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
    app.include_router(api.router)
    app.include_router(widget.router)
    app.include_router(admin.router)
    app.include_router(plan_router)
    app.add_exception_handler(ApiError, on_api_error)

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001
        log.exception("unhandled error")
        return error_response(500, t("en", "server_error"))

    app = mount_ui(app, state)
    state.start()
    return app
