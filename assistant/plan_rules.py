"""The team plan's inputs: the rules in `knowledge/plan.yaml` and the role cards, as of one index version.

Why per version: a plan must change exactly when the guidance does, i.e. on the next request after an
ingest publishes, like answers. So the ingest checks the rules against the role cards it loaded and stores
both (rules + each role's front matter) as a small JSON document in the new version's collection metadata;
the section texts a plan quotes (role cards, checklist) are read from that version's chunks. `PlanSource`
reads the active version and keeps what it parsed until the active version changes.

This module sits on the ingest side of the data path (it imports only knowledge and store); plan.py builds
plans from what it returns.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .config import Settings
from .errors import AssistantError
from .knowledge import PLAN_RULES_FILE, Problem, SourceDocument
from .language import SUPPORTED
from .store import IndexStore

STAGES = ("starting", "growing", "scaling")
GOALS = ("traffic", "conversion", "service", "delivery", "content", "range")
HOW = ("owner", "assistant", "freelance", "agency", "in-house")
FITS = ("in-house", "freelance", "hybrid")
ROLE_SECTION_KINDS = ("what", "skills", "when", "kpis", "team")


class PlanUnavailableError(AssistantError):
    """The active index version holds no usable team-plan rules."""


@dataclass(frozen=True)
class RoleCard:
    role: str
    lang: str
    title: str
    source: str
    stage: str
    fit: str
    fit_why: str
    kpis: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    source: str
    section: str
    text: str


# -- ingest side: read, check, store ---------------------------------------------------------------------
def _line_of(raw: str, needle: str) -> int:
    for i, line in enumerate(raw.split("\n"), 1):
        if needle in line:
            return i
    return 1


def read_rules(knowledge_dir: Path) -> tuple[dict[str, Any] | None, str, list[Problem]]:
    """(rules, raw text, problems). No rules file means no team plans, which is not an error."""
    path = knowledge_dir / PLAN_RULES_FILE
    if not path.is_file():
        return None, "", []
    raw = path.read_text(encoding="utf-8")
    try:
        rules = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return None, raw, [Problem(PLAN_RULES_FILE, line, f"not valid YAML ({getattr(exc, 'problem', exc)})")]
    if not isinstance(rules, dict):
        return None, raw, [Problem(PLAN_RULES_FILE, 1, "must be a YAML mapping (key: value lines)")]
    return rules, raw, []


def _headings(doc: SourceDocument) -> list[str]:
    return [line[3:].strip() for line in doc.text.split("\n") if line.startswith("## ")]


def check_rules(rules: dict[str, Any], raw: str, documents: list[SourceDocument]) -> list[Problem]:
    """Everything a plan relies on: known stages, goals, roles and ways to fill them; citable sections."""
    problems: list[Problem] = []

    def err(message: str, near: str = "", severity: str = "error") -> None:
        problems.append(Problem(PLAN_RULES_FILE, _line_of(raw, near) if near else 1, message, severity))

    roles = {d.doc_id for d in documents if d.doc_type == "role"}
    cards = [d for d in documents if d.doc_type == "role"]
    for doc in cards:
        fm = doc.front_matter
        if fm.get("fit") not in FITS:
            problems.append(Problem(doc.source, 1, f"team plan: fit must be one of {', '.join(FITS)}"))
        if not fm.get("fit_why"):
            problems.append(Problem(doc.source, 1, "team plan: fit_why is missing (a plan's 'why' needs it)"))
        if not isinstance(fm.get("kpis"), list) or not all(isinstance(k, str) and k for k in fm["kpis"]):
            problems.append(Problem(doc.source, 1, "team plan: kpis must be a list of names"))

    def known_roles(value: Any, where: str) -> None:
        if not isinstance(value, list):
            err(f"{where} must be a list of role ids", where.split(".")[-1])
            return
        for role in value:
            if role not in roles:
                err(f"{where} names '{role}', which is no role in the guidance ({', '.join(sorted(roles))})", role)

    stages = rules.get("stages") or {}
    if set(stages) != set(STAGES):
        err(f"stages must be exactly: {', '.join(STAGES)}", "stages")
    sources = rules.get("sources") or {}
    for stage, conf in stages.items():
        conf = conf or {}
        for key in ("owner", "helper", "order"):
            known_roles(conf.get(key, []), f"stages.{stage}.{key}")
        for role, how in (conf.get("how") or {}).items():
            known_roles([role], f"stages.{stage}.how")
            if how not in HOW:
                err(f"stages.{stage}.how.{role}: '{how}' is not one of {', '.join(HOW)}", f"{role}: {how}")
        for key in ("now", "next"):
            if not isinstance(conf.get(key), int) or conf[key] < 0:
                err(f"stages.{stage}.{key} must be a whole number of hires (0 or more)", f"{key}:")
        for name in conf.get("sources", []):
            if name not in sources:
                err(f"stages.{stage}.sources names '{name}', which is not under sources", name)
    goals = rules.get("goals") or {}
    for goal, conf in goals.items():
        if goal not in GOALS:
            err(f"goal '{goal}' is unknown (goals: {', '.join(GOALS)})", f"{goal}:")
            continue
        known_roles((conf or {}).get("roles", []), f"goals.{goal}.roles")
        for name in (conf or {}).get("sources", []):
            if name not in sources:
                err(f"goals.{goal}.sources names '{name}', which is not under sources", name)
        for lang in SUPPORTED:
            if not ((conf or {}).get("name") or {}).get(lang):
                err(f"goals.{goal}.name has no '{lang}' text", f"{goal}:")
    known_roles(rules.get("part_time", []), "part_time")
    known_roles(rules.get("standard_practice_kpis", []), "standard_practice_kpis")
    if set((rules.get("fit_how") or {}).values()) - set(HOW):
        err(f"fit_how values must be among {', '.join(HOW)}", "fit_how")
    bands = (rules.get("budget") or {}).get("bands") or []
    if not bands or any("hires_now" not in b or "name" not in b for b in bands) or "below" in bands[-1]:
        err("budget.bands must list bands with name and hires_now, the last without 'below'", "bands")
    for stage, conf in stages.items():
        if (conf or {}).get("budget") not in {b.get("name") for b in bands}:
            err(f"stages.{stage}.budget must name one of the budget bands", "budget:")
    for key in ("owner", "helper"):
        for lang in SUPPORTED:
            if not ((rules.get("reasons") or {}).get(key) or {}).get(lang):
                err(f"reasons.{key} has no '{lang}' text", f"{key}:")

    # Every cited section must exist in every language that has the document.
    by_doc: dict[tuple[str, str], list[str]] = {(d.lang, d.doc_id): _headings(d) for d in documents}
    for name, ref in sources.items():
        for lang in SUPPORTED:
            heads = by_doc.get((lang, ref.get("doc", "")))
            if heads is not None and not any(h.startswith(str(ref.get(lang, "\0"))) for h in heads):
                err(f"sources.{name}: no '{lang}' section of '{ref.get('doc')}' starts with {ref.get(lang)!r}", name)
    for kind in ROLE_SECTION_KINDS:
        prefixes = (rules.get("role_sections") or {}).get(kind) or {}
        for doc in cards:
            if not any(h.startswith(str(prefixes.get(doc.lang, "\0"))) for h in _headings(doc)):
                problems.append(
                    Problem(doc.source, 1, f"team plan: no section starts with {prefixes.get(doc.lang)!r} ({kind})")
                )
    for role, targets in (rules.get("kpi_targets") or {}).items():
        known_roles([role], "kpi_targets")
        for target in targets or []:
            for doc in cards:
                if doc.doc_id == role and not 0 <= int(target.get("kpi", -1)) < len(doc.front_matter.get("kpis") or []):
                    err(f"kpi_targets.{role}: kpi {target.get('kpi')} is not a position in {doc.source}'s kpis", role)
    return problems


def check_plan(knowledge_dir: Path, documents: list[SourceDocument]) -> list[Problem]:
    rules, raw, problems = read_rules(knowledge_dir)
    return problems + (check_rules(rules, raw, documents) if rules is not None else [])


def plan_metadata(knowledge_dir: Path, documents: list[SourceDocument]) -> tuple[dict[str, str], list[Problem]]:
    """Collection metadata for a new version: the rules and role cards as JSON (empty when unusable)."""
    rules, raw, problems = read_rules(knowledge_dir)
    if rules is not None:
        problems += check_rules(rules, raw, documents)
    usable = rules is not None and not any(p.severity == "error" for p in problems)
    cards: dict[str, dict[str, Any]] = {}
    for doc in documents:
        if doc.doc_type == "role":
            fm = doc.front_matter
            cards.setdefault(doc.lang, {})[doc.doc_id] = {
                "title": doc.title,
                "source": doc.source,
                "stage": str(fm.get("stage", "")),
                "fit": str(fm.get("fit", "")),
                "fit_why": str(fm.get("fit_why", "")),
                "kpis": [str(k) for k in fm.get("kpis") or []],
                "aliases": [str(a) for a in fm.get("aliases") or []],
            }
    blob = json.dumps({"rules": rules, "roles": cards}, ensure_ascii=False, sort_keys=True) if usable else ""
    return {
        "plan": blob,
        "plan_hash": hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16],
        "plan_rules_hash": hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16],
    }, problems


# -- read side: the active version's plan facts ----------------------------------------------------------
@dataclass
class PlanFacts:
    version: str
    rules: dict[str, Any]
    roles: dict[str, dict[str, RoleCard]]  # lang -> role id -> card
    sections: dict[tuple[str, str], list[Section]]  # (lang, doc id) -> sections in document order

    def role_ids(self) -> list[str]:
        return sorted({r for cards in self.roles.values() for r in cards})

    def card(self, role: str, lang: str) -> RoleCard:
        """The card in `lang`, else in another language (like answers, a missing translation falls back)."""
        for code in (lang, *SUPPORTED):
            if role in self.roles.get(code, {}):
                return self.roles[code][role]
        raise PlanUnavailableError(f"role '{role}' has no role card in the active index version")

    def find(self, lang: str, doc_id: str, prefix: str) -> Section | None:
        for code in (lang, *SUPPORTED):
            for sec in self.sections.get((code, doc_id), []):
                if sec.section.startswith(prefix):
                    return sec
        return None

    def source(self, name: str, lang: str) -> Section | None:
        ref = self.rules["sources"][name]
        return self.find(lang, ref["doc"], ref[lang])

    def role_section(self, role: str, kind: str, lang: str) -> Section | None:
        card = self.card(role, lang)
        return self.find(card.lang, role, self.rules["role_sections"][kind][card.lang])

    def checklist_step(self, n: int, lang: str) -> Section | None:
        return self.find(lang, "checklist", f"{self.rules['checklist_steps'][lang]}{n}")


def facts_from_version(name: str, metadata: dict[str, Any], chunks: list[dict[str, Any]]) -> PlanFacts:
    blob = str(metadata.get("plan") or "")
    if not blob:
        reason = "was built before team plans existed" if "plan" not in metadata else "has no valid plan rules"
        raise PlanUnavailableError(
            f"The active index version {reason}. Check knowledge/{PLAN_RULES_FILE} with "
            "`python ingest.py --check`, then re-ingest with `python ingest.py`."
        )
    data = json.loads(blob)
    roles = {
        lang: {rid: RoleCard(role=rid, lang=lang, **{**c, "kpis": tuple(c["kpis"]), "aliases": tuple(c["aliases"])})
               for rid, c in cards.items()}
        for lang, cards in data["roles"].items()
    }  # fmt: skip
    parts: dict[tuple[str, str, str], list[tuple[int, str]]] = {}
    order: dict[tuple[str, str], list[str]] = {}
    for m in sorted(chunks, key=lambda m: (str(m.get("source")), int(m.get("position", 0)))):
        key = (str(m.get("lang")), str(m.get("doc_id")), str(m.get("section")))
        if key not in parts:
            order.setdefault(key[:2], []).append(key[2])
        parts.setdefault(key, []).append((int(m.get("position", 0)), str(m.get("text", ""))))
    source_of = {(str(m.get("lang")), str(m.get("doc_id"))): str(m.get("source")) for m in chunks}
    sections = {
        doc: [Section(source_of[doc], s, "\n\n".join(t for _, t in sorted(parts[(*doc, s)]))) for s in names]
        for doc, names in order.items()
    }
    return PlanFacts(version=name, rules=data["rules"], roles=roles, sections=sections)


class PlanSource:
    """The active version's plan facts, re-read only when the active version changes (one cheap check)."""

    DOC_TYPES = ["role", "faq", "checklist", "case-study", "article"]

    def __init__(self, settings: Settings, store: IndexStore | None = None) -> None:
        self.store = store or IndexStore(settings)
        self._facts: PlanFacts | None = None
        self._lock = threading.Lock()

    def facts(self) -> PlanFacts:
        name = self.store.active_name()
        current = self._facts
        if current is not None and current.version == name:
            return current
        with self._lock:
            info, collection = self.store.active()
            if self._facts is None or self._facts.version != info.name:
                where: Any = {"doc_type": {"$in": list(self.DOC_TYPES)}}
                got = collection.get(where=where, include=["metadatas"])
                metas = [dict(m or {}) for m in got["metadatas"] or []]
                self._facts = facts_from_version(info.name, dict(collection.metadata or {}), metas)
            return self._facts
