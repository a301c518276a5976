"""The team plan everywhere an owner is (issue #14): the REST routes, the chat page's tab in a real browser,
the widget's link and the chat pointing "make me a plan" questions to the builder. The real app on a real
port, over the real ingested index."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import expect

from assistant.plan import TeamPlanner, to_markdown
from assistant.plan_intent import plan_link, wants_plan
from assistant.web.lifecycle import AppState
from assistant.web.plan_ui import _role_choices
from tests.conftest import LocalServer, local_server, make_settings

PER_MINUTE = 40


@pytest.fixture(scope="module")
def app(built_index):
    with local_server(built_index, rate_limit_per_minute=PER_MINUTE) as server:
        yield server


def post(app: LocalServer, path: str, body) -> httpx.Response:
    return httpx.post(f"{app.url}{path}", json=body, timeout=30)


def test_before_any_index_the_tab_offers_the_roles_the_guidance_has(tmp_path):
    state = AppState(make_settings(tmp_path / "no-index-yet"))  # not started: no index, no plan facts
    choices = dict((role, title) for title, role in _role_choices(state, "nl"))
    assert {"customer-service", "logistics", "ecommerce-manager"} <= set(choices) and len(choices) >= 7
    assert choices["customer-service"] == "Klantenservice"  # the asker's language, from the role file's title
    assert _role_choices(AppState(make_settings(tmp_path / "x", knowledge_dir=tmp_path / "nothing")), "en") == []


# -- REST ----------------------------------------------------------------------------------------------------
def test_api_plan_has_the_cli_shape_and_the_golden_case(app, settings):
    """FAQ 'very small business' through HTTP: the owner manages, one assistant for service and products."""
    body = {"people": 1, "stage": "starting", "budget": 1200, "goals": [], "have": [], "lang": "en"}
    r = post(app, "/api/plan", body)
    assert r.status_code == 200, r.text
    plan = r.json()
    for key in ("lang", "summary", "now", "next", "later", "first_90_days", "job_ads"):
        assert key in plan
    for entry in plan["now"] + plan["next"] + plan["later"]:
        assert {"role", "title", "how", "why", "kpis", "sources"} <= set(entry)
        assert all({"name", "target"} <= set(k) for k in entry["kpis"])
        assert entry["sources"] and all({"source", "section"} <= set(s) for s in entry["sources"])
    assert all({"role", "markdown"} <= set(ad) for ad in plan["job_ads"])
    assert [(e["role"], e["how"]) for e in plan["now"]] == [
        ("ecommerce-manager", "owner"),
        ("customer-service", "assistant"),
        ("product-manager", "assistant"),
    ]
    assert [(e["role"], e["how"]) for e in plan["next"]] == [
        ("digital-marketer", "freelance"),
        ("ux-ui-designer", "freelance"),
    ]
    # the same plan the CLI and the Python API give
    assert plan == TeamPlanner(settings).plan(**body).as_dict()


def test_api_plan_in_dutch_with_names_and_a_coffee_shop_goal(app):
    body = {"people": "2", "stage": "groeiend", "goals": ["conversie", "bezoekers"], "have": ["CS"], "lang": "nl"}
    plan = post(app, "/api/plan", body).json()
    assert plan["lang"] == "nl" and plan["inputs"]["have"] == ["customer-service"]
    assert [e["role"] for e in plan["now"] if e["how"] != "owner"] == ["digital-marketer"]
    assert all(s["source"].startswith("nl/") for e in plan["now"] for s in e["sources"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"people": -3}, "people"),
        ({"people": 2.5}, "people"),
        ({"goals": ["world domination"]}, "goal"),
        ({"have": ["astronaut"]}, "have"),
        ({"budget": 5e12}, "budget"),
        ({"budget": "lots"}, "budget"),
        ({"stage": "retired"}, "stage"),
        ({"lang": "fr"}, "lang"),
        ({"goals": [1, 2]}, "goals"),
        ({"people": {"n": 1}}, "people"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(app, body, field):
    r = post(app, "/api/plan", body)
    assert r.status_code == 400, r.text
    message = r.json()["error"]
    assert message.startswith(f"{field}:") and "Traceback" not in message
    if field == "budget" and body["budget"] == 5e12:
        assert "typing error" in message


def test_a_body_that_is_not_a_json_object_is_a_400(app):
    for raw in (b"{not json", b"[1, 2]", "\u00ff".encode("latin-1")):
        r = httpx.post(f"{app.url}/api/plan", content=raw, headers={"Content-Type": "application/json"}, timeout=30)
        assert r.status_code == 400 and ("JSON" in r.json()["error"] or "UTF-8" in r.json()["error"])


def test_markdown_download_get_and_post(app, settings):
    r = httpx.get(f"{app.url}/api/plan.md", params=[("people", "1"), ("goals", "traffic"), ("lang", "nl")])
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == 'attachment; filename="teamplan.md"'
    assert r.headers["content-type"].startswith("text/markdown")
    expected = to_markdown(TeamPlanner(settings).plan(people=1, goals=["traffic"], lang="nl"))
    assert r.text == expected and r.text.startswith("# ")
    r = post(app, "/api/plan/markdown", {"people": 1, "goals": ["traffic"], "lang": "nl"})
    assert r.status_code == 200 and r.text == expected
    assert 'filename="teamplan.md"' in r.headers["content-disposition"]
    bad = httpx.get(f"{app.url}/api/plan.md", params={"people": "-1"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("people:")


def test_print_view_is_clean_escaped_html(app):
    r = httpx.get(f"{app.url}/plan/print", params={"stage": "growing", "goals": "conversion,traffic"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "@media print" in r.text and "<h1>" in r.text and "<h3>" in r.text
    assert "default-src 'none'" in r.headers["content-security-policy"]
    bad = httpx.get(f"{app.url}/plan/print", params={"have": "<script>alert(1)</script>"})
    assert bad.status_code == 400
    assert "<script>alert" not in bad.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in bad.text


# -- the chat points to the builder -------------------------------------------------------------------------
ASKS = [
    "make me a team plan",
    "maak een teamplan voor mijn webshop",
    "what should I do with my shop, give me a plan",
    "Can you write a hiring plan for us?",
    "Geef me een plan voor mijn webshop met 3 mensen",
]
NOT_ASKS = [
    "We plan to hire a marketer, in-house or freelance?",
    "Which KPIs should my digital marketer have?",
    "Wat moet ik plannen als product manager?",
    "How do I plan my content calendar?",
    "We zijn een webshop met twee mensen, welk team hebben we als eerste nodig?",
]


def test_plan_requests_are_recognised_and_other_questions_are_not():
    assert [q for q in ASKS if not wants_plan(q)] == []
    assert [q for q in NOT_ASKS if wants_plan(q)] == []
    assert plan_link("Geef me een plan voor mijn webshop met 3 mensen", "nl") == "/?tab=plan&lang=nl&people=3"


@pytest.mark.parametrize(
    ("question", "lang", "pointer"),
    [
        ("make me a team plan for my webshop", "en", "[Team plan](/?tab=plan&lang=en)"),
        ("maak een teamplan voor mijn webshop", "nl", "[Teamplan](/?tab=plan&lang=nl)"),
        ("what should I do with my shop, give me a plan", "en", "[Team plan](/?tab=plan&lang=en)"),
    ],
)
def test_chat_answers_point_to_the_builder(app, question, lang, pointer):
    r = post(app, "/api/chat", {"message": question})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["lang"] == lang
    assert answer["answer"].rstrip().endswith(pointer + "._")
    assert answer["answer"].count(pointer) == 1
    url = pointer.split("](")[1].rstrip(")").replace("&", "&amp;")
    assert f'<a href="{url}" class="plan-link"' in answer["html"]  # what the widget shows: a working link


def test_other_chat_answers_do_not(app):
    answer = post(app, "/api/chat", {"message": "Which KPIs should my digital marketer have?"}).json()
    assert "tab=plan" not in answer["answer"]


def test_streamed_answer_ends_with_the_pointer_too(app):
    with httpx.stream("POST", f"{app.url}/api/chat/stream", json={"message": "make me a team plan"}, timeout=30) as r:
        text = r.read().decode()
    events = [line[len("data: ") :] for line in text.splitlines() if line.startswith("data: ")]
    streamed = "".join(json.loads(e).get("text", "") for e in events[:-1])
    final = json.loads(events[-1])
    assert streamed.count("tab=plan") == 1  # the streamed text and the final answer agree
    assert final["answer"].count("tab=plan") == 1


# -- the chat page and the widget in a real browser ----------------------------------------------------------
def test_widget_links_to_the_plan_tab(pages, app):
    page = pages.new()
    page.goto(f"{app.url}/widget?lang=nl", wait_until="load")
    link = page.locator("#plan-link")
    assert link.inner_text() == "Maak een teamplan"
    assert link.get_attribute("target") == "_blank"
    with page.context.expect_page() as popup:
        link.click()
    tab = popup.value
    tab.locator("#plan-make").wait_for(timeout=30000)
    assert tab.locator("#plan-make").is_visible()  # opened on the plan tab


def test_owner_makes_a_plan_in_the_tab_and_downloads_it(pages, app, settings, tmp_path):
    page = pages.new(locale="en-US")  # downloads are accepted (Playwright's default)
    dialogs = page.dialogs
    page.goto(f"{app.url}/?tab=plan&people=2", wait_until="load")
    page.locator("#plan-make").wait_for(timeout=30000)
    # The link's values arrive with the page's load event, a moment after the form is shown.
    expect(page.locator("#plan-people input")).to_have_value("2", timeout=15000)
    page.locator("#plan-stage").get_by_label("Growing").check()
    page.locator("#plan-budget input").fill("3000")
    page.locator("#plan-goals").get_by_label("better conversion").check()
    page.locator("#plan-goals").get_by_label("more visitors").check()
    page.locator("#plan-make").click()
    expected = TeamPlanner(settings).plan(
        people=2, stage="growing", budget=3000, goals=["conversion", "traffic"], lang="en"
    )
    page.wait_for_function(
        "t => document.querySelector('#plan-output').innerText.includes(t)", arg=expected.now[1]["title"], timeout=30000
    )
    shown = page.locator("#plan-output").inner_text()
    assert expected.summary.split(";")[0] in shown
    page.screenshot(path=str(tmp_path / "plan.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("#plan-download").click()
    path = tmp_path / "downloaded.md"
    info.value.save_as(path)
    assert info.value.suggested_filename == "team-plan.md"
    assert path.read_text(encoding="utf-8") == to_markdown(expected)
    printable = page.locator("#plan-print")
    assert "budget=3000" in (printable.get_attribute("href") or "")
    with page.context.expect_page() as popup:
        printable.click()
    view = popup.value
    view.wait_for_load_state()
    assert expected.now[1]["title"] in view.locator("body").inner_text()
    assert dialogs == []


def test_the_tab_speaks_dutch_when_asked(pages, app):
    page = pages.new()
    page.goto(f"{app.url}/?tab=plan&lang=nl", wait_until="load")
    page.locator("#plan-make").wait_for(timeout=30000)
    page.wait_for_function("document.querySelector('#plan-make').innerText.includes('Maak mijn plan')", timeout=15000)
    page.locator("#plan-make").click()
    page.wait_for_function("document.querySelector('#plan-output').innerText.includes('Teamplan')", timeout=30000)
    assert "Je plan verschijnt hier" not in page.locator("#plan-output").inner_text()


# -- last: the rate limit (it uses up this client's allowance) ------------------------------------------------
def test_plan_routes_share_the_chat_rate_limit(app):
    statuses = []
    for _ in range(PER_MINUTE + 1):
        r = post(app, "/api/plan", {"people": 1})
        statuses.append(r.status_code)
        if r.status_code == 429:
            break
    assert statuses[-1] == 429 and len(statuses) <= PER_MINUTE
    assert int(r.headers["Retry-After"]) >= 1 and r.json()["error"]
    assert httpx.get(f"{app.url}/api/plan.md", params={"people": "1"}).status_code == 429
    chat = post(app, "/api/chat", {"message": "Which KPIs for customer service?"})
    assert chat.status_code == 429  # one allowance for chat and plans
