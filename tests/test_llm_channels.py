"""LLM mode through the channels: the real app on a real port and the CLI, against the local model server."""

import asyncio
import concurrent.futures
import json
import threading
import time

import httpx
import pytest

from tests.conftest import cli, local_server
from tests.fake_llm import FakeLLM

LLM_ENV = {
    "ASSISTANT_LLM_MODEL": "fake-model",
    "ASSISTANT_LLM_FIRST_TOKEN_TIMEOUT": "2",
    "ASSISTANT_LLM_READ_TIMEOUT": "2",
    "ASSISTANT_LLM_MAX_RETRIES": "0",
    "ASSISTANT_LLM_BREAKER_FAILURES": "100",
    "ASSISTANT_RATE_LIMIT_PER_MINUTE": "0",  # the burst test below sends 60 questions from one address
    "ASSISTANT_RATE_LIMIT_PER_HOUR": "0",
}


@pytest.fixture(scope="module")
def llm_app(built_index):
    with FakeLLM() as fake:
        settings = {name.removeprefix("ASSISTANT_").lower(): value for name, value in LLM_ENV.items()}
        with local_server(built_index, openai_base_url=fake.base_url, **settings) as server:
            yield server, fake, server.wait_ready()


def test_health_reports_the_breaker_without_asking_the_model(llm_app):
    server, fake, health = llm_app
    assert health["llm"] == {"mode": "llm", "state": "closed", "consecutive_failures": 0}
    before = fake.request_count
    assert httpx.get(f"{server.url}/healthz", timeout=5).json()["llm_mode"] == "llm"
    assert fake.request_count == before


def test_rest_and_sse_treat_a_cut_stream_as_a_failure(llm_app):
    server, fake, _ = llm_app
    fake.reset()
    fake.mode = "cut_no_finish"
    body = httpx.post(f"{server.url}/api/chat", json={"message": "Which KPIs for customer service?"}, timeout=30).json()
    assert body["mode"] == "offline" and body["fallback"] is True
    with httpx.stream(
        "POST", f"{server.url}/api/chat/stream", json={"message": "Which KPIs for customer service?"}, timeout=30
    ) as resp:
        text = resp.read().decode()
    assert "event: reset" in text and '"fallback": true' in text
    fake.reset()


def test_an_owner_who_leaves_mid_stream_cancels_the_model_request(llm_app):
    server, fake, _ = llm_app
    fake.reset()
    fake.reply, fake.token_delay = "Start small and grow [1]. " * 60, 0.1
    with httpx.stream(
        "POST", f"{server.url}/api/chat/stream", json={"message": "in-house or outsource?"}, timeout=30
    ) as resp:
        event = ""
        for line in resp.iter_lines():
            event = line[7:] if line.startswith("event: ") else event
            if event == "token" and line.startswith("data: "):
                break
        # the model's words, not the offline answer (the 2 s first-token deadline can pass on a busy machine)
        assert '"Start' in line, line
        assert fake.open_connections == 1
    assert fake.wait_idle(5)  # the app closed its model connection after the owner went away
    fake.reset()


def test_an_owner_who_gives_up_on_a_whole_answer_cancels_the_model_request(llm_app):
    server, fake, _ = llm_app
    fake.reset()
    fake.reply, fake.token_delay = "Start small and grow [1]. " * 60, 0.1  # tens of seconds to the last token
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{server.url}/api/chat", json={"message": "in-house or outsource?"}, timeout=1.5)
    assert fake.request_count == 1
    # Not after the whole reply (300 tokens at 0.1 s: 30 s): the app noticed the owner left and hung up on the
    # model. Usually within a second; 3 s was missed once in CI with both test workers busy, so 10 s.
    assert fake.wait_idle(10)
    fake.reset()


def test_cli_ask_json_falls_back_on_a_cut_stream(built_index):
    with FakeLLM(mode="cut_no_finish") as fake:
        env = {**LLM_ENV, "ASSISTANT_DATA_DIR": str(built_index), "ASSISTANT_OPENAI_BASE_URL": fake.base_url}
        out = cli(["ask", "Which KPIs for customer service?", "--json"], env)
        body = json.loads(out.stdout)
        assert body["mode"] == "offline" and body["fallback"] is True and fake.request_count == 1


def test_thirty_owners_against_a_hung_model_get_the_fallback_and_nothing_is_left_behind(llm_app):
    """A model that accepts and never answers: every owner gets the offline answer after the first-token
    deadline, and 5 s later the app holds no model connection and no thread per request that waited."""
    server, fake, _ = llm_app
    fake.reset()

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=30) as client:
            asks = [
                client.post(f"{server.url}/api/chat", json={"message": f"Which KPIs for customer service? {i}"})
                for i in range(30)
            ]
            return await asyncio.gather(*asks)

    def run_burst() -> list[httpx.Response]:  # its own loop, in its own thread (Playwright may hold this one's)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, burst()).result(timeout=120)

    def app_threads() -> list[threading.Thread]:  # the model server runs in this process too: not the app's
        return [t for t in threading.enumerate() if t.name != "FakeLLM-handler"]

    assert all(r.status_code == 200 and r.json()["mode"] == "llm" for r in run_burst())  # pools at working size
    assert fake.wait_idle(5)
    threads_after_normal_load = len(app_threads())
    fake.mode = "hang"
    replies = run_burst()
    assert all(r.status_code == 200 and r.json()["fallback"] is True for r in replies), [r.text[:80] for r in replies]
    time.sleep(5)
    assert fake.open_connections == 0

    # A thread per hung request would leave 30 behind. Bounded pools (asyncio's default executor, which
    # resolves the model's address, and anyio's) may keep idle workers for a while and grow further when the
    # CPU is starved (+11 once in CI with two test workers and an eval beside them); other tests' threads
    # share this process. Half the requests' worth stays well below the leak this looks for. anyio's idle
    # workers leave after 10 s idle, checked when the pool is next used; a thread per request would stay.
    def settle(bound: int, seconds: float) -> int:
        settled = time.monotonic() + seconds
        while len(app_threads()) > bound and time.monotonic() < settled:
            time.sleep(0.5)
        return len(app_threads())

    # no longer than a few seconds: the pools keep their idle workers (no timer prunes them), so waiting
    # longer only idles this test worker (it took 15 s, and 31 s for the whole test, in CI)
    after_one = settle(threads_after_normal_load + 15, 3)
    if after_one > threads_after_normal_load + 15:
        # Still high: anyio's pool (at most 40 workers) grows to the burst's 30 when the first, normal burst
        # needed fewer, and prunes idle workers only on its next use, not on a timer (measured: 24 threads
        # before, 40 after, still 40 after 30 s). A leak grows with every burst, a bounded pool does not: a
        # second burst must not add half its requests' worth again.
        assert all(r.json()["fallback"] is True for r in run_burst())
        after_two = settle(after_one + 5, 5)
        assert after_two - after_one < 15, (threads_after_normal_load, after_one, [t.name for t in app_threads()])
    fake.reset()
