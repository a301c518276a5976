"""Shared fixtures: a real on-disk Chroma index built once from the real knowledge base."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.environment import offline_environment

# Before numpy loads: one BLAS thread in the test processes, as in the app's own (assistant/environment.py).
# Spinning BLAS threads after each small product took a core from the other xdist worker: 150 gold questions
# in one process cost 12.7 s of CPU with the default threads, 1.9 s with one.
# The index and the app (Chroma, the model, LangChain) are imported by the fixtures that use them, not here:
# xdist's controller loads this file too but runs no test, and loading them (1.5 s of CPU) delayed the start
# of both workers.
offline_environment()

import httpx  # noqa: E402
import pytest  # noqa: E402

from assistant.config import ROOT, Settings  # noqa: E402

if TYPE_CHECKING:
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


def _shared_index(root: Path) -> Path:
    """The index of the real knowledge base, made once per test run and shared by the xdist workers.

    Why: embedding every chunk and sentence is the suite's most expensive step, and its result does not
    depend on which process made it. The first worker to get here builds it under a file lock; the others
    wait for it. `make test` runs `python ingest.py` beside pytest: TEST_INDEX names its data folder and
    TEST_INDEX_DONE a file that holds its exit code once it has finished. That index is copied and brought up
    to date by a real ingest, which embeds nothing when the knowledge base is unchanged; if that ingest
    failed, the index is built here."""
    from filelock import FileLock

    from assistant.indexer import run_ingest

    shared = root / "shared-index"
    with FileLock(str(root / "shared-index.lock")):
        if (shared / "ready").exists():
            return shared / "data"
        shutil.rmtree(shared, ignore_errors=True)
        prebuilt = Path(os.environ["TEST_INDEX"]).resolve() if os.environ.get("TEST_INDEX") else None
        if prebuilt is not None and os.environ.get("TEST_INDEX_DONE"):
            done, deadline = Path(os.environ["TEST_INDEX_DONE"]), time.monotonic() + 240
            while not (done.exists() and done.read_text().strip()) and time.monotonic() < deadline:
                time.sleep(0.5)
            if not done.exists() or done.read_text().strip() != "0":
                prebuilt = None  # still running or failed (make test reports it): build here
        if prebuilt is not None and (prebuilt / "index").is_dir():
            copy_index(prebuilt, shared / "data")
            report = run_ingest(make_settings(shared / "data"))
            assert report.ok and (report.published or not report.changed), report.message
        else:
            report = run_ingest(make_settings(shared / "data"))
            assert report.published, report.message
        (shared / "ready").touch()
    return shared / "data"


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, worker_id) -> Path:
    """This worker's own copy of the shared index (the app writes feedback and logs into its data folder)."""
    base = tmp_path_factory.getbasetemp()
    shared = _shared_index(base.parent if worker_id != "master" else base)
    return copy_index(shared, tmp_path_factory.mktemp("index") / "data")


@pytest.fixture(scope="session")
def settings(built_index) -> Settings:
    return make_settings(built_index)


@pytest.fixture(scope="session")
def assistant(settings) -> Assistant:
    from assistant.service import Assistant

    return Assistant(settings)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, died: Callable[[], str | None], timeout: float, not_ready: Callable[[], str]) -> dict:
    """Poll /healthz until it says 200 (its JSON); RuntimeError as soon as `died` has something to say."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (why := died()) is not None:
            raise RuntimeError(why)
        try:
            r = httpx.get(f"{url}/healthz", timeout=2)
            if r.status_code == 200:
                return r.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(not_ready())


class AppServer:
    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, dirs_as_options: bool = False) -> None:
        """`python app.py` on a free port; the data folder comes from ASSISTANT_DATA_DIR, or with
        `dirs_as_options` from `--data-dir`/`--knowledge-dir` (and the process runs elsewhere)."""
        self.data_dir = data_dir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ASSISTANT_"))}
        self.env.update({"PYTHONUNBUFFERED": "1", **(env or {})})
        self.options = ["--data-dir", str(data_dir), "--knowledge-dir", str(KNOWLEDGE)] if dirs_as_options else []
        if not dirs_as_options:
            self.env.setdefault("ASSISTANT_DATA_DIR", str(data_dir))
        data_dir.mkdir(parents=True, exist_ok=True)
        self._start()

    def _start(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.data_dir / f"app-{self.port}.log"
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(self.port), *self.options],
            cwd=self.data_dir,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 180) -> dict:  # generous: two test workers share two cores
        """Healthy, or an error with the log. The port `free_port` found can be taken by another test worker
        before the app binds it: the app then exits at once, and starts again on a new port (twice at most)."""

        def exited() -> str | None:
            return f"app exited: {self.log.read_text()[-3000:]}" if self.proc.poll() is not None else None

        for attempt in range(3):
            try:
                return wait_healthy(self.url, exited, timeout, lambda: f"app not ready: {self.log.read_text()[-3000:]}")
            except RuntimeError:
                if attempt == 2 or "address already in use" not in self.log.read_text():
                    raise
                self._start()
        raise AssertionError("not reached: the last attempt returns or raises")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class LocalServer:
    """The app from the factory, served by uvicorn in a thread of the test process.

    Why: each `python app.py` subprocess pays the Gradio import (~10 s on this machine); tests that only
    speak HTTP to the app prove the same against this one. Tests about the process itself (signals, settings
    read from the environment at start-up, workers, crashes) keep using `AppServer`.
    Same surface as AppServer: `url`, `port`, `log` (a path in the data directory), `wait_ready`, `stop`."""

    def __init__(self, data_dir: Path, **overrides) -> None:
        import uvicorn

        from assistant.web import create_app
        from assistant.web.serve import offline_environment, uvicorn_options

        offline_environment()
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        self.settings = make_settings(data_dir, **overrides)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / f"app-{self.port}.log"  # tests find the data directory through it, as with AppServer
        self.log.touch()
        config = uvicorn.Config(
            create_app(self.settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            **uvicorn_options(self.settings),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"app-{self.port}", daemon=True)
        self.thread.start()

    def wait_ready(self, timeout: float = 180) -> dict:  # generous: two test workers share two cores
        def stopped() -> str | None:
            return None if self.thread.is_alive() else "in-process app stopped before it was ready"

        return wait_healthy(self.url, stopped, timeout, lambda: "in-process app not ready")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


@contextlib.contextmanager
def local_server(data_dir: Path, **overrides):
    server = LocalServer(data_dir, **overrides)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def app_server(built_index):
    """One in-process app for every test that only needs HTTP, with room for all their questions in a minute
    (the rate limit is tested with its own server in test_plan_web and test_widget)."""
    with local_server(built_index, rate_limit_per_minute=500, rate_limit_per_hour=5000) as server:
        yield server


def copy_index(built_index: Path, target: Path) -> Path:
    """A private copy of the session's index, for tests that change it (re-ingest, admin): copying takes
    a fraction of a second where building one takes tens."""
    shutil.copytree(built_index, target, ignore=shutil.ignore_patterns("*.lock", "*.log", "feedback*"))
    return target


@dataclass
class CliResult:
    """What `subprocess.run(..., capture_output=True, text=True)` gives, for in-process CLI calls."""

    returncode: int
    stdout: str
    stderr: str


def cli(args: list[str], env: dict[str, str] | None = None) -> CliResult:
    """Run the CLI's `main` in this process with only the given ASSISTANT_*/OPENAI_* variables set.

    Why: a `python -m assistant` subprocess costs 3–11 s of imports and proves nothing the parser and
    commands do not; tests/test_cli.py keeps real subprocess calls for exit codes and the entry point."""
    from assistant.cli import main

    saved = dict(os.environ)
    out, err = io.StringIO(), io.StringIO()
    try:
        for name in [k for k in os.environ if k.startswith(("OPENAI_", "ASSISTANT_"))]:
            del os.environ[name]
        os.environ.update(env or {})
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's --help and usage errors
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return CliResult(int(code or 0), out.getvalue(), err.getvalue())


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


DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}


class Pages:
    """New pages for the tests, in one browser context per locale for the whole test process.

    Why: a new context is a new browser window, which cost Chromium's browser process about 1.7 s of CPU each
    (measured: six chat-page loads and answers took 32 s of CPU in six contexts, 21 s as six pages of one);
    pages of one context also share the HTTP cache. What a test could leave behind for the next is what the
    app stores in the browser (the conversation, in localStorage) and cookies: `close` clears both in every
    frame of every page the test opened (popups too) and closes them, so every test starts as a new visitor.
    A context whose pages cannot be cleared (a crashed page) is closed and replaced."""

    def __init__(self, browser) -> None:
        self.browser = browser
        self.contexts: dict[str | None, object] = {}
        self.opened: list = []

    def new(self, viewport=DESKTOP, locale: str | None = None):
        if locale not in self.contexts:
            self.contexts[locale] = self.browser.new_context(viewport=DESKTOP, **({"locale": locale} if locale else {}))
        page = self.contexts[locale].new_page()
        if viewport != DESKTOP:
            page.set_viewport_size(viewport)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs
        self.opened.append((locale, page))
        return page

    def close(self) -> None:
        """Close every page the test had in these contexts (popups too), clearing what each stored."""
        for locale in {locale for locale, _ in self.opened}:
            context = self.contexts[locale]
            try:
                for page in context.pages:
                    for frame in page.frames:  # an embedded widget's frame is another origin
                        if frame.url.startswith("http"):
                            frame.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
                    page.close()
                context.clear_cookies()
            except Exception:  # noqa: BLE001 - whatever went wrong, the next test gets a fresh context
                self.contexts.pop(locale, None)
                context.close()
        self.opened.clear()

    def close_contexts(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="session")
def _contexts(browser):
    pages = Pages(browser)
    yield pages
    pages.close_contexts()


@pytest.fixture()
def pages(_contexts):
    """`pages.new(viewport, locale)`: a page as a new visitor; cleared and closed after the test."""
    yield _contexts
    _contexts.close()


# How `make test` spreads the suite over its two pytest-xdist workers (`--dist loadfile --no-loadscope-reorder`):
# xdist hands out one unit at a time, in collection order, to whichever worker is free. A unit is a test file,
# so a module's own server starts once, except in SPLIT_FILES: their tests share no module fixture (each
# starts its own processes or servers), so each is a unit of its own and the two workers share a long file.
# Order: first the units that need no index (`make test` runs the real ingest beside pytest and the index
# tests wait for it: these fill that wait), then the rest; within each, the long files first, longest first,
# and the short files fill in at the end, so the two workers finish together. (`--no-loadscope-reorder` keeps
# this order; xdist would otherwise hand out the files with the most tests first.)
LONG_FILES = (
    "test_fake_llm.py",
    "test_packaging.py",
    "test_faults.py",
    "test_server_mode.py",
    "test_eval.py",
    "test_browser.py",
    "test_hardening.py",
    "test_state.py",
    "test_llm.py",
    "test_reingest.py",
    "test_concurrency.py",
    "test_scope.py",
    "test_a11y.py",
    "test_admin.py",
    "test_unit_vectors.py",
    "test_units.py",
    "test_plan_web.py",
)
SPLIT_FILES = {"test_faults.py", "test_state.py", "test_llm.py", "test_reingest.py", "test_scope.py", "test_units.py"}


def unit_of(nodeid: str) -> str:
    """The unit of work xdist hands out whole (see above): the test file, or in SPLIT_FILES the test."""
    path = nodeid.split("::", 1)[0]
    return nodeid if path.rsplit("/", 1)[-1] in SPLIT_FILES else path


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, with the units of `unit_of`."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Units(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    return Units(config, log)


def pytest_collection_modifyitems(config, items):  # noqa: ARG001
    """Every test that drives chromium carries the `browser` marker (`-m "not browser"` skips them all);
    the units are put in the order above (each file's tests keep their order)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    waits = {unit_of(item.nodeid) for item in items if "built_index" in getattr(item, "fixturenames", ())}
    rank = {name: i for i, name in enumerate(LONG_FILES)}
    items.sort(key=lambda item: (unit_of(item.nodeid) in waits, rank.get(item.path.name, len(LONG_FILES))))
