"""Several owners chatting on the page at once are served side by side, not one after another.

The real app (the factory's, served by uvicorn in this process: what is tested is Gradio's queue, not the
process) on a real port in LLM mode, against the local model server taking ~2 s per answer; two chats go
through Gradio's own queue (/gradio_api/call/<handler>, what the page uses). The assertion is about order, not
about seconds: the second chat's answer starts streaming before the first one's has finished.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.conftest import LocalServer
from tests.fake_llm import FakeLLM

LLM_SETTINGS = {
    "llm_model": "fake-model",
    "llm_first_token_timeout": 10,
    "llm_read_timeout": 10,
    "llm_max_retries": 0,
    "llm_breaker_failures": 100,
    "rate_limit_per_minute": 100,
}
QUESTIONS = ("Which KPIs for customer service?", "Who do we hire first for marketing?")


def _chat(url: str, question: str, marks: dict[str, float], api_name: str) -> None:
    """One chat through Gradio's queue; notes when the model's answer starts showing and when the chat ends."""
    started = httpx.post(
        f"{url}/gradio_api/call/{api_name}", json={"data": [question, [], {}, "EN"]}, timeout=30
    ).json()
    marks["queued"] = time.monotonic()
    with httpx.stream("GET", f"{url}/gradio_api/call/{api_name}/{started['event_id']}", timeout=60) as r:
        event = ""
        for line in r.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "generating" and "first" not in marks:
                if "Start with" in line:  # a piece of the model's reply is on screen
                    marks["first"] = time.monotonic()
            if event in ("complete", "error"):
                marks["end"] = time.monotonic()
                marks["ok"] = float(event == "complete")
                if line.startswith("data: "):
                    break


def _two_chats_at_once(url: str) -> list[dict[str, float]]:
    marks: list[dict[str, float]] = [{}, {}]
    threads = [
        threading.Thread(target=_chat, args=(url, q, m, name))
        for q, m, name in zip(QUESTIONS, marks, ("respond", "respond_1"), strict=True)
    ]
    threads[0].start()
    deadline = time.monotonic() + 30
    while "queued" not in marks[0] and time.monotonic() < deadline:  # the first chat is in the queue before
        time.sleep(0.02)  # the second is sent (a fixed 0.2 s was not enough once on a busy machine)
    threads[1].start()
    for t in threads:
        t.join(90)
    assert all(m.get("ok") == 1.0 and "first" in m for m in marks), marks
    return marks


@pytest.fixture(scope="module")
def slow_model():
    with FakeLLM(reply="Start with one support hire [1]. " * 8, answer_time=2.0) as fake:
        yield fake


def _app(built_index, fake: FakeLLM, **overrides) -> LocalServer:
    return LocalServer(built_index, **{**LLM_SETTINGS, "openai_base_url": str(fake.base_url), **overrides})


def test_two_chats_on_the_page_stream_at_the_same_time(built_index, slow_model):
    server = _app(built_index, slow_model)
    try:
        server.wait_ready()
        first, second = _two_chats_at_once(server.url)
    finally:
        server.stop()
    assert second["first"] < first["end"], "the second chat waited for the first to finish"


def test_with_a_limit_of_one_the_second_chat_waits(built_index, slow_model):
    """The setting is what makes the difference: set to 1 (Gradio's default), chats queue behind each other."""
    server = _app(built_index, slow_model, chat_concurrency=1)
    try:
        server.wait_ready()
        first, second = _two_chats_at_once(server.url)
    finally:
        server.stop()
    assert second["first"] > first["end"]


def test_every_queued_handler_of_the_page_gets_the_chats_room(tmp_path):
    """Gradio's default is one event at a time per handler: a handler left without the setting's limit
    (ui.py and plan_ui.py give it to each, not through `demo.queue()`) would make owners rating, switching
    language or making a plan wait on each other."""
    from assistant.web.lifecycle import AppState
    from assistant.web.plan_ui import plan_tab
    from assistant.web.ui import build_ui
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "data", chat_concurrency=7)
    demo = build_ui(AppState(settings), extra_tabs=(plan_tab,))
    queued = [fn for fn in demo.fns.values() if fn.queue]
    assert len(queued) >= 8, [fn.name for fn in queued]
    assert {fn.name: fn.concurrency_limit for fn in queued} == {fn.name: 7 for fn in queued}
