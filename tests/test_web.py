"""The app starts on a real port and answers through Gradio's client and the REST API."""

import json
import subprocess
import sys

import httpx
from gradio_client import Client


def test_healthz_reports_the_loaded_index(app_server):
    body = httpx.get(f"{app_server.url}/healthz").json()
    assert body["index_loaded"] and body["chunks"] > 100 and body["llm_mode"] == "offline"


def test_gradio_offers_no_public_api_scripts_use_rest(app_server):
    client = Client(app_server.url, verbose=False)  # the chat page's handlers are private; /ask is gone
    assert client.view_api(print_info=False, return_format="dict")["named_endpoints"] == {}


def test_rest_chat_answers_with_sources(app_server):
    r = httpx.post(
        f"{app_server.url}/api/chat",
        json={"message": "We are a two-person webshop, what team do we need first?"},
        timeout=30,
    )
    body = r.json()
    assert r.status_code == 200 and body["mode"] == "offline" and not body["declined"]
    assert body["sources"] and body["sources"][0]["source"].startswith("en/")


def test_rest_stream_sends_tokens_then_a_final_event(app_server):
    with httpx.stream(
        "POST", f"{app_server.url}/api/chat/stream", json={"message": "in-house or outsource?"}, timeout=30
    ) as r:
        events = [line[7:] for line in r.iter_lines() if line.startswith("event: ")]
        assert r.headers["content-type"].startswith("text/event-stream")
    assert events[0] == "token" and events[-1] == "final"


def test_bad_requests_get_clear_4xx_messages(app_server):
    empty = httpx.post(f"{app_server.url}/api/chat", json={"message": "   "})
    huge = httpx.post(f"{app_server.url}/api/chat", json={"message": "x" * 50_000})
    broken = httpx.post(
        f"{app_server.url}/api/chat", content=b"\xff\xfe not json", headers={"content-type": "application/json"}
    )
    assert empty.status_code == 400 and "question" in empty.json()["error"]
    assert huge.status_code == 413 and "too long" in huge.json()["error"]
    assert broken.status_code in (400, 422)
    assert "Traceback" not in empty.text + huge.text + broken.text


def test_feedback_is_stored_for_a_real_answer(app_server):
    answer = httpx.post(f"{app_server.url}/api/chat", json={"message": "KPIs for the marketer?"}, timeout=30).json()
    ok = httpx.post(
        f"{app_server.url}/api/feedback", json={"answer_id": answer["id"], "rating": "down", "comment": "too short"}
    )
    unknown = httpx.post(f"{app_server.url}/api/feedback", json={"answer_id": "nope", "rating": "up"})
    assert ok.json() == {"ok": True} and unknown.status_code == 404


def test_openapi_documents_the_api(app_server):
    spec = json.loads(httpx.get(f"{app_server.url}/openapi.json").text)
    assert {"/api/chat", "/api/chat/stream", "/api/feedback", "/healthz"} <= set(spec["paths"])


def test_gaps_report_groups_what_the_guidance_could_not_answer(app_server):
    from conftest import cli

    for q in (
        "what VAT rate do I charge in Germany?",
        "which VAT rate applies to customers in Belgium",
        "recipe for pancakes",
    ):
        assert httpx.post(f"{app_server.url}/api/chat", json={"message": q}, timeout=30).json()["declined"]
    out = cli(["report", "--days", "1", "--json"], {"ASSISTANT_DATA_DIR": str(app_server.log.parent)})
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    groups = [g["examples"] for g in report["declined_groups"]]
    vat = next(g for g in groups if any("VAT" in q for q in g))
    assert len(vat) == 2 and not any("pancakes" in q for q in vat)
    assert any(item["comment"] == "too short" for item in report["thumbs_down"])
    assert report["top_topics"]


def test_feedback_opt_out_stores_nothing(tmp_path):
    from conftest import make_settings

    from assistant.db import open_database
    from assistant.feedback import FeedbackStore

    store = FeedbackStore(open_database(make_settings(tmp_path, feedback_enabled=False)), enabled=False)
    assert not (tmp_path / "feedback.sqlite3").exists()
    assert store.record_rating("x", "up") is False


def test_follow_up_in_the_api_uses_the_conversation(app_server):
    history = [
        {"role": "user", "content": "Welke KPI's gebruik ik voor mijn klantenservice?"},
        {"role": "assistant", "content": "CSAT, reactietijd en oplossingspercentage."},
    ]
    body = httpx.post(
        f"{app_server.url}/api/chat", json={"message": "en voor de marketeer?", "history": history}, timeout=30
    ).json()
    assert not body["declined"] and body["lang"] == "nl"
    assert "verkeer" in body["answer"].lower()


def test_importing_the_web_package_sets_nothing_and_loads_no_ui():
    """The no-telemetry environment is set when an app is served, not as a side effect of an import."""
    import os
    import subprocess
    import sys

    from assistant.config import ROOT

    code = (
        "import os, sys; import assistant.web as w; "
        "assert callable(w.create_app) and callable(w.serve) and callable(w.app_from_environment); "
        "print(sorted(k for k in ('GRADIO_ANALYTICS_ENABLED', 'HF_HUB_OFFLINE', 'ANONYMIZED_TELEMETRY') "
        "if k in os.environ), 'gradio' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("GRADIO_ANALYTICS_ENABLED", "HF_HUB_OFFLINE")}
    env.pop("ANONYMIZED_TELEMETRY", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[] False"


def test_building_the_app_does_not_make_gradio_rewrite_its_type_stubs():
    """Gradio rewrites the .pyi stubs of its ~80 components on every import (reading and parsing each source
    file), and compiles the same docstring templates once per component: ~1.8 s of CPU at each start of the
    app or a worker (assistant/web/gradio_import.py). A new process imports the web package and Gradio and
    records every .pyi file it opens and every Jinja template compiled; the event listeners' docstrings still
    name their component."""
    probe = (
        "import sys, jinja2\n"
        "compiled = []\n"
        "compile_template = jinja2.Environment.compile\n"
        "def counted(self, *args, **kwargs):\n"
        "    compiled.append(1)\n"
        "    return compile_template(self, *args, **kwargs)\n"
        "jinja2.Environment.compile = counted\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: event == 'open' and str(args[0]).endswith('.pyi') and "
        "opened.append(args[0]))\n"
        "import assistant.web\n"
        "import gradio\n"
        "docs = [gradio.Button.click.__doc__, gradio.Textbox.change.__doc__, gradio.Chatbot.like.__doc__]\n"
        "assert 'the Button is clicked' in docs[0] and 'value of the Textbox' in docs[1], docs\n"
        "assert not any('{{' in doc for doc in docs), docs\n"
        "print(len(opened), len(compiled), opened[:3])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    pyi_opened, templates_compiled = map(int, out.stdout.split()[:2])
    assert pyi_opened == 0, out.stdout
    assert templates_compiled < 100, out.stdout  # one per distinct docstring (36 in Gradio 6.31), not 216
