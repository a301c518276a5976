"""Tests for the fake OpenAI-compatible server in tests/fake_llm.py (real openai + langchain clients)."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import openai
import pytest
from langchain_openai import ChatOpenAI

try:
    from fake_llm import DEFAULT_REPLY, FakeLLM, closed_port, split_tokens
except ImportError:  # pragma: no cover - if tests/ becomes a package
    from tests.fake_llm import DEFAULT_REPLY, FakeLLM, closed_port, split_tokens

pytestmark = pytest.mark.timeout(30)

MSGS = [
    {"role": "system", "content": "You are a helpful e-commerce assistant."},
    {"role": "user", "content": "hi"},
]


@pytest.fixture
def fake():
    with FakeLLM() as f:
        yield f


def oa_client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="x", max_retries=0, timeout=httpx.Timeout(3, connect=1))


def lc_model(base_url: str) -> ChatOpenAI:
    return ChatOpenAI(base_url=base_url, api_key="x", model="fake-model", max_retries=0, timeout=3, streaming=True)


def oa_stream(client: openai.OpenAI, parts: list[str]) -> str:
    """Stream a completion, appending each content piece to ``parts`` as it arrives."""
    stream = client.chat.completions.create(model="fake-model", messages=MSGS, stream=True)
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
    return "".join(parts)


def lc_stream(model: ChatOpenAI, parts: list[str]) -> str:
    for chunk in model.stream("hi"):
        if chunk.content:
            parts.append(chunk.content)
    return "".join(parts)


# --------------------------------------------------------------------------- helpers / basics


def test_split_tokens_roundtrip():
    for text in [DEFAULT_REPLY, "  lead and trail  ", "one", "", "a\n\nb  c"]:
        assert "".join(split_tokens(text)) == text
    assert split_tokens(DEFAULT_REPLY) == ["Here", " is", " the", " advice", " [1]."]


def test_base_url_and_models(fake):
    assert fake.base_url.startswith("http://127.0.0.1:") and fake.base_url.endswith("/v1")
    models = oa_client(fake.base_url).models.list()
    assert [m.id for m in models.data] == ["fake-model"]


def test_ok_non_streaming_and_recording(fake):
    client = oa_client(fake.base_url)
    resp = client.chat.completions.create(model="fake-model", messages=MSGS)
    assert resp.choices[0].message.content == DEFAULT_REPLY
    assert resp.choices[0].finish_reason == "stop"
    assert resp.object == "chat.completion"
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens

    fake.reply = "Something else."
    resp = client.chat.completions.create(model="fake-model", messages=[{"role": "user", "content": "2nd"}])
    assert resp.choices[0].message.content == "Something else."

    assert len(fake.requests) == 2
    assert fake.requests[0]["messages"] == MSGS
    assert fake.requests[0]["model"] == "fake-model"
    assert fake.last_messages() == [{"role": "user", "content": "2nd"}]
    assert fake.system_prompt() is None


def test_system_prompt_helper(fake):
    oa_client(fake.base_url).chat.completions.create(model="fake-model", messages=MSGS)
    assert fake.system_prompt() == "You are a helpful e-commerce assistant."
    assert fake.last_messages()[-1] == {"role": "user", "content": "hi"}


def test_ok_streaming_openai(fake):
    client = oa_client(fake.base_url)
    stream = client.chat.completions.create(model="fake-model", messages=MSGS, stream=True)
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[0].choices[0].delta.content == ""
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == DEFAULT_REPLY
    assert len(chunks) == 1 + len(split_tokens(DEFAULT_REPLY)) + 1
    assert fake.requests[-1]["stream"] is True


def test_ok_streaming_langchain(fake):
    fake.reply = "Multi word  reply\nwith  whitespace [2]."
    assert lc_stream(lc_model(fake.base_url), []) == fake.reply
    assert fake.requests[-1]["stream"] is True
    assert fake.last_messages() == [{"role": "user", "content": "hi"}]


def test_raw_sse_wire_format(fake):
    body = {"model": "fake-model", "messages": MSGS, "stream": True}
    with httpx.Client(timeout=3) as c:
        r = c.post(fake.base_url + "/chat/completions", json=body)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    events = [e for e in r.text.split("\n\n") if e]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"
    payloads = [json.loads(e[len("data: ") :]) for e in events[:-1]]
    assert payloads[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert payloads[-1]["choices"][0]["delta"] == {}
    assert payloads[-1]["choices"][0]["finish_reason"] == "stop"


def test_delay_and_token_delay(fake):
    fake.delay = 0.3
    fake.token_delay = 0.05
    client = oa_client(fake.base_url)
    t0 = time.monotonic()
    stream = client.chat.completions.create(model="fake-model", messages=MSGS, stream=True)
    arrivals = []
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append(time.monotonic() - t0)
    assert arrivals[0] >= 0.3
    assert arrivals[-1] - arrivals[0] >= 0.05 * (len(arrivals) - 1) * 0.8

    t0 = time.monotonic()
    client.chat.completions.create(model="fake-model", messages=MSGS)
    assert time.monotonic() - t0 >= 0.3


# --------------------------------------------------------------------------- failure modes


def test_error500(fake):
    fake.mode = "error500"
    client = oa_client(fake.base_url)
    with pytest.raises(openai.InternalServerError) as ei:
        client.chat.completions.create(model="fake-model", messages=MSGS)
    assert ei.value.status_code == 500
    with pytest.raises(openai.InternalServerError):
        oa_stream(client, [])
    with pytest.raises(openai.InternalServerError):
        lc_stream(lc_model(fake.base_url), [])
    assert len(fake.requests) == 3  # recorded even when failing; no retries


def test_error429(fake):
    fake.mode = "error429"
    client = oa_client(fake.base_url)
    with pytest.raises(openai.RateLimitError) as ei:
        client.chat.completions.create(model="fake-model", messages=MSGS)
    assert ei.value.response.headers["retry-after"] == "1"
    assert ei.value.body["type"] == "rate_limit_exceeded"
    with pytest.raises(openai.RateLimitError):
        lc_stream(lc_model(fake.base_url), [])


def test_hang_times_out_openai(fake):
    fake.mode = "hang"
    t0 = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        oa_client(fake.base_url).chat.completions.create(model="fake-model", messages=MSGS)
    assert 2.5 <= time.monotonic() - t0 < 5


def test_hang_times_out_langchain(fake):
    fake.mode = "hang"
    t0 = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        lc_stream(lc_model(fake.base_url), [])
    assert 2.5 <= time.monotonic() - t0 < 5


def test_slow_first_token_times_out(fake):
    fake.mode = "slow_first_token"
    parts: list[str] = []
    t0 = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        oa_stream(oa_client(fake.base_url), parts)
    assert 2.5 <= time.monotonic() - t0 < 5
    assert parts == []


@pytest.mark.parametrize("which", ["openai", "langchain"])
def test_break_midstream(fake, which):
    fake.mode = "break_midstream"
    parts: list[str] = []
    with pytest.raises(Exception) as ei:
        if which == "openai":
            oa_stream(oa_client(fake.base_url), parts)
        else:
            lc_stream(lc_model(fake.base_url), parts)
    # a dropped connection, not a timeout
    assert isinstance(ei.value, openai.APIConnectionError)
    assert not isinstance(ei.value, openai.APITimeoutError)
    # the partial text arrived before the failure
    assert "".join(parts) == "".join(split_tokens(DEFAULT_REPLY)[:3]) == "Here is the"


def test_garbage(fake):
    fake.mode = "garbage"
    # openai: JSONDecodeError (a ValueError) on the body; langchain: "No generation chunks were returned"
    with pytest.raises((ValueError, openai.APIError)):
        oa_client(fake.base_url).chat.completions.create(model="fake-model", messages=MSGS)
    with pytest.raises((ValueError, openai.APIError)):
        lc_stream(lc_model(fake.base_url), [])
    with httpx.Client(timeout=3) as c:
        r = c.post(fake.base_url + "/chat/completions", json={"messages": MSGS})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.text == "<html>oops</html>"


def test_mode_switch_back_to_ok(fake):
    client = oa_client(fake.base_url)
    fake.mode = "error500"
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="fake-model", messages=MSGS)
    fake.mode = "ok"
    resp = client.chat.completions.create(model="fake-model", messages=MSGS)
    assert resp.choices[0].message.content == DEFAULT_REPLY


def test_closed_port_connection_error():
    port = closed_port()
    base = f"http://127.0.0.1:{port}/v1"
    t0 = time.monotonic()
    with pytest.raises(openai.APIConnectionError) as ei:
        oa_client(base).chat.completions.create(model="fake-model", messages=MSGS)
    assert not isinstance(ei.value, openai.APITimeoutError)
    with pytest.raises(openai.APIConnectionError):
        lc_stream(lc_model(base), [])
    assert time.monotonic() - t0 < 3


# --------------------------------------------------------------------------- shutdown hygiene


def test_shutdown_is_not_blocked_by_hanging_request():
    fake = FakeLLM(mode="hang").__enter__()
    sock = socket.create_connection(("127.0.0.1", fake.port), timeout=2)
    try:
        body = json.dumps({"model": "fake-model", "messages": MSGS}).encode()
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        deadline = time.monotonic() + 2
        while not fake.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(fake.requests) == 1
        t0 = time.monotonic()
        fake.__exit__(None, None, None)
        assert time.monotonic() - t0 < 1.0
        assert sock.recv(1024) == b""  # closed without an answer
    finally:
        sock.close()
    alive = [t for t in threading.enumerate() if t.name.startswith("FakeLLM")]
    assert alive == []


def test_threads_cleaned_up_after_context():
    with FakeLLM() as f:
        oa_client(f.base_url).chat.completions.create(model="fake-model", messages=MSGS)
        f.mode = "slow_first_token"
        outcome: list[BaseException] = []

        def client_call():
            try:
                oa_stream(oa_client(f.base_url), [])
            except BaseException as e:  # noqa: BLE001 - expected: connection dropped at shutdown
                outcome.append(e)

        caller = threading.Thread(target=client_call, daemon=True)
        caller.start()
        deadline = time.monotonic() + 2
        while len(f.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    caller.join(timeout=2)
    assert not caller.is_alive()
    assert outcome and isinstance(outcome[0], openai.APIConnectionError)  # dropped, not answered
    alive = [t for t in threading.enumerate() if t.name.startswith("FakeLLM")]
    assert alive == []


# --------------------------------------------------------------------------- modes for issue #12


def raw_stream(fake, body: dict) -> tuple[httpx.Response, bytes]:
    with httpx.Client(timeout=3) as c, c.stream("POST", fake.base_url + "/chat/completions", json=body) as r:
        return r, r.read()


def sse_payloads(raw: bytes) -> list:
    events = [e for e in raw.decode().split("\n\n") if e]
    assert all(e.startswith("data: ") for e in events)
    return [e[len("data: ") :] if e == "data: [DONE]" else json.loads(e[len("data: ") :]) for e in events]


def test_cut_no_finish_wire_format(fake):
    fake.mode = "cut_no_finish"
    r, raw = raw_stream(fake, {"model": "fake-model", "messages": MSGS, "stream": True})
    assert r.status_code == 200
    assert r.headers["connection"] == "close"
    assert "transfer-encoding" not in r.headers and "content-length" not in r.headers  # ended by the close
    payloads = sse_payloads(raw)
    assert "[DONE]" not in payloads
    assert [p["choices"][0]["finish_reason"] for p in payloads] == [None] * 4  # role chunk + 3 tokens
    assert "".join(p["choices"][0]["delta"]["content"] for p in payloads) == "Here is the"
    assert fake.wait_idle(2)


def test_cut_no_finish_openai_stream_ends_without_error(fake):
    """What the openai SDK does with a cleanly closed stream: it just ends. No exception, no finish_reason."""
    fake.mode = "cut_no_finish"
    chunks = list(oa_client(fake.base_url).chat.completions.create(model="fake-model", messages=MSGS, stream=True))
    assert [c.choices[0].finish_reason for c in chunks] == [None, None, None, None]
    assert chunks[-1].choices[0].delta.content == " the"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Here is the"


def test_cut_no_finish_langchain_stream_has_no_finish_reason(fake):
    fake.mode = "cut_no_finish"
    fake.cut_after = 2
    chunks = list(lc_model(fake.base_url).stream("hi"))  # no exception either
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    assert full.content == "Here is"
    assert "finish_reason" not in full.response_metadata
    # a complete answer, for contrast, carries finish_reason "stop"
    fake.mode = "ok"
    assert lc_model(fake.base_url).invoke("hi").response_metadata["finish_reason"] == "stop"


def test_cut_no_finish_non_streaming_has_null_finish_reason(fake):
    fake.mode = "cut_no_finish"
    resp = oa_client(fake.base_url).chat.completions.create(model="fake-model", messages=MSGS)
    assert resp.choices[0].message.content == "Here is the"
    assert resp.choices[0].finish_reason is None
    assert resp.usage.completion_tokens == 3
    msg = ChatOpenAI(base_url=fake.base_url, api_key="x", model="fake-model", max_retries=0, timeout=3).invoke("hi")
    assert msg.content == "Here is the"
    assert msg.response_metadata["finish_reason"] is None


def test_length_streaming(fake):
    fake.mode = "length"
    r, raw = raw_stream(fake, {"model": "fake-model", "messages": MSGS, "stream": True, "max_tokens": 2})
    assert r.headers["transfer-encoding"] == "chunked"
    payloads = sse_payloads(raw)
    assert payloads[-1] == "[DONE]"
    assert payloads[-2]["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "length"}
    assert "".join(p["choices"][0]["delta"].get("content", "") for p in payloads[:-1]) == "Here is"

    chunks = list(
        oa_client(fake.base_url).chat.completions.create(
            model="fake-model", messages=MSGS, stream=True, max_completion_tokens=4
        )
    )
    assert chunks[-1].choices[0].finish_reason == "length"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Here is the advice"

    fake.reply = "A reply the model had to stop"  # no max_tokens: the whole reply, still "length"
    chunks = list(lc_model(fake.base_url).stream("hi"))
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    assert full.content == fake.reply
    assert full.response_metadata["finish_reason"] == "length"


def test_length_non_streaming(fake):
    fake.mode = "length"
    resp = oa_client(fake.base_url).chat.completions.create(model="fake-model", messages=MSGS, max_tokens=3)
    assert resp.choices[0].message.content == "Here is the"
    assert resp.choices[0].finish_reason == "length"
    assert resp.usage.completion_tokens == 3
    model = ChatOpenAI(base_url=fake.base_url, api_key="x", model="fake-model", max_retries=0, timeout=3, max_tokens=1)
    msg = model.invoke("hi")
    assert msg.content == "Here"
    assert msg.response_metadata["finish_reason"] == "length"
    assert fake.last_request()["max_completion_tokens"] == 1  # what langchain sends for max_tokens


def test_retry_after_header(fake):
    fake.mode = "retry_after"
    fake.retry_after = 7
    with pytest.raises(openai.RateLimitError) as ei:
        oa_client(fake.base_url).chat.completions.create(model="fake-model", messages=MSGS)
    assert ei.value.status_code == 429
    assert ei.value.response.headers["retry-after"] == "7"
    with pytest.raises(openai.RateLimitError):
        lc_stream(lc_model(fake.base_url), [])
    assert fake.request_count == 2


def test_retry_after_once_then_ok_sdk_waits(fake):
    """fail_times=1: rate limited once, then fine. The openai SDK honours Retry-After before its retry."""
    fake.mode = "retry_after"
    fake.retry_after = 1
    fake.fail_times = 1
    client = openai.OpenAI(base_url=fake.base_url, api_key="x", max_retries=1, timeout=3)
    t0 = time.monotonic()
    resp = client.chat.completions.create(model="fake-model", messages=MSGS)
    elapsed = time.monotonic() - t0
    assert resp.choices[0].message.content == DEFAULT_REPLY
    assert fake.request_count == 2
    assert 1.0 <= elapsed < 2.5
    assert fake.fail_times == 0 and fake.mode == "retry_after"  # later requests are answered normally
    assert client.chat.completions.create(model="fake-model", messages=MSGS).choices[0].finish_reason == "stop"


def test_fail_times_with_error500(fake):
    fake.mode = "error500"
    fake.fail_times = 2
    client = oa_client(fake.base_url)
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="fake-model", messages=MSGS)
    assert client.chat.completions.create(model="fake-model", messages=MSGS).choices[0].message.content
    assert fake.request_count == 3


def test_answer_time_about_one_second(fake):
    fake.answer_time = 1.0
    client = oa_client(fake.base_url)
    t0 = time.monotonic()
    arrivals = []
    for _chunk in client.chat.completions.create(model="fake-model", messages=MSGS, stream=True):
        arrivals.append(time.monotonic() - t0)
    n = len(split_tokens(DEFAULT_REPLY))
    # Lower bounds are the fake's promise; upper bounds leave room for a busy machine (two pytest workers on
    # two cores), so they only catch a fake that waits far too long.
    assert 1.0 <= arrivals[-1] < 3.0
    assert arrivals[1] >= 1.0 / (n + 1) * 0.9  # spread over the tokens, not all at the end
    assert arrivals[-1] - arrivals[1] >= 0.5
    t0 = time.monotonic()
    client.chat.completions.create(model="fake-model", messages=MSGS)
    assert 1.0 <= time.monotonic() - t0 < 3.0


def test_many_concurrent_requests_are_served_in_parallel():
    n = 100
    # Each answer takes 3 s, so all 100 are open at once even when starting 100 threads takes a second or two
    # on a busy machine (make test runs two pytest workers on 2 cores).
    with FakeLLM(answer_time=3.0) as fake:
        body = {"model": "fake-model", "messages": MSGS, "stream": True}
        results: list[str] = []
        lock = threading.Lock()

        client = httpx.Client(timeout=10, limits=httpx.Limits(max_connections=n))

        def one():
            r = client.post(fake.base_url + "/chat/completions", json=body)
            with lock:
                results.append(r.text)

        threads = [threading.Thread(target=one) for _ in range(n)]
        t0 = time.monotonic()
        with client:
            for t in threads:
                t.start()
            for t in threads:
                t.join(15)
        elapsed = time.monotonic() - t0
        assert len(results) == n and all(text.endswith("data: [DONE]\n\n") for text in results)
        assert elapsed < 15.0  # in series this would take 300 s
        assert fake.request_count == n
        assert fake.connections_total == n
        assert fake.max_open_connections == n  # all held open at once
        assert fake.wait_idle(2) and fake.open_connections == 0


def test_open_connections_follow_client_hangup(fake):
    """A client that walks away mid-answer: the fake notices and closes its side (during waits too)."""
    fake.reply = " ".join(["word"] * 50)
    fake.token_delay = 0.2
    client = oa_client(fake.base_url)
    stream = client.chat.completions.create(model="fake-model", messages=MSGS, stream=True)
    next(iter(stream))
    assert fake.open_connections == 1
    stream.close()
    t0 = time.monotonic()
    assert fake.wait_idle(2)
    assert time.monotonic() - t0 < 1.0

    fake.mode = "hang"
    sock = socket.create_connection(("127.0.0.1", fake.port), timeout=2)
    body = json.dumps({"model": "fake-model", "messages": MSGS}).encode()
    sock.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    deadline = time.monotonic() + 2
    while fake.request_count < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake.open_connections == 1
    assert not fake.wait_idle(0.3)  # hangs while the client waits
    sock.close()
    assert fake.wait_idle(1)


def test_reset_restores_defaults_and_counters(fake):
    fake.mode, fake.answer_time, fake.retry_after, fake.cut_after, fake.fail_times = "length", 1.0, 9, 1, 2
    oa_client(fake.base_url).models.list()
    assert fake.connections_total == 1
    fake.reset()
    assert (fake.mode, fake.answer_time, fake.retry_after, fake.cut_after, fake.fail_times) == ("ok", 0.0, 1, 3, None)
    assert fake.request_count == 0 and fake.connections_total == 0
