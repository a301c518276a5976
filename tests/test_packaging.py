"""The built wheel, installed NON-editable into a fresh venv and run from a folder outside the source tree,
serves the chat and the widget from a guidance folder given with --knowledge-dir.

To stay fast the venv installs only the wheel (`--no-deps`) and borrows the shared venv's dependencies
through a plain path in a .pth file (which does not run that venv's editable-install hook), so the
`assistant` that runs can only be the installed copy; the test checks that it is.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import KNOWLEDGE, free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
GUIDE = """---
id: packing-station
title: Packing station lead
type: guide
lang: en
---
# Packing station lead

## What the packing station lead does

The packing station lead in our Zwolle warehouse checks every parcel against the order, keeps the
packing tables stocked with boxes and tape, and trains seasonal packers before the December peak.
"""


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ASSISTANT_", "PYTHON"))}
    env.update({"GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False", "PYTHONUNBUFFERED": "1"})
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the sources, so the build leaves nothing behind in the work tree."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "assistant", src / "assistant", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(src)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    (whl,) = out.glob("ecommerce_team_assistant-*.whl")
    return whl


def test_the_wheel_ships_the_static_files_and_every_subpackage(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "assistant/static/widget.js" in names and "assistant/static/widget.html" in names
    assert "assistant/web/app.py" in names and "assistant/cli.py" in names
    assert "assistant/scope_topics.yaml" in names and "assistant/scope_weights.yaml" in names  # data scope.py loads
    meta = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    assert "Provides-Extra: documents" in text
    # PDF/DOCX readers are an extra, not a core dependency
    core = [line for line in text.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert not any("pypdf" in line or "python-docx" in line for line in core), core


def test_installed_package_serves_chat_and_widget_from_any_guidance_folder(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    site_dir = Path(
        subprocess.run(
            [py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], capture_output=True, text=True
        ).stdout.strip()
    )
    (site_dir / "_shared_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )

    # a guidance folder and a data folder far from the repo, and a working directory with no sources in it
    kb = tmp_path / "guidance"
    (kb / "en" / "guide").mkdir(parents=True)
    (kb / "en" / "guide" / "packing-station.md").write_text(GUIDE, encoding="utf-8")
    shutil.copy(KNOWLEDGE / "en" / "roles" / "customer-service.md", kb / "en" / "guide" / "customer-service.md")
    data = tmp_path / "data"
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = _clean_env()

    where = subprocess.run(
        [py, "-c", "import assistant; print(assistant.__file__)"], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert where.stdout.strip().startswith(str(site_dir)), where.stdout + where.stderr

    ingest = subprocess.run(
        [py, "-m", "assistant", "ingest", "--knowledge-dir", str(kb), "--data-dir", str(data)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ingest.returncode == 0, ingest.stderr

    for _attempt in range(3):  # a free port can be taken by another test worker before the app binds it
        port = free_port()
        log = (tmp_path / "app.log").open("w")
        cmd = [py, "-m", "assistant", "serve", "--port", str(port), "--knowledge-dir", str(kb), "--data-dir", str(data)]
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        while proc.poll() is None and not _serving(url) and time.monotonic() - started < 120:
            time.sleep(0.3)  # until it serves or exits (a port taken meanwhile: exits at once, and we retry)
        if proc.poll() is None or "address already in use" not in (tmp_path / "app.log").read_text():
            break
    try:
        _wait_healthy(url, proc, tmp_path / "app.log")
        js = httpx.get(f"{url}/widget.js", timeout=10)
        assert js.status_code == 200 and "javascript" in js.headers["content-type"] and len(js.text) > 500
        page = httpx.get(f"{url}/widget", timeout=10)
        assert page.status_code == 200 and "<html" in page.text.lower()
        r = httpx.post(f"{url}/api/chat", json={"message": "What does the packing station lead do?"}, timeout=60)
        body = r.json()
        assert r.status_code == 200 and not body["declined"], body
        assert "Zwolle" in body["answer"] and body["sources"][0]["source"] == "en/guide/packing-station.md"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert not (cwd / "data").exists() and not (ROOT / "build").exists()


def _serving(url: str) -> bool:
    try:
        httpx.get(f"{url}/healthz", timeout=2)
        return True
    except httpx.HTTPError:
        return False


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"app exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"app not ready: {log.read_text()[-3000:]}")
