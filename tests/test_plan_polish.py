"""In LLM mode the team plan's summary may come in the model's words, never its roles or facts (issue #14).

The reply is used only when it keeps the plan's facts; otherwise, or when the model is down, the owner gets the
offline summary. The real app on a real port against the local OpenAI-protocol server.
"""

from __future__ import annotations

import time

import httpx
import pytest

from assistant.plan import TeamPlan, TeamPlanner
from assistant.plan_polish import acceptable_summary
from tests.conftest import local_server
from tests.fake_llm import FakeLLM


def reworded(plan: TeamPlan) -> str:
    """What a well-behaved model returns: the same roles, no new figures, the plan's language."""
    now = " and ".join(role["title"] for role in plan.now)
    if plan.lang == "nl":
        return f"Begin nu met {now}; daarna breid je het team stap voor stap uit, als de winkel en het budget groeien."
    return f"Start now with {now}; after that, grow the team step by step as the shop and its budget grow."


@pytest.fixture(scope="module")
def planner(settings) -> TeamPlanner:
    return TeamPlanner(settings)


@pytest.fixture(scope="module")
def llm_app(built_index):
    with FakeLLM() as fake:
        options = dict(llm_model="fake-model", llm_first_token_timeout=2, llm_read_timeout=2, llm_max_retries=0)
        with local_server(built_index, openai_base_url=fake.base_url, llm_breaker_failures=100, **options) as server:
            yield server, fake


def test_a_reword_that_keeps_the_facts_is_accepted_and_anything_else_is_not(planner):
    plan = planner.plan(people=2, stage="starting")
    good = reworded(plan)
    assert acceptable_summary(good, plan)
    assert not acceptable_summary(good + " Budget about 3000 euro a month.", plan)  # a figure the plan lacks
    assert not acceptable_summary(reworded(planner.plan(people=2, stage="starting", lang="nl")), plan)  # Dutch
    assert not acceptable_summary("Start small, then grow the team step by step as the shop grows.", plan)  # roles gone
    assert not acceptable_summary(good + " See https://example.com for more.", plan)
    assert not acceptable_summary("## Summary\n" + good, plan)
    assert not acceptable_summary(" ".join([good] * 6), plan)  # longer than the offline summary
    assert not acceptable_summary("Hire people.", plan)


def test_in_llm_mode_the_summary_is_reworded_once_and_the_download_says_the_same(llm_app, planner):
    server, fake = llm_app
    offline = planner.plan(people=2, stage="starting")
    fake.reset()
    fake.reply = reworded(offline)
    body = httpx.post(f"{server.url}/api/plan", json={"people": 2, "stage": "starting"}, timeout=30).json()
    assert body["polished"] is True and body["summary"] == fake.reply
    assert (body["now"], body["next"], body["later"], body["job_ads"]) == (
        offline.now,
        offline.next,
        offline.later,
        offline.job_ads,
    )  # the plan itself never passes through the model
    turn = fake.requests[-1]["messages"][-1]["content"]
    assert "<plan>" in turn and offline.summary in turn
    download = httpx.get(f"{server.url}/api/plan.md", params={"people": 2, "stage": "starting"}, timeout=30)
    assert download.status_code == 200 and fake.reply in download.text
    assert fake.request_count == 1  # the download reused the reworded summary: one plan, one model call


def test_a_reply_that_adds_a_figure_is_not_used(llm_app, planner):
    server, fake = llm_app
    offline = planner.plan(people=3, stage="growing")
    fake.reset()
    fake.reply = reworded(offline) + " Reserve 4500 euro a month for it."
    body = httpx.post(f"{server.url}/api/plan", json={"people": 3, "stage": "growing"}, timeout=30).json()
    assert fake.request_count == 1
    assert body["polished"] is False and body["summary"] == offline.summary


def test_a_hung_model_costs_the_owner_its_deadline_and_no_plan(llm_app, planner):
    server, fake = llm_app
    offline = planner.plan(people=4, stage="growing", lang="nl")
    fake.reset()
    fake.mode = "hang"
    started = time.monotonic()
    resp = httpx.post(f"{server.url}/api/plan", json={"people": 4, "stage": "growing", "lang": "nl"}, timeout=30)
    assert resp.status_code == 200 and time.monotonic() - started < 10
    assert resp.json()["polished"] is False and resp.json()["summary"] == offline.summary
    assert fake.wait_idle(5)
    fake.reset()
