"""Serve the app with uvicorn: one process, or several workers that each build their own app.

With several workers the first process only hands out the socket and watches the workers: it imports
neither the app (FastAPI, Chroma, the model, Gradio) nor anything else it does not run, so it is up in a
fraction of the time and leaves the CPU to the workers, which each build their own app.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Any

from ..config import Settings
from ..environment import offline_environment

if TYPE_CHECKING:
    from fastapi import FastAPI

WORKER_READY_SECONDS = 90


def app_from_environment() -> FastAPI:
    """Factory for uvicorn workers: each worker process reads the settings and builds its own app."""
    offline_environment()
    from .app import create_app

    settings = Settings()
    app = create_app(settings)
    # All workers share one listening socket: one that accepted before its index was loaded would answer
    # "starting" (503) while the others could answer. So a worker starts accepting once it is ready, or
    # after WORKER_READY_SECONDS (then it says "starting" like a single process does). Within uvicorn's
    # 120-s worker health check, which a separate thread answers meanwhile.
    if not app.state.assistant_state.wait_ready(WORKER_READY_SECONDS):
        logging.getLogger(__name__).warning("worker %s accepts before its index is ready", os.getpid())
    return app


SHUTDOWN_GRACE_SECONDS = 5


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """X-Forwarded-For is believed only from ASSISTANT_TRUSTED_PROXIES (uvicorn's own default trusts 127.0.0.1,
    which would let anyone on the machine, or a local proxy's clients, pick their own address).

    On shutdown, requests get SHUTDOWN_GRACE_SECONDS to finish: an open chat page keeps a Gradio event stream
    open, and uvicorn's default is to wait for it forever."""
    grace = {"timeout_graceful_shutdown": SHUTDOWN_GRACE_SECONDS}
    if not settings.trusted_proxies:
        return {"proxy_headers": False, "forwarded_allow_ips": "", **grace}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(settings.trusted_proxies), **grace}


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    import uvicorn

    offline_environment()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    host = host or settings.host
    port = port or settings.port
    from ..disk import storage_problem

    problem = None if settings.chroma_host else storage_problem(settings.data_dir)
    if problem and "read-only" in problem:
        # Chroma and the feedback database write even to read: nothing could be served. One line, no traceback.
        print(f"error: cannot start: {problem} (point ASSISTANT_DATA_DIR at a writable directory)", file=sys.stderr)
        raise SystemExit(2)
    print(f"E-commerce team assistant on http://{host}:{port}  (API docs: http://{host}:{port}/docs)", flush=True)
    if settings.workers > 1:
        # Several processes: each loads the index; the ingest lock makes the first start build it once.
        # Workers read their settings from the environment: hand them the folders given on the command line.
        os.environ["ASSISTANT_DATA_DIR"] = str(settings.data_dir)
        os.environ["ASSISTANT_KNOWLEDGE_DIR"] = str(settings.knowledge_dir)
        uvicorn.run(
            "assistant.web:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=settings.workers,
            log_level="warning",
            **uvicorn_options(settings),
            # uvicorn pings each worker and replaces it after 5 s without an answer; a worker busy importing
            # Gradio and loading the model on a shared CPU can take longer, so it was killed and restarted
            # over and over. Give start-up room; a hung worker is still replaced, just later.
            timeout_worker_healthcheck=120,
        )
    else:
        from .app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", **uvicorn_options(settings))
