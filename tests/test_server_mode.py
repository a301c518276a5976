"""Server mode: the same ingest, search, ask and rollback against a real Chroma server over HTTP.

One `chroma run` server for the module; a part of the knowledge base keeps the embedding time short.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.indexer import run_ingest
from assistant.service import Assistant
from assistant.store import IndexStore
from tests.conftest import KNOWLEDGE, CliResult, free_port, make_settings
from tests.conftest import cli as run_cli

SUBSET = [
    f"{lang}/{path}"
    for lang in ("en", "nl")
    for path in ("roles/customer-service.md", "roles/digital-marketer.md", "roles/logistics.md", "guide/faq.md")
]

pytestmark = pytest.mark.slow  # starts a Chroma server process


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory) -> int:
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.skip("the chroma CLI is not installed next to this Python")
    where = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = (where / "server.log").open("w")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(where / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=where,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (where / "server.log").read_text()[-2000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "chroma server did not start"
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()


@pytest.fixture(scope="module")
def kb(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("server-kb") / "knowledge"
    for rel in SUBSET:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(KNOWLEDGE / rel, target / rel)
    return target


@pytest.fixture(scope="module")
def server_settings(chroma_port, kb, tmp_path_factory):
    return make_settings(
        tmp_path_factory.mktemp("server-data"), knowledge_dir=kb, chroma_host="127.0.0.1", chroma_port=chroma_port
    )


def cli(args: list[str], settings, port: int | None = None) -> CliResult:
    """The CLI in this process, pointed at the Chroma server; the server itself is the separate process."""
    return run_cli(
        args,
        {
            "ASSISTANT_DATA_DIR": str(settings.data_dir),
            "ASSISTANT_KNOWLEDGE_DIR": str(settings.knowledge_dir),
            "ASSISTANT_CHROMA_HOST": "127.0.0.1",
            "ASSISTANT_CHROMA_PORT": str(port or settings.chroma_port),
        },
    )


def test_ingest_search_and_ask_over_http(server_settings):
    first = run_ingest(server_settings)

    assert first.published and first.ok, first.message
    assert first.added == first.embedded == first.chunks > 30
    store = IndexStore(server_settings)
    assert store.where.startswith("Chroma server 127.0.0.1:")
    assert store.active_name() == first.version and store.info(first.version).state == "ready"
    assert not server_settings.index_dir.exists()  # nothing went to the on-disk store

    again = run_ingest(server_settings)
    assert not again.changed and again.unchanged == first.chunks and "No changes" in again.message
    assert store.active_name() == first.version

    assistant = Assistant(server_settings)
    result = assistant.search("Welke KPI's gebruik ik voor mijn klantenservice?")
    assert result.version == first.version
    assert result.hits[0].metadata["source"] in {"nl/roles/customer-service.md", "nl/guide/faq.md"}
    assert result.hits[0].lang == "nl" and result.relevant
    answer = assistant.ask("Which KPIs should my digital marketer track?")
    assert not answer.declined and answer.sources and answer.version == first.version
    assert {s.source for s in answer.sources} <= {"en/roles/digital-marketer.md", "en/guide/faq.md"}
    assert "digital market" in answer.answer.lower()  # about the marketer ("digital marketing specialist")


def test_cli_ingest_and_rollback_over_http_reach_a_running_reader(server_settings, kb):
    store = IndexStore(server_settings)
    assistant = Assistant(server_settings)
    before = assistant.search("the otter packing table").version
    (kb / "en" / "guide" / "packing.md").write_text(
        "---\nid: packing\ntitle: Packing table\n---\n# Packing table\n\n## The otter packing table\n\n"
        "Keep tape, boxes and the return labels on the otter packing table next to the door.\n"
    )

    out = cli(["ingest"], server_settings)

    assert out.returncode == 0, out.stderr
    assert "added 1, updated 0, removed 0" in out.stderr and "Published version" in out.stderr
    second = store.active_name()
    assert second != before and store.history()[:2] == [second, before]
    result = assistant.search("the otter packing table")
    assert result.version == second and result.hits[0].metadata["source"] == "en/guide/packing.md"

    out = cli(["ingest", "--rollback"], server_settings)

    assert out.returncode == 0, out.stderr
    assert store.active_name() == before
    result = assistant.search("the otter packing table")  # the same reader, next question
    assert result.version == before
    assert all(h.metadata["source"] != "en/guide/packing.md" for h in result.hits)

    # Publishing again moves on; old versions beyond the kept three are deleted on the server too.
    for i in range(3):
        (kb / "en" / "guide" / f"note-{i}.md").write_text(
            f"---\nid: note-{i}\ntitle: Note {i}\n---\n# Note {i}\n\n## Server note {i}\n\nNote {i}.\n"
        )
        assert run_ingest(server_settings).published
    assert set(store.version_names()) == set(store.history()[:3])
    assert len(store.version_names()) == 3 and before not in store.version_names()
    assert assistant.search("Server note 2").hits[0].metadata["source"] == "en/guide/note-2.md"


def test_unreachable_server_is_a_clear_error(server_settings):
    out = cli(["ingest"], server_settings, port=free_port())
    assert out.returncode == 2
    assert "Cannot reach the Chroma server at 127.0.0.1:" in out.stderr and "Traceback" not in out.stderr
