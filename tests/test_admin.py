"""Maintainers re-ingest through the admin API while the chat keeps answering."""

import shutil
import time

import httpx
import pytest

from tests.conftest import KNOWLEDGE, AppServer, copy_index

TOKEN = "s3cret-admin-token-for-tests"


@pytest.fixture(scope="module")
def admin_app(tmp_path_factory, built_index):
    """A separate process (its log is checked for the token) on a copy of the session's index: re-ingest
    changes it, and copying costs far less than building one at start-up."""
    root = tmp_path_factory.mktemp("admin")
    kb = root / "knowledge"
    shutil.copytree(KNOWLEDGE, kb)
    app = AppServer(
        copy_index(built_index, root / "data"),
        env={
            "ASSISTANT_KNOWLEDGE_DIR": str(kb),
            "ASSISTANT_ADMIN_TOKEN": TOKEN,
            "ASSISTANT_RATE_LIMIT_PER_MINUTE": "1000",
        },
    )
    try:
        app.wait_ready()
        yield app, kb
    finally:
        app.stop()


def test_admin_endpoints_are_off_without_a_token(app_server):
    r = httpx.post(f"{app_server.url}/api/admin/reingest", headers={"Authorization": "Bearer anything"})
    assert r.status_code == 404 and "ASSISTANT_ADMIN_TOKEN" in r.json()["error"]


def test_wrong_or_missing_token_is_refused(admin_app):
    app, _ = admin_app
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        r = httpx.get(f"{app.url}/api/admin/status", headers=headers)
        assert r.status_code == 401 and TOKEN not in r.text


def test_reingest_publishes_a_new_version_while_the_chat_answers(admin_app):
    app, kb = admin_app
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = httpx.get(f"{app.url}/api/admin/status", headers=auth).json()
    assert before["active_version"] and before["chunks"] > 100
    role = kb / "en" / "roles" / "logistics.md"
    role.write_text(role.read_text() + "\n## Returns handled by logistics\n\nProcess every return within 48 hours.\n")
    assert httpx.post(f"{app.url}/api/admin/reingest", headers=auth).status_code == 202
    answers = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answers.append(httpx.post(f"{app.url}/api/chat", json={"message": "in-house or outsource?"}, timeout=30))
        status = httpx.get(f"{app.url}/api/admin/status", headers=auth).json()
        if status["last_run_here"] and not status["reingest_running"]:
            break
    assert all(a.status_code == 200 for a in answers)
    assert status["last_run_here"]["published"] and status["active_version"] != before["active_version"]
    found = httpx.post(
        f"{app.url}/api/chat", json={"message": "how fast should logistics process returns?"}, timeout=30
    ).json()
    assert "48 hours" in found["answer"]
    assert TOKEN not in app.log.read_text()
