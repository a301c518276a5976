"""The app's outer layer: request size and encoding checks, and the security headers every response carries.

A pure ASGI middleware (not a FastAPI dependency) so that it covers every route, the Gradio app mounted at
`/` included, and so that a bad body is refused before any route parses it. Why each check:

- a total body limit (history included): a 200 kB JSON body is refused with 413 before it is parsed;
- the body must be UTF-8 and, when JSON, free of lone surrogates (`"\\ud800"` parses in Python but cannot be
  encoded again, so it used to fail deep inside the answer path with a 500 and a dropped connection);
- `X-Content-Type-Options`, `Referrer-Policy` and a CSP `frame-ancestors` everywhere, so no page of the app
  can be framed by a site that is not on the same allowed-origins list as the widget.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_ERROR_CHARS = 300  # error messages quote at most this much of anything the client sent


def excerpt(text: str, limit: int = 60) -> str:
    """A short, printable excerpt of client input for an error message (never the whole input)."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in text[:limit])
    return clean + ("…" if len(text) > limit else "")


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def body_problem(body: bytes, content_type: str) -> str | None:
    """Why this body cannot be accepted as text, or None when it can."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the request body is not valid UTF-8 text"
    if "\x00" in text:
        return "the request contains a NUL character"
    if "json" in content_type:
        try:
            data = json.loads(text)
        except ValueError:
            return None  # malformed JSON: the route's own validation answers (same error shape)
        except RecursionError:
            return "the request JSON is nested too deeply"
        if _has_lone_surrogate(data):
            return "the request contains characters that are not valid text (a lone UTF-16 surrogate)"
    return None


class GuardMiddleware:
    """Body limit + text check on the way in, security headers on the way out."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, frame_ancestors: list[str]) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.csp = "frame-ancestors " + " ".join(["'self'", *frame_ancestors])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._with_headers(send)
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await _refuse(send, 413, self._too_large())
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await _refuse(send, 413, self._too_large())
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        problem = body_problem(body, headers.get("content-type", "")) if body else None
        if problem:
            await _refuse(send, 400, problem)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> str:
        return f"the request is too large: at most {self.max_body_bytes} bytes (message and history together)"

    def _with_headers(self, send: Send) -> Send:
        csp = self.csp.encode()

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                present = {k.lower() for k, _ in raw}
                if b"x-content-type-options" not in present:
                    raw.append((b"x-content-type-options", b"nosniff"))
                if b"referrer-policy" not in present:
                    raw.append((b"referrer-policy", b"strict-origin-when-cross-origin"))
                if b"content-security-policy" not in present:  # the widget sets its own, stricter one
                    raw.append((b"content-security-policy", csp))
                message["headers"] = raw
            await send(message)

        return wrapped


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
