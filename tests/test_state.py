"""Shared state for replicas and one gate for every way in: real uvicorn, real Redis and PostgreSQL.

Each app here is the real `create_app` served by uvicorn with the project's own options (serve.py) on a
real port, in this process; two of them with the same Redis/PostgreSQL are two replicas.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
import uvicorn
from conftest import free_port, make_settings
from services import PostgresServer

from assistant.config import Settings
from assistant.db import open_database
from assistant.errors import IngestLockedError
from assistant.indexer import ingest_lock, run_ingest
from assistant.privacy import mask_personal_data
from assistant.ratelimit import _networks, client_address
from assistant.report import build_report
from assistant.web.app import create_app
from assistant.web.serve import uvicorn_options


class ThreadServer:
    """create_app(settings) on uvicorn in a thread, with serve.py's options (proxy headers, ...)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", **uvicorn_options(settings)
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def state(self):
        return self.app.state.assistant_state

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError("app not ready")

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def replica_settings(built_index: Path, tmp_path: Path, name: str, **overrides) -> Settings:
    data_dir = tmp_path / name
    shutil.copytree(built_index, data_dir, ignore=shutil.ignore_patterns("*.log", "feedback.sqlite3*", "*.lock"))
    return make_settings(data_dir, **overrides)


def ask(url: str, message: str = "KPIs for customer service?", **kw) -> httpx.Response:
    return httpx.post(f"{url}/api/chat", json={"message": message}, timeout=30, **kw)


# ------------------------------------------------------------------------------------------- replicas


def test_two_replicas_share_one_rate_limit_and_one_question_log(built_index, tmp_path, redis_url, postgres_url):
    shared = dict(redis_url=redis_url, database_url=postgres_url, rate_limit_per_minute=6)
    with (
        ThreadServer(replica_settings(built_index, tmp_path, "a", **shared)) as a,
        ThreadServer(replica_settings(built_index, tmp_path, "b", **shared)) as b,
    ):
        statuses = [ask(server.url, "   ").status_code for server in (a, b) * 5]  # 400s are counted too
        assert statuses.count(429) == 4 and statuses[:6].count(429) == 0, statuses
        limited = ask(b.url)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0

        # An answer given on A, rated on B (twice: the new rating replaces the old), seen by the report.
        with ThreadServer(replica_settings(built_index, tmp_path, "c", database_url=postgres_url)) as c:
            question = f"which VAT rate for my shop in Germany {uuid.uuid4().hex[:6]}?"
            answer = ask(c.url, question).json()
            assert answer["declined"]
        for rating, comment in (("up", ""), ("down", "not what I asked")):
            r = httpx.post(
                f"{a.url}/api/feedback", json={"answer_id": answer["id"], "rating": rating, "comment": comment}
            )
            assert r.json() == {"ok": True}
        db = open_database(b.settings)
        assert db.ratings_of(answer["id"]) == [("down", "not what I asked")]
        report = build_report(b.settings, days=1)
        downs = [item for item in report["thumbs_down"] if item["question"] == question]
        assert len(downs) == 1 and downs[0]["comment"] == "not what I asked" and downs[0]["votes"] == 1
        assert any(question in group["examples"] for group in report["declined_groups"])


def test_an_ingest_on_one_replica_locks_out_the_others(built_index, tmp_path, redis_url):
    admin = {"admin_token": "secret-token", "redis_url": redis_url}
    settings_a = replica_settings(built_index, tmp_path, "a", **admin)
    with ThreadServer(replica_settings(built_index, tmp_path, "b", **admin)) as b:
        headers = {"Authorization": "Bearer secret-token"}
        with ingest_lock(settings_a.data_dir, 0, redis_url):  # replica A's ingest holds the shared lock
            refused = httpx.post(f"{b.url}/api/admin/reingest", headers=headers)
            with pytest.raises(IngestLockedError, match="Another ingest is running"):
                run_ingest(b.settings)  # the CLI's path: its lock message
        assert refused.status_code == 409 and "already running" in refused.json()["error"]
        started = httpx.post(f"{b.url}/api/admin/reingest", headers=headers)
        assert started.status_code == 202
        for _ in range(300):
            if not b.state.reingest.running:
                break
            time.sleep(0.1)
        assert b.state.reingest.last["ok"], b.state.reingest.last


# --------------------------------------------------------------------------------------- one gate


def _gradio_call(url: str, api_name: str, data: list) -> str:
    """POST /gradio_api/call/<name>, then read the event stream to its end; the stream's text."""
    event = httpx.post(f"{url}/gradio_api/call/{api_name}", json={"data": data}, timeout=30)
    assert event.status_code == 200, event.text
    event_id = event.json()["event_id"]
    return httpx.get(f"{url}/gradio_api/call/{api_name}/{event_id}", timeout=60).text


def test_the_gradio_api_is_limited_like_the_rest_api(built_index, tmp_path):
    # 6 an hour (the minute window is off so a slow machine cannot let the window slide mid-test); each
    # answered stream costs the CPU a streamed answer costs, so a few prove the one gate as well as twenty
    settings = replica_settings(built_index, tmp_path, "a", rate_limit_per_minute=0, rate_limit_per_hour=6)
    with ThreadServer(settings) as app:
        assert httpx.post(f"{app.url}/gradio_api/call/ask", json={"data": ["KPIs?"]}).status_code != 200
        streams = [
            _gradio_call(app.url, "respond" if i % 2 else "respond_1", ["KPIs for customer service?", [], {}, "EN"])
            for i in range(10)
        ]
        limited = [s for s in streams if "Too many questions in a row" in s]
        answered = [s for s in streams if "CSAT" in s]
        assert len(limited) == 4 and len(answered) == 6 and streams[:6] == answered, [s[-200:] for s in streams]
        assert ask(app.url).status_code == 429  # the same client, the same count


def test_forged_forwarded_for_counts_as_one_client_unless_from_a_trusted_proxy(built_index, tmp_path):
    def statuses(url: str) -> list[int]:
        return [ask(url, "   ", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(25)]

    with ThreadServer(replica_settings(built_index, tmp_path, "a")) as app:
        assert statuses(app.url).count(429) == 5
    with ThreadServer(replica_settings(built_index, tmp_path, "b", trusted_proxies=["127.0.0.1"])) as proxied:
        assert statuses(proxied.url).count(429) == 0  # behind a trusted proxy each forwarded address is a client


def test_client_address_reads_forwarded_for_only_behind_trusted_proxies():
    trusted = _networks(["10.0.0.0/8", "127.0.0.1"])
    xff = {"x-forwarded-for": "1.2.3.4, 198.51.100.7, 10.0.0.5"}
    assert client_address("127.0.0.1", xff, trusted) == "198.51.100.7"  # rightmost untrusted hop
    assert client_address("192.0.2.1", xff, trusted) == "192.0.2.1"  # not a proxy: header ignored
    assert client_address("127.0.0.1", xff, []) == "127.0.0.1"
    assert make_settings(Path("/tmp"), trusted_proxies="10.0.0.1, 10.1.0.0/16").trusted_proxies == [
        "10.0.0.1",
        "10.1.0.0/16",
    ]
    with pytest.raises(ValueError, match="not an IP address"):
        make_settings(Path("/tmp"), trusted_proxies="proxy.local")


def test_uploads_are_rejected_and_nothing_is_written(built_index, tmp_path, monkeypatch):
    uploads = tmp_path / "gradio-uploads"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(uploads))
    name = f"evil-{uuid.uuid4().hex}.html"
    with ThreadServer(replica_settings(built_index, tmp_path, "a")) as app:
        for path in ("/gradio_api/upload", "/gradio_api/upload/", "/gradio_api/upload?upload_id=x"):
            r = httpx.post(f"{app.url}{path}", files={"files": (name, b"<script>alert(1)</script>", "text/html")})
            assert r.status_code == 404 and r.json() == {"error": "not found"}
    assert not list(uploads.rglob(name)) and not list(Path("/tmp").glob(f"gradio/**/{name}"))


def test_feedback_flood_is_limited_and_keeps_one_rating(built_index, tmp_path):
    # 30 an hour (the minute window off, so a slow machine cannot let the window slide mid-test)
    limits = {"feedback_rate_limit_per_minute": 0, "feedback_rate_limit_per_hour": 30}
    settings = replica_settings(built_index, tmp_path, "a", **limits)
    with ThreadServer(settings) as app:
        answer = ask(app.url).json()
        codes = []
        with httpx.Client(base_url=app.url, timeout=10) as client:
            for i in range(2000):
                body = {"answer_id": answer["id"], "rating": "up" if i % 2 else "down", "comment": f"c{i}"}
                codes.append(client.post("/api/feedback", json=body).status_code)
        assert codes.count(200) == 30 and codes.count(429) == 1970
        assert open_database(settings).ratings_of(answer["id"]) == [("up", "c29")]


# ------------------------------------------------------------------------------ storage fails soft


def test_a_failing_question_log_never_costs_the_answer(built_index, tmp_path):
    with PostgresServer() as pg:
        with ThreadServer(replica_settings(built_index, tmp_path, "a", database_url=pg.url)) as app:
            assert ask(app.url).status_code == 200
            assert httpx.get(f"{app.url}/healthz").json()["storage"] == "ok"
            pg.stop()
            started = time.monotonic()
            r = ask(app.url)
            assert r.status_code == 200 and "CSAT" in r.json()["answer"]
            assert time.monotonic() - started < 10
            health = httpx.get(f"{app.url}/healthz")
            assert health.status_code == 200 and health.json()["storage"] == "degraded"
            assert app.state.feedback.store.failures >= 1
            rating = httpx.post(f"{app.url}/api/feedback", json={"answer_id": r.json()["id"], "rating": "up"})
            assert rating.status_code == 503 and "could not be saved" in rating.json()["error"]
            pg.start()
            assert ask(app.url).status_code == 200
            assert httpx.get(f"{app.url}/healthz").json()["storage"] == "ok"  # back once writes succeed


def test_an_unopenable_sqlite_log_still_answers(built_index, tmp_path):
    settings = replica_settings(built_index, tmp_path, "a")
    (settings.data_dir / "feedback.sqlite3").mkdir()  # a directory where the database file should be
    with ThreadServer(settings) as app:
        assert ask(app.url).status_code == 200
        health = httpx.get(f"{app.url}/healthz").json()
        assert health["storage"] == "degraded"


def test_personal_data_is_masked_before_it_is_stored(built_index, tmp_path):
    settings = replica_settings(built_index, tmp_path, "a")
    question = "KPIs for customer service? mail jan@shop.example, call +31 6 1234 5678, IBAN NL91ABNA0417164300"
    with ThreadServer(settings) as app:
        answer = ask(app.url, question).json()
        assert not answer["declined"]
    db = open_database(settings)
    with db.engine.connect() as conn:
        from sqlalchemy import text

        stored = conn.execute(text("SELECT question FROM answers WHERE id = :id"), {"id": answer["id"]}).scalar_one()
    assert stored == "KPIs for customer service? mail [email], call [phone], IBAN [iban]"
    assert "jan@" not in json.dumps(build_report(settings, days=1))


def test_masking_leaves_ordinary_numbers_alone():
    text = "conversion 1.2% → 4.5%, revenue +350% in 2024, budget €1200, 2 people, 10-15 orders a day"
    assert mask_personal_data(text) == text
    assert mask_personal_data("bel 020-123 4567 of 0612345678") == "bel [phone] of [phone]"


def test_rate_limits_fall_back_per_process_when_redis_goes_away():
    from services import RedisServer

    from assistant.ratelimit import RateLimiter, _items

    with RedisServer() as redis_server:
        one = RateLimiter({"chat": _items(3, 0)}, redis_url=redis_server.url)
        other = RateLimiter({"chat": _items(3, 0)}, redis_url=redis_server.url)  # another replica
        assert [one.check("chat", "198.51.100.1"), other.check("chat", "198.51.100.1")] == [0, 0]
        assert one.check("chat", "198.51.100.1") == 0 and other.check("chat", "198.51.100.1") > 0
        redis_server.stop()
        started = time.monotonic()
        waits = [one.check("chat", "198.51.100.2") for _ in range(5)]
        assert waits[:3] == [0, 0, 0] and all(w > 0 for w in waits[3:])  # still a gate, per process
        assert time.monotonic() - started < 5


def test_a_log_from_before_one_rating_per_client_is_upgraded_in_place(tmp_path):
    import sqlite3

    old = sqlite3.connect(tmp_path / "feedback.sqlite3")
    old.executescript(
        "CREATE TABLE answers (id TEXT PRIMARY KEY, created REAL NOT NULL, question TEXT NOT NULL, lang TEXT, "
        "answer TEXT, mode TEXT, fallback INTEGER, declined INTEGER, sources TEXT, channel TEXT);"
        "CREATE TABLE ratings (answer_id TEXT NOT NULL, created REAL NOT NULL, rating TEXT NOT NULL, comment TEXT);"
    )
    now = time.time()
    old.execute("INSERT INTO answers VALUES ('a1', ?, 'q', 'en', 'x', 'offline', 0, 0, '[]', 'api')", (now,))
    old.execute("INSERT INTO ratings VALUES ('a1', ?, 'down', 'old comment')", (now,))
    old.commit()
    old.close()
    db = open_database(make_settings(tmp_path))
    db.ensure_schema()
    db.ensure_schema()  # idempotent
    assert db.set_rating("a1", "rater-1", "up", "") and db.set_rating("a1", "rater-1", "down", "new")
    assert sorted(db.ratings_of("a1")) == [("down", "new"), ("down", "old comment")]
