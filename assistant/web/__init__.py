"""The web app: a FastAPI server with the REST API, the admin API, the widget and the Gradio chat.

app.py builds it (create_app), lifecycle.py holds what it runs (index preparation, re-ingest, feedback),
api.py / admin.py / widget.py are its routers, ui.py the chat page, serve.py runs it with uvicorn.
Importing this package imports neither Gradio nor uvicorn; building or serving an app does. It does not
import the app either (FastAPI, Chroma, the model): `create_app` is loaded when first used, so the process
that only starts uvicorn's workers (`serve` with ASSISTANT_WORKERS > 1) never loads what only they run.
Gradio's import is made cheaper first, for every process that builds the app (gradio_import.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .gradio_import import cheaper_gradio_import
from .serve import app_from_environment, serve

cheaper_gradio_import()

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["app_from_environment", "create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
