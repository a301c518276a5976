"""Shared fixtures: a real on-disk Chroma index built once from the real knowledge base."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.config import ROOT, Settings
from assistant.indexer import run_ingest
from assistant.service import Assistant

try:  # real redis-server / PostgreSQL session fixtures (tests/services.py)
    from services import postgres_url, redis_url  # noqa: F401
except ImportError:  # pragma: no cover - if tests/ becomes a package
    from tests.services import postgres_url, redis_url  # noqa: F401

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

KNOWLEDGE = ROOT / "knowledge"


def make_settings(data_dir: Path, **overrides) -> Settings:
    """Settings that ignore the developer's environment and .env: tests choose every value."""
    base = dict(data_dir=data_dir, knowledge_dir=KNOWLEDGE, openai_api_key=None, openai_base_url=None)
    base.update(overrides)
    return Settings(_env_file=None, **base)


@pytest.fixture(autouse=True)
def _no_llm_env(monkeypatch):
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ASSISTANT_CHROMA_HOST"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def built_index(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("index")
    report = run_ingest(make_settings(data_dir))
    assert report.published, report.message
    return data_dir


@pytest.fixture(scope="session")
def settings(built_index) -> Settings:
    return make_settings(built_index)


@pytest.fixture(scope="session")
def assistant(settings) -> Assistant:
    return Assistant(settings)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ASSISTANT_"))}
        full_env.update({"ASSISTANT_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **(env or {})})
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log = data_dir / f"app-{self.port}.log"
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(self.port)],
            cwd=data_dir,
            env=full_env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 90) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited: {self.log.read_text()[-3000:]}")
            try:
                r = httpx.get(f"{self.url}/healthz", timeout=2)
                if r.status_code == 200:
                    return r.json()
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"app not ready: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def app_server(built_index) -> AppServer:
    server = AppServer(built_index)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


# Debian's chromium, driven by Playwright; nothing is downloaded. Flags keep it off the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()
