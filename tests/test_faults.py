"""Faults around the index: read-only data dir, full disk, Chroma down at start, a killed ingest.

Read-only and full file systems are real tmpfs mounts (needs root); skipped with the reason otherwise.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import AppServer, LocalServer, free_port, local_server

from assistant.config import ROOT
from assistant.environment import SERVER_THREADS
from assistant.store import IndexStore
from tests.conftest import KNOWLEDGE, make_settings


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode()[:100].strip()}); needs root")


@pytest.fixture()
def mounts(tmp_path):
    made: list[Path] = []

    def mount(name: str, size: str) -> Path:
        where = tmp_path / name
        _mount_tmpfs(where, size)
        made.append(where)
        return where

    yield mount
    for where in made:
        subprocess.run(["umount", str(where)], check=False)


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A bare environment, with one BLAS thread as the app sets for itself (the ingest here embeds until the
    disk is full: spinning BLAS threads cost the other test worker its core)."""
    base = {"ASSISTANT_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    return {**base, **SERVER_THREADS, **extra}


def test_read_only_data_dir_one_message_for_ingest_and_app(mounts, built_index):
    index_mb = sum(f.stat().st_size for f in (built_index / "index").rglob("*") if f.is_file()) >> 20
    data = mounts("ro", f"{index_mb + 20}m")  # a long-used index (many versions) outgrows a fixed size
    shutil.copytree(built_index / "index", data / "index")
    subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
    ingest = subprocess.run([sys.executable, str(ROOT / "ingest.py")], env=_env(data), capture_output=True, timeout=120)
    assert ingest.returncode == 2 and b"read-only" in ingest.stderr
    assert len(ingest.stderr.strip().splitlines()) == 1 and b"Traceback" not in ingest.stderr
    app = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "--port", str(free_port())],
        env=_env(data),
        capture_output=True,
        timeout=120,
        cwd="/tmp",
    )
    assert app.returncode == 2 and b"read-only" in app.stderr and b"Traceback" not in app.stderr
    assert len(app.stderr.strip().splitlines()) == 1


def test_full_disk_ingest_one_message(mounts):
    data = mounts("full", "3m")
    done = subprocess.run([sys.executable, str(ROOT / "ingest.py")], env=_env(data), capture_output=True, timeout=300)
    assert done.returncode == 2 and b"full" in done.stderr, done.stderr[-800:]
    assert b"Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_admin_status_hides_what_a_killed_ingest_left(built_index, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(built_index / "index", data / "index")
    store = IndexStore(make_settings(data))
    store.new_version({"embedding": "use", "chunks": 3})  # what a kill -9 mid-ingest leaves: state "building"
    partial = [n for n in store.version_names() if store.info(n).state == "building"]
    assert len(partial) == 1
    with local_server(data, admin_token="t0ken") as server:  # the app in this process: its answer is tested
        body = httpx.get(f"{server.url}/api/admin/status", headers={"Authorization": "Bearer t0ken"}).json()
    assert partial[0] not in body["versions"] and body["unfinished"] == partial
    assert body["active_version"] in body["versions"]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_app_recovers_when_chroma_comes_up_after_it(tmp_path, caplog, capfd):
    """The app in this process (a `python app.py` would add only its imports): what is tested is its retry
    loop against a real `chroma run` started late. Its log is the root logger's records at INFO, as `serve`
    sets them, plus anything written to the process's stderr (a thread's uncaught exception)."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.skip("the chroma CLI is not installed next to this Python")
    caplog.set_level(logging.INFO)
    kb = tmp_path / "knowledge"
    for rel in ("en/roles/customer-service.md", "nl/roles/customer-service.md", "en/guide/faq.md"):
        (kb / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(KNOWLEDGE / rel, kb / rel)
    port = free_port()
    server = LocalServer(
        tmp_path / "app", chroma_host="127.0.0.1", chroma_port=port, knowledge_dir=kb, index_retry_seconds=1
    )
    proc = None
    try:
        deadline = time.monotonic() + 90
        detail = ""
        while "Chroma" not in detail:  # the web server is up at once; the index is not, and says why
            assert time.monotonic() < deadline and server.thread.is_alive(), caplog.text[-2000:]
            try:
                health = httpx.get(f"{server.url}/healthz", timeout=2)
                assert health.status_code == 503
                detail = health.json()["detail"]
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        down = httpx.post(f"{server.url}/api/chat", json={"message": "KPIs for customer service?"}, timeout=10)
        assert down.status_code == 503 and "ingest.py" not in down.text and "Chroma" not in down.text
        assert "try again" in down.json()["error"]
        proc = subprocess.Popen(
            [str(chroma), "run", "--path", str(tmp_path / "db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp_path,
        )
        body = server.wait_ready(timeout=180)
        assert body["index_loaded"] and body["pid"] == os.getpid()
        up = httpx.post(f"{server.url}/api/chat", json={"message": "KPIs for customer service?"}, timeout=30)
        assert up.status_code == 200 and up.json()["sources"]
    finally:
        server.stop()
        if proc:
            proc.terminate()
            proc.wait(10)
    log = caplog.text + capfd.readouterr().err
    assert log.count("Index not ready") == 1 and "Traceback" not in log


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_two_workers_stay_up_and_answer_a_burst(built_index, tmp_path):
    """ASSISTANT_WORKERS=2: two stable processes (a restarted worker would show a new pid), no errors, and
    both serve the folder given with --data-dir (workers read settings from the environment, not argv)."""
    data = tmp_path / "data"
    shutil.copytree(built_index / "index", data / "index")
    version = IndexStore(make_settings(data)).active_name()
    server = AppServer(
        data, env={"ASSISTANT_WORKERS": "2", "ASSISTANT_RATE_LIMIT_PER_MINUTE": "1000"}, dirs_as_options=True
    )
    pids: set[int] = set()
    versions: set[str] = set()
    errors = 0
    try:
        server.wait_ready(timeout=150)
        # A worker accepts connections only once its own index is loaded: from the first 200 on, every new
        # connection reaches a worker that can answer, and within a few seconds both workers answer.
        ready: set[int] = set()
        until = time.monotonic() + 60
        while len(ready) < 2:
            assert time.monotonic() < until, ready
            r = httpx.get(f"{server.url}/healthz", timeout=5)
            assert r.status_code == 200, r.text
            ready.add(r.json()["pid"])
            versions.add(r.json()["index_version"])
            time.sleep(0.1)
        deadline = time.monotonic() + 6  # a burst (~15 questions); bench/load.py --workers 2 watches minutes
        while time.monotonic() < deadline:
            r = httpx.get(f"{server.url}/healthz", timeout=5)
            errors += r.status_code != 200
            pids.add(r.json()["pid"])
            chat = httpx.post(f"{server.url}/api/chat", json={"message": "KPIs for the marketer?"}, timeout=30)
            errors += chat.status_code != 200
            time.sleep(0.3)
    finally:
        server.stop()
    assert pids == ready and errors == 0, (pids, ready, errors)
    assert versions == {version}, versions
