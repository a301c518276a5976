"""The command line, as a maintainer or a script would call it."""

import json
import os
import subprocess
import sys

from assistant.config import ROOT
from assistant.errors import EmbeddingMismatchError
from assistant.service import Assistant
from tests.conftest import cli, make_settings


def in_process(args, data_dir, **env):
    """The CLI's main in this process: what search and ask print does not depend on being a new process."""
    return cli(args, {"ASSISTANT_DATA_DIR": str(data_dir), **env})


def run(args, data_dir, **env):
    """A real `python -m assistant` process: the entry point, exit codes and stderr as a script sees them."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ASSISTANT_"))}
    full.update({"ASSISTANT_DATA_DIR": str(data_dir), **env})
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=full, cwd=ROOT, timeout=120
    )


def test_search_json_lists_hits_best_first(built_index):
    out = in_process(["search", "which numbers for my marketer?", "--k", "3", "--json"], built_index)
    hits = json.loads(out.stdout)
    assert out.returncode == 0 and len(hits) == 3
    assert set(hits[0]) == {"text", "source", "section", "lang", "score", "relevant", "decided_by"}
    assert hits[0]["relevant"] is True and hits[0]["decided_by"].startswith("model")
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]


def test_ask_json_reports_mode_sources_and_decline(built_index):
    out = in_process(["ask", "Welke KPI's gebruik ik voor mijn klantenservice?", "--json"], built_index)
    body = json.loads(out.stdout)
    assert body["mode"] == "offline" and body["declined"] is False and body["fallback"] is False
    assert {"n", "source", "section", "text"} <= set(body["sources"][0])
    off = json.loads(in_process(["ask", "recipe for pancakes", "--json"], built_index).stdout)
    assert off["declined"] is True and off["sources"] == []


def test_ask_prints_the_answer_and_its_sources_in_the_askers_language(built_index):
    nl = in_process(["ask", "Welke KPI's gebruik ik voor mijn klantenservice?"], built_index).stdout
    assert "\nBronnen:\n  [1] " in nl and "Sources:" not in nl and "(nl/" in nl
    en = in_process(["ask", "Which KPIs for my customer service?"], built_index).stdout
    assert "\nSources:\n  [1] " in en and "(en/" in en


def test_missing_index_gives_an_actionable_message(tmp_path):
    out = run(["ask", "in-house or outsource?"], tmp_path / "empty")
    assert out.returncode == 2
    assert "python ingest.py" in out.stderr and "Traceback" not in out.stderr


def test_ingest_summary_and_no_changes(built_index):
    out = run(["ingest"], built_index)
    assert out.returncode == 0
    assert "28 documents" in out.stderr and "No changes" in out.stderr


def test_index_built_with_another_embedding_says_to_reingest(built_index):
    settings = make_settings(built_index, embedding_provider="openai", openai_api_key="sk-test")
    assistant = Assistant(settings)
    try:
        assistant.search("in-house or outsource?")
    except EmbeddingMismatchError as exc:
        assert "Re-ingest" in str(exc) and "sk-test" not in str(exc)
    else:
        raise AssertionError("mismatch not detected")


def test_serve_with_workers_starts_them_without_loading_the_app_itself(tmp_path):
    """With ASSISTANT_WORKERS=2 the first process only hands the socket to uvicorn's workers, which build the
    app: it must not load Chroma, FastAPI or Gradio itself (1.4 s of CPU and 60 MB, next to two workers that
    are loading them at the same time). The real `serve` command runs up to the point where uvicorn would
    start the workers, and reports what that process has loaded."""
    probe = (
        "import sys, uvicorn\n"
        "def run(*args, **kwargs):\n"
        "    print(kwargs['workers'], sorted(m for m in ('chromadb', 'fastapi', 'gradio') if m in sys.modules))\n"
        "uvicorn.run = run\n"
        "from assistant.cli import main\n"
        f"sys.exit(main(['serve', '--data-dir', {str(tmp_path / 'data')!r}, '--port', '7999']))\n"
    )
    full = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ASSISTANT_"))}
    full["ASSISTANT_WORKERS"] = "2"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=full, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "2 []", out.stdout
