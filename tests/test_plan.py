"""The team plan (issue #14), against a real ingested index: golden cases from the guidance itself, the
CLI, bad input, and plans that follow the active index version after a re-ingest."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.config import ROOT
from assistant.indexer import run_ingest
from assistant.knowledge import load_knowledge
from assistant.language import detect_language
from assistant.plan import PlanInputError, TeamPlanner, to_markdown
from assistant.plan_rules import PlanUnavailableError, check_plan
from assistant.store import IndexStore
from tests.conftest import KNOWLEDGE, make_settings

SEVEN = {
    "ecommerce-manager",
    "digital-marketer",
    "content-creator",
    "ux-ui-designer",
    "product-manager",
    "customer-service",
    "logistics",
}
LANGS = ["en", "nl"]


@pytest.fixture(scope="module")
def planner(settings) -> TeamPlanner:
    return TeamPlanner(settings)


@pytest.fixture(scope="module")
def indexed_sections(settings) -> set[tuple[str, str]]:
    metas = IndexStore(settings).active()[1].get(include=["metadatas"])["metadatas"]
    return {(m["source"], m["section"]) for m in metas}


def hires(entries):
    return [e for e in entries if e["how"] != "owner"]


# -- golden cases from the guidance ----------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_one_person_starting_shop_on_a_small_budget(planner, lang):
    """FAQ 'very small business': the owner is the e-commerce manager, one assistant for customer service and
    products, then a freelance marketer or Webflow designer; no full-time in-house hire yet."""
    plan = planner.plan(people=1, stage="starting", budget=1200, lang=lang).as_dict()
    owner = [e for e in plan["now"] if e["how"] == "owner"]
    assert [e["role"] for e in owner] == ["ecommerce-manager"]
    helper = hires(plan["now"])
    assert {e["role"] for e in helper} == {"customer-service", "product-manager"}
    assert {e["how"] for e in helper} == {"assistant"}
    assert helper[0]["shared_with"] == [helper[1]["role"]]  # one person, not two
    assert all(e["how"] != "in-house" for e in plan["now"])
    assert [(e["role"], e["how"]) for e in plan["next"]] == [
        ("digital-marketer", "freelance"),
        ("ux-ui-designer", "freelance"),
    ]
    assert len(plan["job_ads"]) == 1 and set(plan["job_ads"][0]["roles"]) == {"customer-service", "product-manager"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_coffee_shop_gets_a_freelance_marketer_then_part_time_customer_service(planner, lang):
    plan = planner.plan(people=1, stage="growing", goals=["conversion", "traffic"], lang=lang).as_dict()
    assert [(e["role"], e["how"]) for e in hires(plan["now"])] == [("digital-marketer", "freelance")]
    assert [(e["role"], e["how"]) for e in plan["next"]] == [("customer-service", "assistant")]
    assert ("ecommerce-manager", "owner") in [(e["role"], e["how"]) for e in plan["now"]]
    assert ("ecommerce-manager", "in-house") in [(e["role"], e["how"]) for e in plan["later"]]  # the third hire
    assert [ad["role"] for ad in plan["job_ads"]] == ["digital-marketer"]


def test_a_scaling_shop_with_a_full_team_gets_nothing_beyond_the_seven_roles(planner):
    have = ["e-commerce manager", "marketeer", "CS", "webdesigner", "copywriter", "magazijn", "merchandiser"]
    plan = planner.plan(people=14, stage="scaling", budget=40000, have=have).as_dict()
    assert plan["now"] == plan["next"] == plan["later"] == plan["job_ads"] == []
    assert {e["role"] for e in plan["covered"]} == SEVEN
    assert all(e["kpis"] for e in plan["covered"])
    fresh = planner.plan(people=14, stage="scaling", budget=40000).as_dict()
    roles = [e["role"] for key in ("now", "next", "later") for e in fresh[key]]
    assert sorted(roles) == sorted(SEVEN)  # each of the seven once, nothing else
    assert hires(fresh["now"])[0] == fresh["now"][0] and fresh["now"][0]["role"] == "ecommerce-manager"


def test_goals_decide_which_role_comes_first(planner):
    """Where-to-start step 3: too few visitors → digital marketing first; customers waiting → customer service."""
    traffic = planner.plan(stage="growing", goals="traffic").now
    service = planner.plan(stage="growing", goals=["klantenservice"]).now
    assert hires(traffic)[0]["role"] == "digital-marketer"
    assert hires(service)[0]["role"] == "customer-service"


def test_no_room_for_a_full_time_hire_means_part_time_or_wait(planner):
    plan = planner.plan(people=3, stage="scaling", budget=1500)
    assert all(e["how"] != "in-house" for e in plan.now)
    waited = [e for e in plan.next if e["role"] == "ecommerce-manager"]
    assert waited and "budget" in waited[0]["why"]
    nothing = planner.plan(stage="growing", budget=0)
    assert hires(nothing.now) == [] and nothing.job_ads == [] and "No new hire now." in nothing.summary


# -- every plan: why, KPIs, real sources, job ads, language --------------------------------------------------
CASES = [
    {},
    {"people": 1, "stage": "starting", "budget": 800},
    {"people": 2, "stage": "starting", "goals": ["traffic", "range"]},
    {"people": 1, "stage": "growing", "goals": ["conversion", "traffic"]},
    {"people": 4, "stage": "growing", "budget": 6000, "goals": ["delivery"], "have": ["customer-service"]},
    {"people": 9, "stage": "scaling", "budget": 25000, "goals": ["content", "service"]},
    {"people": 12, "stage": "scaling"},
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", CASES)
def test_every_recommendation_has_why_kpis_sources_and_every_hire_a_job_ad(planner, indexed_sections, case, lang):
    plan = planner.plan(lang=lang, **case).as_dict()
    entries = plan["now"] + plan["next"] + plan["later"]
    assert entries and {e["role"] for e in entries} <= SEVEN
    for e in entries:
        assert e["why"].strip() and e["kpis"] and e["sources"], e
        assert e["how"] in {"owner", "assistant", "freelance", "agency", "in-house"}
        assert all(k["name"] and k["target"] and k["basis"] in {"guidance", "standard practice"} for k in e["kpis"])
        for s in e["sources"]:
            assert (s["source"], s["section"]) in indexed_sections, s
            assert s["source"].startswith(f"{lang}/"), s
    ad_roles = {r for ad in plan["job_ads"] for r in ad["roles"]}
    assert {e["role"] for e in hires(plan["now"])} == ad_roles
    assert all(ad["markdown"].startswith("# ") for ad in plan["job_ads"])
    assert len(plan["first_90_days"]) == 6
    assert all(step["source"] and (step["source"]["source"], step["source"]["section"]) in indexed_sections
               for step in plan["first_90_days"])  # fmt: skip
    texts = [plan["summary"], *(e["why"] for e in entries), *(s["text"] for s in plan["first_90_days"])]
    texts += [ad["markdown"] for ad in plan["job_ads"]]
    assert all(detect_language(t) == lang for t in texts), [t for t in texts if detect_language(t) != lang]
    markdown = to_markdown(plan)
    assert markdown.startswith("# Team") and all(e["title"] in markdown for e in entries)


def test_kpi_targets_only_where_the_guidance_gives_one(planner):
    plan = planner.plan(stage="scaling", budget=40000)
    by_role = {e["role"]: e for key in ("now", "next", "later") for e in getattr(plan, key)}
    conversion = by_role["ecommerce-manager"]["kpis"][0]
    assert "1.2%" in conversion["target"] and "4.5%" in conversion["target"]
    others = [k for e in by_role.values() for k in e["kpis"] if k is not conversion]
    assert all("No target in the guidance" in k["target"] for k in others)
    assert {k["basis"] for k in by_role["logistics"]["kpis"]} == {"standard practice"}
    assert {k["basis"] for k in by_role["digital-marketer"]["kpis"]} == {"guidance"}


# -- bad input ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"people": -1}, "people"),
        ({"people": 0}, "people"),
        ({"people": "two"}, "people"),
        ({"stage": "huge"}, "stage"),
        ({"budget": -5}, "budget"),
        ({"budget": 5e9}, "budget"),
        ({"budget": "lots"}, "budget"),
        ({"goals": ["traffic", "fame"]}, "goal"),
        ({"have": ["intern"]}, "have"),
        ({"lang": "de"}, "lang"),
    ],
)
def test_bad_input_is_a_typed_error_naming_the_field(planner, inputs, field):
    with pytest.raises(PlanInputError) as err:
        planner.plan(**inputs)
    assert err.value.field == field and str(err.value).startswith(f"{field}: ")


def test_dutch_names_and_aliases_are_accepted(planner):
    plan = planner.plan(stage="groeiend", goals="verkeer, conversie", have=["klantenservice", "Webflow-ontwikkelaar"])
    assert plan.inputs["stage"] == "growing" and plan.inputs["goals"] == ["traffic", "conversion"]
    assert plan.inputs["have"] == ["customer-service", "ux-ui-designer"]


# -- the command line -----------------------------------------------------------------------------------------
@pytest.fixture
def cli_env(monkeypatch, built_index):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(built_index))


def test_cli_json_has_the_documented_shape(cli_env, capsys):
    code = main(["plan", "--people", "1", "--stage", "growing", "--goal", "conversion", "traffic", "--json"])
    body = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {"lang", "summary", "now", "next", "later", "first_90_days", "job_ads"} <= set(body)
    assert {"role", "title", "how", "why", "kpis", "sources"} <= set(body["now"][0])
    assert set(body["now"][0]["kpis"][0]) >= {"name", "target"}
    assert set(body["now"][0]["sources"][0]) == {"source", "section"}
    assert {"role", "markdown"} <= set(body["job_ads"][0])


def test_cli_markdown_in_dutch(cli_env, capsys):
    assert main(["plan", "--lang", "nl", "--have", "klantenservice"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Teamplan") and "## De eerste 90 dagen" in out and "nl/guide/checklist.md" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--people", "-3"], "people: -3 is too few"),
        (["--goal", "fame"], "goal: 'fame' is not a goal"),
        (["--have", "astronaut"], "have: 'astronaut' is not a role"),
        (["--budget", "99999999999"], "budget: €99,999,999,999 a month looks like a typing error"),
    ],
)
def test_cli_bad_input_exits_2_with_a_clear_message(cli_env, capsys, args, message):
    assert main(["plan", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_as_a_subprocess(built_index):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ASSISTANT_"))}
    env["ASSISTANT_DATA_DIR"] = str(built_index)
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "assistant", "plan", *a], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    good, bad = run("--stage", "starting", "--json"), run("--people", "-1")
    assert good.returncode == 0 and json.loads(good.stdout)["now"][0]["how"] == "owner"
    assert bad.returncode == 2 and "people:" in bad.stderr and "Traceback" not in bad.stderr


# -- the LLM seam ------------------------------------------------------------------------------------------------
def test_polish_rewords_only_the_summary_and_job_ads_and_falls_back_on_failure(planner):
    offline = planner.plan(stage="growing", goals="traffic")

    def broken(plan):
        raise TimeoutError("model did not answer")

    assert planner.plan(polisher=broken, stage="growing", goals="traffic") == offline
    role = offline.job_ads[0]["role"]
    texts = {"summary": "Shorter summary.", role: "# Better ad\n", "now": "ignored", "logistics": "not an ad here"}
    polished = planner.plan(polisher=lambda plan: texts, stage="growing", goals="traffic")
    assert polished.polished and polished.summary == "Shorter summary."
    assert polished.job_ads[0]["markdown"] == "# Better ad\n" and len(polished.job_ads) == len(offline.job_ads)
    assert (polished.now, polished.next, polished.later) == (offline.now, offline.next, offline.later)


# -- re-ingest awareness and checks ------------------------------------------------------------------------------
@pytest.fixture
def kb(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def test_plans_follow_the_active_version_after_a_reingest(tmp_path, built_index, kb):
    data_dir = tmp_path / "data"
    shutil.copytree(built_index, data_dir, ignore=shutil.ignore_patterns("*.lock", "*.log", "feedback*"))
    settings = make_settings(data_dir, knowledge_dir=kb)
    planner = TeamPlanner(settings)  # one planner for the whole test, like a running app
    coffee = {"people": 1, "stage": "growing", "goals": ["conversion", "traffic"]}
    before = planner.plan(**coffee)
    assert [e["role"] for e in hires(before.now)] == ["digital-marketer"]

    card = kb / "en" / "roles" / "digital-marketer.md"
    card.write_text(card.read_text().replace("kpis: [Website traffic,", "kpis: [Visitors per week, Website traffic,"))
    rules = kb / "plan.yaml"
    text = rules.read_text()
    rules.write_text(
        text.replace("    now: 1\n    next: 1\n    budget: medium", "    now: 2\n    next: 1\n    budget: medium")
    )
    assert planner.plan(**coffee) == before  # edited files change nothing until they are ingested

    report = run_ingest(settings)
    assert report.published and report.ok, report.problems
    assert "plan.yaml" in report.changed_sources and report.embedded <= 3
    after = planner.plan(**coffee)
    assert [e["role"] for e in hires(after.now)] == ["digital-marketer", "customer-service"]
    assert after.now[1]["kpis"][0]["name"] == "Visitors per week"
    assert {ad["role"] for ad in after.job_ads} == {"digital-marketer", "customer-service"}
    assert after.version != before.version

    rules.unlink()
    assert run_ingest(settings).published
    with pytest.raises(PlanUnavailableError, match="plan.yaml"):
        planner.plan(**coffee)


def test_ingest_check_reports_what_the_plan_rules_need(kb, tmp_path, monkeypatch, capsys):
    rules = kb / "plan.yaml"
    rules.write_text(
        rules.read_text()
        .replace("roles: [customer-service]\n", "roles: [customer-service, intern]\n", 1)
        .replace("  range:\n", "  fame:\n", 1)
    )
    card = kb / "nl" / "roles" / "logistics.md"
    card.write_text("\n".join(line for line in card.read_text().split("\n") if not line.startswith("fit_why:")))
    problems = [str(p) for p in check_plan(kb, load_knowledge(kb).documents)]
    assert any(p.startswith("plan.yaml:") and "names 'intern', which is no role" in p for p in problems), problems
    assert any("goal 'fame' is unknown" in p for p in problems), problems
    assert any(p.startswith("nl/roles/logistics.md:1: error: team plan: fit_why is missing") for p in problems)
    assert check_plan(KNOWLEDGE, load_knowledge(KNOWLEDGE).documents) == []

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(kb))
    assert main(["ingest", "--check"]) == 2
    assert "plan.yaml:" in capsys.readouterr().err
