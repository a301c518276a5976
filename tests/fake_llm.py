"""A tiny, standard-library-only fake of an OpenAI-compatible chat-completions server.

Usage::

    with FakeLLM() as fake:
        fake.reply = "Hello [1]."
        client = openai.OpenAI(base_url=fake.base_url, api_key="x", max_retries=0)
        ...
        fake.mode = "error500"      # switch behaviour at any time
        assert fake.system_prompt().startswith("You are")
        assert fake.wait_idle(5)    # no connection to the model left open

Modes (``FakeLLM.mode``):

* ``"ok"``               normal answer; streams (SSE, chunked) when the request has ``"stream": true``.
* ``"error500"``         500 with an OpenAI-style error body.
* ``"error429"``         429 with ``Retry-After: 1`` and an error body.
* ``"retry_after"``      429 with ``Retry-After: <FakeLLM.retry_after>`` (whole seconds) and an error body.
* ``"hang"``             accepts the request, never answers (until the client hangs up or the server shuts down).
* ``"slow_first_token"`` like ``"ok"`` streaming, but waits 30 s before the first chunk.
* ``"break_midstream"``  streams the role chunk and ``cut_after`` (3) content chunks, then drops the connection.
* ``"cut_no_finish"``    streams the role chunk and ``cut_after`` content chunks, then closes the connection
                         cleanly: no ``finish_reason``, no ``[DONE]``. The body is delimited by the close (no
                         chunked encoding, no Content-Length), so the client sees a normal end of stream.
                         Non-streaming: a complete JSON answer holding those tokens with ``finish_reason: null``.
* ``"length"``           the reply (capped at the request's ``max_tokens`` / ``max_completion_tokens`` tokens,
                         if given) ending with ``finish_reason: "length"`` (then ``[DONE]`` when streaming).
* ``"garbage"``          200, ``application/json``, body ``<html>oops</html>``.

``fail_times = N`` makes a failure mode apply to the next N chat requests only; after that the server answers
as in ``"ok"`` (e.g. ``mode="retry_after", fail_times=1`` for "rate limited once, then fine").

Timing: ``delay`` before anything is sent, ``token_delay`` before each streamed chunk, ``answer_time`` the extra
time a whole answer takes (spread evenly over the streamed chunks; waited before a non-streaming answer). So
``FakeLLM(answer_time=1.0)`` is a model that takes ~1 s per answer. Waits end early when the client hangs up.

Counters: ``request_count`` (chat requests received), ``open_connections`` (TCP connections the server holds
right now), ``max_open_connections``, ``connections_total``; ``wait_idle(timeout)`` waits for no open connection.
The server is a ThreadingHTTPServer (one daemon thread per connection, listen backlog 1024), so many
concurrent requests are served in parallel.

Streaming responses use HTTP/1.1 ``Transfer-Encoding: chunked`` plus ``Connection: close`` so that a
dropped connection in ``break_midstream`` is seen by the client as an incomplete body (an error),
not as a normal end of stream (``cut_no_finish`` is the opposite on purpose).
"""

from __future__ import annotations

import json
import re
import select
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeLLM", "closed_port", "split_tokens", "MODES", "DEFAULT_REPLY"]

DEFAULT_REPLY = "Here is the advice [1]."
MODES = (
    "ok",
    "error500",
    "error429",
    "retry_after",
    "hang",
    "slow_first_token",
    "break_midstream",
    "cut_no_finish",
    "length",
    "garbage",
)
SLOW_FIRST_TOKEN_SECONDS = 30.0
_POLL = 0.05  # granularity of interruptible sleeps


def split_tokens(text: str) -> list[str]:
    """Split ``text`` into ~1-word pieces, keeping whitespace; ``"".join(result) == text``."""
    return re.findall(r"\s*\S+|\s+", text)


def closed_port() -> int:
    """Return a localhost port on which nothing listens (connections are refused)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # listen backlog: the default 5 drops SYNs (1 s client retry) under load

    def __init__(self, addr, handler, fake: FakeLLM):
        self.fake = fake
        self.handler_threads: list[threading.Thread] = []
        self._threads_lock = threading.Lock()
        super().__init__(addr, handler)

    def process_request(self, request, client_address):  # track handler threads for a clean exit
        self.fake._connection_opened()
        t = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name="FakeLLM-handler",
            daemon=True,
        )
        with self._threads_lock:
            self.handler_threads = [x for x in self.handler_threads if x.is_alive()]
            self.handler_threads.append(t)
        t.start()

    def _serve_connection(self, request, client_address) -> None:
        try:
            self.process_request_thread(request, client_address)  # closes the socket when done
        finally:
            self.fake._connection_closed()

    def handle_error(self, request, client_address):  # client went away etc.: stay quiet
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeLLM/1.0"
    timeout = 10  # never block forever on an idle socket

    server: _Server

    # ------------------------------------------------------------------ plumbing
    def log_message(self, format, *args):  # noqa: A002 - silence default logging
        pass

    def handle(self):
        try:
            super().handle()
        except (TimeoutError, BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            self.close_connection = True

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass

    @property
    def fake(self) -> FakeLLM:
        return self.server.fake

    def _send_json(self, status: int, obj: Any, extra_headers: dict[str, str] | None = None) -> None:
        body = json.dumps(obj).encode()
        self._send_bytes(status, body, "application/json", extra_headers)

    def _send_bytes(self, status: int, body: bytes, ctype: str, extra_headers=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    _chunked = True  # framing of the current streamed body: chunked, or ended by closing the connection

    def _write_chunk(self, data: bytes) -> None:
        if self._chunked:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        else:
            self.wfile.write(data)
        self.wfile.flush()

    def _sse(self, obj: Any) -> None:
        payload = obj if isinstance(obj, str) else json.dumps(obj)
        self._write_chunk(f"data: {payload}\n\n".encode())

    def _client_gone(self) -> bool:
        """True if the client closed its side (a readable socket with nothing to read)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _wait(self, seconds: float) -> bool:
        """Sleep interruptibly; False if the server is shutting down or the client hung up."""
        stopping = self.fake._stopping
        end = time.monotonic() + (seconds or 0.0)
        while True:
            if stopping.is_set() or self._client_gone():
                return False
            remaining = end - time.monotonic()
            if remaining <= 0:
                return True
            stopping.wait(min(_POLL, remaining))

    def _drop_connection(self) -> None:
        """Abruptly drop the connection (no terminating chunk)."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass

    # ------------------------------------------------------------------ routes
    def do_GET(self):
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            self._send_json(
                200,
                {
                    "object": "list",
                    "data": [{"id": "fake-model", "object": "model", "created": 0, "owned_by": "fake"}],
                },
            )
        else:
            self._not_found()

    def do_POST(self):
        path = self.path.split("?", 1)[0].rstrip("/")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path not in ("/v1/chat/completions", "/chat/completions"):
            self._not_found()
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send_json(400, {"error": {"message": "invalid JSON body", "type": "invalid_request_error"}})
            return
        fake = self.fake
        mode = fake._record(body)
        stream = bool(body.get("stream"))
        model = body.get("model") or "fake-model"
        pieces = split_tokens(fake.reply)

        if mode == "ok":
            if not self._wait(fake.delay):
                return self._drop_connection()
            if stream:
                self._stream(model, pieces)
            else:
                self._complete(model, body, pieces)
        elif mode == "error500":
            self._send_json(
                500,
                {
                    "error": {
                        "message": "fake internal server error",
                        "type": "server_error",
                        "param": None,
                        "code": None,
                    }
                },
            )
        elif mode in ("error429", "retry_after"):
            seconds = 1 if mode == "error429" else int(fake.retry_after)
            self._send_json(
                429,
                {
                    "error": {
                        "message": "fake rate limit exceeded",
                        "type": "rate_limit_exceeded",
                        "param": None,
                        "code": "rate_limit_exceeded",
                    }
                },
                {"Retry-After": str(seconds)},
            )
        elif mode == "hang":
            self._wait(float("inf"))
            self._drop_connection()
        elif mode == "slow_first_token":
            if not self._wait(SLOW_FIRST_TOKEN_SECONDS):
                return self._drop_connection()
            if stream:
                self._stream(model, pieces)
            else:
                self._complete(model, body, pieces)
        elif mode == "break_midstream":
            if not self._wait(fake.delay):
                return self._drop_connection()
            self._stream(model, pieces[: fake.cut_after], finish_reason=None)
        elif mode == "cut_no_finish":
            if not self._wait(fake.delay):
                return self._drop_connection()
            if stream:
                self._stream(model, pieces[: fake.cut_after], finish_reason=None, chunked=False)
            else:
                self._complete(model, body, pieces[: fake.cut_after], finish_reason=None)
        elif mode == "length":
            if not self._wait(fake.delay):
                return self._drop_connection()
            limit = body.get("max_completion_tokens") or body.get("max_tokens")
            if isinstance(limit, int) and limit > 0:
                pieces = pieces[:limit]
            if stream:
                self._stream(model, pieces, finish_reason="length")
            else:
                self._complete(model, body, pieces, finish_reason="length")
        elif mode == "garbage":
            self._send_bytes(200, b"<html>oops</html>", "application/json")
        else:
            err = {"message": f"unknown fake mode {mode!r}", "type": "server_error"}
            self._send_json(500, {"error": err})

    def _not_found(self):
        self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})

    # ------------------------------------------------------------------ payloads
    def _complete(self, model: str, body: dict, pieces: list[str], finish_reason: str | None = "stop") -> None:
        if not self._wait(self.fake.answer_time):
            return self._drop_connection()
        reply = "".join(pieces)
        prompt_tokens = sum(
            len(split_tokens(m.get("content") or "")) if isinstance(m.get("content"), str) else 1
            for m in body.get("messages") or []
            if isinstance(m, dict)
        )
        completion_tokens = len(pieces)
        self._send_json(
            200,
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply},
                        "logprobs": None,
                        "finish_reason": finish_reason,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
        )

    def _stream(self, model: str, pieces: list[str], finish_reason: str | None = "stop", chunked: bool = True) -> None:
        """Stream ``pieces`` as SSE chunks. ``finish_reason=None``: stop after them without a final chunk or
        ``[DONE]`` and close the connection -- abruptly mid-body when ``chunked`` (the client sees an error),
        cleanly when the body is close-delimited (``chunked=False``: the client sees a normal end of stream)."""
        fake = self.fake
        cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        pause = fake.token_delay + fake.answer_time / (len(pieces) + 1)

        def chunk(delta: dict, finish: str | None) -> dict:
            return {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            }

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self._chunked = chunked

        self._sse(chunk({"role": "assistant", "content": ""}, None))
        for piece in pieces:
            if not self._wait(pause):
                return self._drop_connection()
            self._sse(chunk({"content": piece}, None))
        if finish_reason is None:
            return self._drop_connection()
        if not self._wait(pause):
            return self._drop_connection()
        self._sse(chunk({}, finish_reason))
        self._sse("[DONE]")
        if chunked:
            self.wfile.write(b"0\r\n\r\n")  # terminating chunk
        self.wfile.flush()


class FakeLLM:
    """Context manager running a fake OpenAI-compatible server on 127.0.0.1:<free port>."""

    def __init__(
        self,
        mode: str = "ok",
        reply: str = DEFAULT_REPLY,
        delay: float = 0.0,
        token_delay: float = 0.0,
        answer_time: float = 0.0,
        retry_after: int = 1,
        cut_after: int = 3,
        fail_times: int | None = None,
    ):
        self.mode = mode
        self.reply = reply
        self.delay = delay
        self.token_delay = token_delay
        self.answer_time = answer_time
        self.retry_after = retry_after
        self.cut_after = cut_after
        self.fail_times = fail_times
        self.requests: list[dict] = []
        self.open_connections = 0
        self.max_open_connections = 0
        self.connections_total = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None
        self.base_url: str | None = None

    # -------------------------------------------------------------- lifecycle
    def __enter__(self) -> FakeLLM:
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler, self)
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL},
            name="FakeLLM-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # wakes up "hang" / "slow_first_token" handlers
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        with server._threads_lock:
            threads = list(server.handler_threads)
        deadline = time.monotonic() + 2
        for t in threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))

    # -------------------------------------------------------------- helpers
    def _record(self, body: dict) -> str:
        """Record a chat request and return the mode that applies to it (``fail_times`` counts down)."""
        with self._lock:
            self.requests.append(body)
            mode = self.mode
            if mode != "ok" and self.fail_times is not None:
                if self.fail_times <= 0:
                    return "ok"
                self.fail_times -= 1
            return mode

    def _connection_opened(self) -> None:
        with self._lock:
            self.open_connections += 1
            self.connections_total += 1
            self.max_open_connections = max(self.max_open_connections, self.open_connections)

    def _connection_closed(self) -> None:
        with self._lock:
            self.open_connections -= 1

    @property
    def request_count(self) -> int:
        """Chat-completions requests received (answered or not) since start or ``reset()``."""
        with self._lock:
            return len(self.requests)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until the server holds no open connection; True if it got there within ``timeout``."""
        deadline = time.monotonic() + timeout
        while self.open_connections > 0:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def _sleep(self, seconds: float) -> bool:
        """Sleep interruptibly; return False if the server is shutting down."""
        if not seconds or seconds <= 0:
            return not self._stopping.is_set()
        end = time.monotonic() + seconds
        while not self._stopping.is_set():
            remaining = end - time.monotonic()
            if remaining <= 0:
                return True
            self._stopping.wait(min(_POLL, remaining))
        return False

    @property
    def url(self) -> str | None:
        """Root URL without the /v1 suffix."""
        return None if self.port is None else f"http://127.0.0.1:{self.port}"

    def last_request(self) -> dict:
        with self._lock:
            if not self.requests:
                raise AssertionError("FakeLLM received no chat-completions request")
            return self.requests[-1]

    def last_messages(self) -> list[dict]:
        return list(self.last_request().get("messages") or [])

    def system_prompt(self) -> str | None:
        for m in self.last_messages():
            if isinstance(m, dict) and m.get("role") == "system":
                content = m.get("content")
                if isinstance(content, list):  # content-part form
                    return "".join(p.get("text", "") for p in content if isinstance(p, dict))
                return content
        return None

    def reset(self) -> None:
        """Clear recorded requests and counters (not ``open_connections``) and restore default behaviour."""
        with self._lock:
            self.requests.clear()
            self.connections_total = 0
            self.max_open_connections = self.open_connections
        self.mode = "ok"
        self.reply = DEFAULT_REPLY
        self.delay = 0.0
        self.token_delay = 0.0
        self.answer_time = 0.0
        self.retry_after = 1
        self.cut_after = 3
        self.fail_times = None
