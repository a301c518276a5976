"""The embeddable chat: /widget.js for the host page, /widget for the iframe it opens.

The iframe may only be framed by the app itself and the allowed origins (CSP frame-ancestors); CORS keeps
/api/widget/config unreachable from other sites, so widget.js shows no bubble there.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..texts import TEXT, WIDGET_KEYS
from .lifecycle import AppState, app_state

STATIC = Path(__file__).resolve().parent.parent / "static"
_COLOR = re.compile(r"^#[0-9a-fA-F]{3,8}$")

router = APIRouter()
State = Annotated[AppState, Depends(app_state)]


def _texts_json() -> str:
    """The widget's texts from the one catalogue, as a JSON literal safe inside <script>."""
    texts = {lang: {k: TEXT[lang][k] for k in WIDGET_KEYS} for lang in ("en", "nl")}
    return json.dumps(texts, ensure_ascii=False).replace("<", "\\u003c")


@router.get("/widget.js", include_in_schema=False)
def widget_js() -> Response:
    return Response(
        (STATIC / "widget.js").read_text(encoding="utf-8"),
        media_type="application/javascript",
        headers={"Cache-Control": "public, max-age=600"},
    )


@router.get("/widget", include_in_schema=False)
def widget(state: State, lang: str = "en", color: str = "#2563eb", title: str = "") -> HTMLResponse:
    settings = state.settings
    ancestors = " ".join(["'self'", *settings.allowed_origins])
    page = (STATIC / "widget.html").read_text(encoding="utf-8")
    page = (
        page.replace("__LANG__", "nl" if lang == "nl" else "en")
        .replace("__COLOR__", color if _COLOR.match(color) else "#2563eb")
        .replace("__TITLE__", html.escape(title[:60] or TEXT[lang if lang == "nl" else "en"]["w_title"]))
        .replace("__TEXTS__", _texts_json())
        .replace("__MAXLEN__", str(settings.max_message_chars))
    )
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": f"frame-ancestors {ancestors}; default-src 'self'; "
            "script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline' 'self'",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/api/widget/config", tags=["widget"])
def widget_config(state: State) -> JSONResponse:
    """Reachable from a browser only on allowed origins (CORS): widget.js shows no bubble elsewhere."""
    labels = {lang: {"open": TEXT[lang]["w_open"], "close": TEXT[lang]["w_close"]} for lang in ("en", "nl")}
    return JSONResponse({"ok": True, "max_message_chars": state.settings.max_message_chars, "labels": labels})
