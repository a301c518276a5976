"""The offline answer: composed from the retrieved passages, without any model server.

It picks the passages' sentences that are closest to the question and keeps lists whole, so an owner gets a
short, readable, cited answer. It is also what an owner gets when the LLM fails in any way (see llm.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .retrieval import Hit
from .texts import t

PRIMARY_WHOLE_WORDS = 260  # a section this short is shown whole: it was written to be read as one
RUNNER_UP_MARGIN = 0.05  # a second passage scored within this of the first gets more room in the answer
RUNNER_UP_WORDS = 120
RUNNER_UP_WHOLE_WORDS = 170
ANSWER_WORDS = 330


@dataclass
class Unit:
    text: str
    hit: int  # index into hits
    order: int
    is_item: bool
    lead: int | None  # the sentence that introduces a list, kept with its items


def _units(text: str, hit: int) -> list[Unit]:
    out: list[Unit] = []
    lead: int | None = None
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        for line in lines:
            if re.match(r"^([-*•]|\d+[.)])\s+", line):
                out.append(Unit(line, hit, len(out), True, lead))
                continue
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])", line):
                if sentence.strip():
                    out.append(Unit(sentence.strip(), hit, len(out), False, None))
            lead = len(out) - 1 if line.endswith(":") else None
    return out


def _words(text: str) -> int:
    return len(text.split())


def _join(units: list[Unit], n: int) -> str:
    """Sentences of one source as prose, list items as a list, with the source's citation."""
    parts: list[str] = []
    prose: list[str] = []
    for unit in units:
        if unit.is_item:
            if prose:
                parts.append(" ".join(prose))
                prose = []
            item = re.sub(r"^([-*•]|\d+[.)])\s+", "", unit.text)
            parts.append(f"- {item}")
        else:
            prose.append(unit.text)
    if prose:
        parts.append(" ".join(prose))
    text = "\n".join(parts)
    return f"{text} [{n}]" if not text.endswith("\n") else f"{text}[{n}]"


def compose_offline(
    question_vec: np.ndarray | None, hits: list[Hit], lang: str, embed_many: Callable[[list[str]], np.ndarray]
) -> tuple[str, list[int]]:
    """A short answer from the best passages. Returns the text and the hit indexes it cites."""
    if not hits:
        return t(lang, "decline"), []
    all_units = [u for i, h in enumerate(hits[:3]) for u in _units(h.text, i)]
    if question_vec is not None and all_units:
        vectors = embed_many([u.text for u in all_units])
        sims = vectors @ question_vec
    else:
        vectors = np.zeros((len(all_units), 1))
        sims = np.zeros(len(all_units))
    index_of = {id(u): i for i, u in enumerate(all_units)}
    by_hit: dict[int, list[tuple[Unit, float]]] = {}
    for unit, sim in zip(all_units, sims, strict=True):
        by_hit.setdefault(unit.hit, []).append((unit, float(sim)))

    sections: list[tuple[int, list[Unit]]] = []
    budget = ANSWER_WORDS
    primary = by_hit.get(0, [])
    if _words(hits[0].text) <= PRIMARY_WHOLE_WORDS:
        chosen = [u for u, _ in primary]
    else:
        chosen = _pick(primary, budget=150)
    sections.append((0, chosen))
    budget -= sum(_words(u.text) for u in chosen)
    best_primary = max((s for _, s in primary), default=0.0)

    for i in (1, 2):
        if i not in by_hit or budget < 25:
            continue
        if hits[i].metadata.get("section") == hits[0].metadata.get("section") and hits[i].metadata.get(
            "doc_id"
        ) == hits[0].metadata.get("doc_id"):
            continue
        shown = [index_of[id(u)] for _, units in sections for u in units]
        close = i == 1 and hits[1].score >= hits[0].score - RUNNER_UP_MARGIN
        candidates = [
            (u, s)
            for u, s in by_hit[i]
            if (close or s >= best_primary - 0.12)
            and not u.text.endswith(":")
            and not _repeats(vectors[index_of[id(u)]], vectors[shown])
        ]
        whole = [u for u, _ in by_hit[i]]
        if close and sum(_words(u.text) for u in whole) <= min(budget, RUNNER_UP_WHOLE_WORDS):
            picked = whole  # a close second that is short is shown whole, like the first: lists stay complete
        elif close:
            picked = _pick(candidates, budget=min(budget, RUNNER_UP_WORDS), max_units=6)
        else:
            picked = _pick(candidates, budget=min(budget, 60), max_units=2)
        if picked:
            sections.append((i, picked))
            budget -= sum(_words(u.text) for u in picked)

    cited = [i for i, _ in sections]
    numbers = {hit: n + 1 for n, hit in enumerate(cited)}
    title = hits[0].metadata.get("section") or hits[0].metadata.get("title", "")
    body = [f"**{title}**", _join(sections[0][1], numbers[0])]
    if len(sections) > 1:
        body.append(t(lang, "also"))
        for i, units in sections[1:]:
            body.append(_join(units, numbers[i]))
    return "\n\n".join(body), cited


def _repeats(vector: np.ndarray, shown: np.ndarray, limit: float = 0.8) -> bool:
    """A sentence that says what the answer already says adds length, not advice."""
    return bool(shown.size) and float((shown @ vector).max()) >= limit


def _pick(scored: list[tuple[Unit, float]], budget: int, max_units: int = 8) -> list[Unit]:
    """Best units by similarity within a word budget, shown in their original order.

    A list item brings its introducing sentence along, so a list never appears without context.
    """
    chosen: dict[int, Unit] = {}
    units = {u.order: u for u, _ in scored}
    used = 0
    for unit, _ in sorted(scored, key=lambda p: -p[1]):
        if len(chosen) >= max_units:
            break
        extra = [unit]
        if unit.is_item and unit.lead is not None and unit.lead in units and unit.lead not in chosen:
            extra.insert(0, units[unit.lead])
        cost = sum(_words(u.text) for u in extra if u.order not in chosen)
        if used + cost > budget and chosen:
            continue
        for u in extra:
            chosen[u.order] = u
        used += cost
    return [chosen[k] for k in sorted(chosen)]
