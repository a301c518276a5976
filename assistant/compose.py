"""The offline answer: composed from the retrieved passages, without any model server.

It picks the passages' sentences that are closest to the question and keeps lists whole, so an owner gets a
short, readable, cited answer shaped by the question: the best section first (headed by its heading only when
that heading is not the FAQ's own first-person question), each fact once (the FAQ and a role page often list
the same KPIs), the whole list when the question asks for one, and "Also relevant" only for what the first
block lacks. About 120–200 words, more only for a full list. It is also what an owner gets when the LLM fails
in any way (see llm.py).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .retrieval import Hit
from .sentences import pieces
from .texts import t

PRIMARY_WHOLE_WORDS = 220  # a section this short is shown whole: it was written to be read as one
RUNNER_UP_MARGIN = 0.05  # a second passage scored within this of the first gets more room in the answer
RUNNER_UP_WORDS = 110
RUNNER_UP_WHOLE_WORDS = 160
ANSWER_WORDS = 250
LIST_WORDS = 320  # a question that asks for a whole list (all causes, roles, steps, results) gets it
REPEAT_LIMIT = 0.8  # cosine above which a sentence says what the answer already says

_ASKS_FOR_LIST = re.compile(
    r"\b(what are the|which (roles|steps|causes|kpis?)|all (the )?(roles|steps|causes|results)|list|"
    r"causes|reasons|steps|results|achieve|achieved|roles exist|wat zijn de|welke (rollen|stappen|oorzaken)|"
    r"alle (rollen|stappen|oorzaken)|oorzaken|redenen|stappen|resultaten|bereikt|opgeleverd|opbrengst|"
    r"lijst|rollen zijn er|in cijfers|figures|numbers)\b",
    re.IGNORECASE,
)


def asks_for_list(question: str) -> bool:
    """ "What are the causes", "which roles exist", "what did the coffee shop achieve": the whole list."""
    return bool(_ASKS_FOR_LIST.search(question))


class _VectorCache:
    """Sentence vectors by text, per embedding model: a passage's sentences are embedded once per process.

    The passages only change with a new index version, so after warm-up the composer embeds nothing
    (measured in bench/retrieval.py: offline answer time after retrieval).
    """

    def __init__(self, size: int = 20000) -> None:
        self.size = size
        self._data: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, texts: list[str], embed_many: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        owner = id(getattr(embed_many, "__self__", embed_many))
        with self._lock:
            missing = sorted({x for x in texts if (owner, x) not in self._data})
        if missing:
            vectors = np.asarray(embed_many(missing), dtype=np.float32)
            with self._lock:
                for text, vec in zip(missing, vectors, strict=True):
                    self._data[(owner, text)] = vec
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
        with self._lock:
            return np.stack([self._data[(owner, x)] for x in texts])


SENTENCE_VECTORS = _VectorCache()


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
    for piece in pieces(text):
        if piece.is_item:
            out.append(Unit(piece.text, hit, len(out), True, lead))
            continue
        out.append(Unit(piece.text, hit, len(out), False, None))
        lead = len(out) - 1 if piece.ends_lead else None
    return out


def _words(text: str) -> int:
    return len(text.split())


def _join(units: list[Unit], n: int) -> str:
    """Sentences of one source as prose, list items as a list, with the source's citation.

    A list and the paragraph after it are separated by a blank line, so Markdown never glues the paragraph
    into the last bullet.
    """
    blocks: list[str] = []
    items: list[str] = []
    prose: list[str] = []
    for unit in units:
        if unit.is_item:
            if prose:
                blocks.append(" ".join(prose))
                prose = []
            items.append("- " + re.sub(r"^([-*•]|\d+[.)])\s+", "", unit.text))
        else:
            if items:
                blocks.append("\n".join(items))
                items = []
            prose.append(unit.text)
    if prose:
        blocks.append(" ".join(prose))
    if items:
        blocks.append("\n".join(items))
    return "\n\n".join(blocks) + f" [{n}]"


def _norm(text: str) -> str:
    return re.sub(r"[^\w%]+", " ", re.sub(r"^([-*•]|\d+[.)])\s+", "", text).lower()).strip()


def _heading(hit: Hit) -> str:
    """The section heading, unless it is a question (the FAQ's "I'm a very small business, …?"): then none.

    The answer then opens with its first sentence, which answers the question directly.
    """
    title = str(hit.metadata.get("section") or hit.metadata.get("title", "")).strip()
    return "" if not title or title.endswith("?") else title


def compose_offline(
    question_vec: np.ndarray | None,
    hits: list[Hit],
    lang: str,
    embed_many: Callable[[list[str]], np.ndarray],
    question: str = "",
) -> tuple[str, list[int]]:
    """A short answer from the best passages. Returns the text and the hit indexes it cites."""
    if not hits:
        return t(lang, "decline"), []
    wants_list = asks_for_list(question)
    all_units = [u for i, h in enumerate(hits[:3]) for u in _units(h.text, i)]
    # One copy of each fact: a sentence or item that appears twice (FAQ and role page) is kept once.
    seen: set[str] = set()
    unique: list[Unit] = []
    for unit in all_units:
        key = _norm(unit.text)
        if key and key not in seen:
            seen.add(key)
            unique.append(unit)
    all_units = unique
    if question_vec is not None and all_units:
        vectors = SENTENCE_VECTORS.get_many([u.text for u in all_units], embed_many)
        sims = vectors @ question_vec
    else:
        vectors = np.zeros((len(all_units), 1))
        sims = np.zeros(len(all_units))
    index_of = {id(u): i for i, u in enumerate(all_units)}
    by_hit: dict[int, list[tuple[Unit, float]]] = {}
    for unit, sim in zip(all_units, sims, strict=True):
        by_hit.setdefault(unit.hit, []).append((unit, float(sim)))

    sections: list[tuple[int, list[Unit]]] = []
    budget = LIST_WORDS if wants_list else ANSWER_WORDS
    primary = by_hit.get(0, [])
    primary_words = sum(_words(u.text) for u, _ in primary)
    if primary_words <= (LIST_WORDS if wants_list else PRIMARY_WHOLE_WORDS):
        chosen = [u for u, _ in primary]
    else:
        chosen = _pick(primary, budget=150 if not wants_list else LIST_WORDS - 20)
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
        if not candidates:
            continue  # everything it says is already in the answer
        whole = [u for u, _ in by_hit[i] if not _repeats(vectors[index_of[id(u)]], vectors[shown])]
        if close and sum(_words(u.text) for u in whole) <= min(budget, RUNNER_UP_WHOLE_WORDS):
            picked = whole  # a close second that is short is shown whole, like the first: lists stay complete
        elif close:
            picked = _pick(candidates, budget=min(budget, RUNNER_UP_WORDS), max_units=5)
        else:
            picked = _pick(candidates, budget=min(budget, 45), max_units=2)
        picked = [u for u in picked if not (u.text.endswith(":") and u is picked[-1])]
        if picked and sum(_words(u.text) for u in picked) >= 6:
            sections.append((i, picked))
            budget -= sum(_words(u.text) for u in picked)

    cited = [i for i, _ in sections]
    numbers = {hit: n + 1 for n, hit in enumerate(cited)}
    title = _heading(hits[0])
    body = [f"**{title}**"] if title else []
    body.append(_join(sections[0][1], numbers[0]))
    if len(sections) > 1:
        body.append(t(lang, "also"))
        for i, units in sections[1:]:
            body.append(_join(units, numbers[i]))
    return "\n\n".join(body), cited


def _repeats(vector: np.ndarray, shown: np.ndarray, limit: float = REPEAT_LIMIT) -> bool:
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
