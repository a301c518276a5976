"""The team plan: which roles a shop needs now, next and later, how to fill each and why (issue #14).

Deterministic and offline. The rules (stage and goal → role order, how a role is filled, budget bands) live
in `knowledge/plan.yaml`; the facts (titles, fit, KPIs, sections to cite) come from the role cards and the
guide, both as stored in the ACTIVE index version (plan_rules.PlanSource), so an ingest changes plans on the
next request. The wording is in plan_writing.py.

A web route or UI tab is a thin call: `TeamPlanner(settings).plan(people=…, stage=…, …)`; bad input raises
PlanInputError (a 400), a missing or rule-less index raises an AssistantError (a 503). An LLM may reword the
summary and job ads through `polish()`, never the roles or facts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from .config import Settings
from .errors import AssistantError
from .language import SUPPORTED
from .plan_rules import GOALS, STAGES, PlanFacts, PlanSource
from .plan_writing import TEXT, first_90_days, job_ad, summary
from .plan_writing import to_markdown as _render

MAX_PEOPLE = 10_000
STAGE_ALIASES = {
    "start": "starting", "starter": "starting", "new": "starting", "beginnend": "starting", "starten": "starting",
    "grow": "growing", "growth": "growing", "groei": "growing", "groeiend": "growing", "groeien": "growing",
    "scale": "scaling", "opschalen": "scaling", "opschalend": "scaling",
}  # fmt: skip


class PlanInputError(AssistantError):
    """An input the plan cannot use; `field` names it (the web layer answers 400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class PlanRequest:
    people: int = 1
    stage: str = "starting"
    budget: float | None = None
    goals: tuple[str, ...] = ()
    have: tuple[str, ...] = ()
    lang: str = "en"


@dataclass
class TeamPlan:
    lang: str
    summary: str
    now: list[dict[str, Any]]
    next: list[dict[str, Any]]
    later: list[dict[str, Any]]
    covered: list[dict[str, Any]]
    first_90_days: list[dict[str, Any]]
    job_ads: list[dict[str, Any]]
    inputs: dict[str, Any]
    version: str
    polished: bool = False  # True when a model reworded the summary or a job ad

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- inputs -------------------------------------------------------------------------------------------------
def _norm(text: str) -> str:
    return re.sub(r"[\s_\-/]+", " ", text.strip().lower()).strip()


def _words(values: Iterable[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [w.strip() for v in values for w in str(v).split(",") if w.strip()]


def role_names(facts: PlanFacts) -> dict[str, str]:
    """Every name a role goes by (id, titles and their parts, aliases; English and Dutch) → role id."""
    names: dict[str, str] = {}
    for cards in facts.roles.values():
        for rid, card in cards.items():
            for name in (rid, card.title, *card.title.split(" / "), *card.aliases):
                names.setdefault(_norm(name), rid)
    return names


def parse_request(
    facts: PlanFacts,
    *,
    people: Any = None,
    stage: Any = None,
    budget: Any = None,
    goals: Iterable[str] | str | None = None,
    have: Iterable[str] | str | None = None,
    lang: Any = None,
) -> PlanRequest:
    """Check and normalise the owner's inputs; every problem is a PlanInputError naming the field."""
    lang = str(lang or "en").strip().lower()
    if lang not in SUPPORTED:
        raise PlanInputError("lang", f"'{lang}' is not supported (use {' or '.join(SUPPORTED)})")
    try:
        n = 1 if people is None or people == "" else int(str(people).strip())
    except ValueError:
        raise PlanInputError("people", f"'{people}' is not a whole number") from None
    if isinstance(people, float) and not people.is_integer():
        raise PlanInputError("people", f"'{people}' is not a whole number")
    if n < 1:
        raise PlanInputError("people", f"{n} is too few: count everyone on the team now, at least 1 (you)")
    if n > MAX_PEOPLE:
        raise PlanInputError("people", f"{n} is more than this guidance is written for (at most {MAX_PEOPLE})")
    st = _norm(str(stage or "starting"))
    st = STAGE_ALIASES.get(st, st)
    if st not in STAGES:
        raise PlanInputError("stage", f"'{stage}' is not a stage (use {', '.join(STAGES)})")
    money: float | None = None
    if budget is not None and budget != "":
        try:
            money = float(str(budget).strip().replace("€", "").replace(",", "").replace("_", ""))
        except ValueError:
            raise PlanInputError("budget", f"'{budget}' is not an amount in euros") from None
        limit = float(facts.rules["budget"].get("max", 1_000_000))
        if math.isnan(money) or money < 0:
            raise PlanInputError("budget", f"'{budget}' must be 0 or more euros a month")
        if money > limit:
            raise PlanInputError("budget", f"€{money:,.0f} a month looks like a typing error (at most €{limit:,.0f})")
    goal_names = {g: g for g in GOALS}
    for gid, conf in facts.rules["goals"].items():
        for alias in (*conf.get("aliases", []), *conf.get("name", {}).values()):
            goal_names.setdefault(_norm(alias), gid)
    chosen: list[str] = []
    for word in _words(goals):
        gid = goal_names.get(_norm(word))
        if gid is None:
            raise PlanInputError("goal", f"'{word}' is not a goal (use {', '.join(GOALS)})")
        if gid not in chosen:
            chosen.append(gid)
    names = role_names(facts)
    covered: list[str] = []
    for word in _words(have):
        rid = names.get(_norm(word))
        if rid is None:
            raise PlanInputError(
                "have", f"'{word}' is not a role (use {', '.join(facts.role_ids())}; Dutch and English names work too)"
            )
        if rid not in covered:
            covered.append(rid)
    return PlanRequest(people=n, stage=st, budget=money, goals=tuple(chosen), have=tuple(covered), lang=lang)


# -- the rules ----------------------------------------------------------------------------------------------
def _band(rules: dict[str, Any], budget: float | None, default: str) -> dict[str, Any]:
    bands = rules["budget"]["bands"]
    if budget is None:
        return next(b for b in bands if b["name"] == default)
    return next((b for b in bands if "below" in b and budget < b["below"]), bands[-1])


def _placement(
    facts: PlanFacts, req: PlanRequest
) -> tuple[list[str], dict[str, list[list[str]]], dict[str, str], set[str]]:
    """(owner roles, hires per bucket as units of roles one person fills, how each is filled, roles that wait
    for a budget with room for a full-time hire)."""
    rules = facts.rules
    stage = rules["stages"][req.stage]
    band = _band(rules, req.budget, stage["budget"])
    have = set(req.have)
    owner = [r for r in stage.get("owner", []) if r not in have]
    helper = [r for r in stage.get("helper", []) if r not in have]
    goal_roles = [rules["goals"][g]["roles"] for g in req.goals]
    interleaved = [lst[i] for i in range(max(map(len, goal_roles), default=0)) for lst in goal_roles if i < len(lst)]
    order: list[str] = []
    for role in [*interleaved, *stage["order"], *facts.role_ids()]:
        if role not in order and role not in have:
            order.append(role)
    buckets: dict[str, list[list[str]]] = {"now": [], "next": [], "later": []}
    how: dict[str, str] = {}
    waited: set[str] = set()
    room = {"now": min(stage["now"], band["hires_now"]), "next": stage["next"]}
    placed: set[str] = set()
    for role in order:
        if role in placed:
            continue
        unit = helper if role in helper else [role]
        placed.update(unit)
        for bucket in ("now", "next", "later"):
            if bucket != "later" and (len(buckets[bucket]) >= room[bucket] or (bucket == "now" and role in owner)):
                continue
            fill = "assistant" if unit is helper else _how(facts, role, req, bucket)
            if bucket == "now" and fill == "in-house" and not band["full_time"]:
                if role not in rules.get("part_time", []):
                    waited.add(role)
                    continue
                fill = "assistant"
            buckets[bucket].append(unit)
            how.update({r: fill for r in unit})
            break
    return owner, buckets, how, waited


def _how(facts: PlanFacts, role: str, req: PlanRequest, bucket: str) -> str:
    stage_how = facts.rules["stages"][req.stage].get("how") or {}
    if bucket != "later" and role in stage_how:
        return str(stage_how[role])
    return str(facts.rules["fit_how"][facts.card(role, req.lang).fit])


def _kpis(facts: PlanFacts, role: str, lang: str) -> list[dict[str, str]]:
    card = facts.card(role, lang)
    targets = {int(t["kpi"]): t for t in facts.rules.get("kpi_targets", {}).get(role, [])}
    standard = role in facts.rules.get("standard_practice_kpis", [])
    out = []
    for i, name in enumerate(card.kpis):
        target = targets.get(i, {}).get(lang)
        basis = "guidance" if target or not standard else "standard practice"
        out.append({"name": name, "target": target or TEXT[lang]["no_target"], "basis": basis})
    return out


def _entry(facts: PlanFacts, req: PlanRequest, role: str, how: str, reason: str, cite: list[str]) -> dict[str, Any]:
    card = facts.card(role, req.lang)
    sections = [facts.source(name, req.lang) for name in cite]
    sections += [facts.role_section(role, "when", req.lang), facts.role_section(role, "kpis", req.lang)]
    if how in ("freelance", "agency", "in-house"):
        sections.append(facts.source("in-house-or-outsource", req.lang))
    sources: list[dict[str, str]] = []
    for sec in sections:
        ref = {"source": sec.source, "section": sec.section} if sec else None
        if ref and ref not in sources:
            sources.append(ref)
    why = reason if how == "owner" else f"{reason} {card.fit_why}".strip()
    return {"role": role, "title": card.title, "how": how, "why": why, "kpis": _kpis(facts, role, req.lang),
            "sources": sources[:4]}  # fmt: skip


def build_plan(facts: PlanFacts, req: PlanRequest) -> TeamPlan:
    rules, lang, t = facts.rules, req.lang, TEXT[req.lang]
    stage = rules["stages"][req.stage]
    owner, buckets, how, waited = _placement(facts, req)
    goal_of = {r: g for g in reversed(req.goals) for r in rules["goals"][g]["roles"]}
    goal_names = [rules["goals"][g]["name"][lang] for g in req.goals]
    plan: dict[str, list[dict[str, Any]]] = {"now": [], "next": [], "later": [], "covered": []}
    for role in owner:
        plan["now"].append(_entry(facts, req, role, "owner", rules["reasons"]["owner"][lang], stage["sources"][:1]))
    units: list[list[dict[str, Any]]] = []
    for bucket, unit_list in buckets.items():
        for unit in unit_list:
            entries = []
            for role in unit:
                card = facts.card(role, lang)
                if len(unit) > 1:
                    reason, cite = rules["reasons"]["helper"][lang], stage["sources"][:1]
                elif role in goal_of:
                    reason = t["goal_why"].format(goals=rules["goals"][goal_of[role]]["name"][lang])
                    cite = rules["goals"][goal_of[role]].get("sources", [])[:1]
                else:
                    reason, cite = card.stage.rstrip(".") + ".", stage["sources"][:1]
                if role in waited:
                    reason += " " + t["budget_wait"]
                entries.append(_entry(facts, req, role, how[role], reason, cite))
            if len(entries) > 1:
                for e in entries:
                    e["shared_with"] = [x["role"] for x in entries if x is not e]
            plan[bucket] += entries
            if bucket == "now":
                units.append(entries)
    for role in req.have:
        card = facts.card(role, lang)
        plan["covered"].append({"role": role, "title": card.title, "kpis": _kpis(facts, role, lang)})
    inputs = {"people": req.people, "stage": req.stage, "budget": req.budget, "goals": list(req.goals),
              "have": list(req.have)}  # fmt: skip
    ads = [
        {"role": u[0]["role"], "roles": [e["role"] for e in u], "markdown": job_ad(facts, u, inputs, goal_names, lang)}
        for u in units
    ]
    return TeamPlan(
        lang=lang,
        summary=summary(inputs, plan, goal_names, lang),
        now=plan["now"],
        next=plan["next"],
        later=plan["later"],
        covered=plan["covered"],
        first_90_days=first_90_days(facts, inputs, plan, goal_names, lang),
        job_ads=ads,
        inputs=inputs,
        version=facts.version,
    )


def to_markdown(plan: TeamPlan | Mapping[str, Any]) -> str:
    """The plan as one Markdown document (download, print)."""
    return _render(plan.as_dict() if isinstance(plan, TeamPlan) else dict(plan))


# -- the LLM seam -------------------------------------------------------------------------------------------
Polisher = Callable[[TeamPlan], Mapping[str, str]]


def polish(plan: TeamPlan, polisher: Polisher | None) -> TeamPlan:
    """Let a model reword the summary and job ads (keys "summary" and job-ad role ids), nothing else.

    Anything else it returns is ignored; an empty text or any failure keeps the offline wording, so the
    owner always gets a plan. The roles, how, why, KPIs, sources and 90 days never pass through the model.
    """
    if polisher is None:
        return plan
    try:
        texts = dict(polisher(plan))
    except Exception:  # noqa: BLE001 - any model failure: the offline plan stands
        return plan
    new_summary = str(texts.get("summary") or "").strip() or plan.summary
    ads = [{**ad, "markdown": _text(texts.get(ad["role"])) or ad["markdown"]} for ad in plan.job_ads]
    changed = new_summary != plan.summary or ads != plan.job_ads
    return replace(plan, summary=new_summary, job_ads=ads, polished=changed)


def _text(value: Any) -> str:
    text = str(value or "").strip()
    return text + "\n" if text else ""


class TeamPlanner:
    """Plans from the active index version; one per process (it caches the version's facts)."""

    def __init__(self, settings: Settings, source: PlanSource | None = None) -> None:
        self.source = source or PlanSource(settings)

    def plan(self, polisher: Polisher | None = None, **inputs: Any) -> TeamPlan:
        facts = self.source.facts()
        return polish(build_plan(facts, parse_request(facts, **inputs)), polisher)
