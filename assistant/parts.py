"""A question that asks two or three things ("which KPIs for CS and how often do I check them?") is answered part
by part: this module finds the parts.

It splits only where a new question clearly starts: after a question mark, or at "and"/"en" (or a comma)
followed by a question word. "In-house and freelance" stays one part. A part that leans on an earlier one
("…and what do *they* do all day") borrows the role names the earlier part used, so it can be searched on its
own; which parts really need their own answer is decided later, by what the search finds for each (two
parts that lead to the same passage, or whose answers say the same, are answered once).
"""

from __future__ import annotations

import re

MAX_PARTS = 3
MIN_PART_WORDS = 3

_WH = r"what|which|how|when|where|who|why|wat|welke|hoe|wanneer|waar|wie|waarom"
_ASKING = re.compile(
    rf"^({_WH}|do|does|did|should|can|could|is|are|would|will|moet|moeten|kan|kunnen|zijn|heb|hebben|"
    r"doe|doen|wordt|zal|zou|mag)\b",
    re.IGNORECASE,
)
_SPLIT = re.compile(rf"(?<=\?)\s+(?=\S)|,?\s+(?:and|en)\s+(?=(?:{_WH})\b)|,\s+(?=(?:{_WH})\b)", re.IGNORECASE)
_LEADING_CONNECTIVE = re.compile(r"^(and|also|plus|en|ook|of|or)\s+", re.IGNORECASE)


def _asks(piece: str) -> bool:
    """Starts like a question: "marketing, warehouse, the web designer?" and "like 50% more?" are examples."""
    return bool(_ASKING.match(_LEADING_CONNECTIVE.sub("", piece.strip())))


def split_parts(question: str) -> list[str]:
    """The question's parts, in order; one part when it asks one thing.

    A piece that does not ask anything ("dont know where to begin", "our warehouse gets surprised by promos")
    is context: it stays with the part before it.
    """
    text = question.strip()
    pieces: list[str] = []
    for piece in (p.strip(" ,;") for p in _SPLIT.split(text)):
        if not piece.strip(" ?"):
            continue
        if pieces and not _asks(piece):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(_LEADING_CONNECTIVE.sub("", piece).strip())
    if len(pieces) < 2 or any(len(re.findall(r"\w+", p)) < MIN_PART_WORDS for p in pieces):
        return [text]
    if len(pieces) > MAX_PARTS:
        pieces = pieces[: MAX_PARTS - 1] + [" ".join(pieces[MAX_PARTS - 1 :])]
    return [p if p.endswith("?") else f"{p}?" for p in pieces]


def role_mentions(text: str, role_terms: dict[str, list[str]]) -> list[str]:
    """The role names a text uses, as it spells them (longest first, no overlaps)."""
    found: list[tuple[int, int, str]] = []
    lower = text.lower()
    for term in sorted({t for terms in role_terms.values() for t in terms}, key=len, reverse=True):
        for m in re.finditer(rf"(?<![\w-]){re.escape(term)}\w*", lower):
            if not any(start <= m.start() < end for start, end, _ in found):
                found.append((m.start(), m.end(), text[m.start() : m.end()]))
    return [name for _, _, name in sorted(found)]


def searchable_parts(parts: list[str], role_terms: dict[str, list[str]]) -> list[str]:
    """Each part as a search query. A part naming no role borrows the roles an earlier part named ("what
    KPIs for an e-commerce manager and what do *they* do all day"), or, when none did, the part before it
    ("how much did sales go up" after "what happened to the coffee shop's numbers")."""
    queries: list[str] = []
    carried: list[str] = []
    for n, part in enumerate(parts):
        named = role_mentions(part, role_terms)
        carried = named or carried
        if named or not n:
            queries.append(part)
        else:
            queries.append(f"{part} ({', '.join(carried) if carried else parts[n - 1]})")
    return queries


def same_facts(answer: str, earlier: str, overlap: float = 0.5) -> bool:
    """Two part answers that share most of their words (the FAQ and the role page list the same KPIs)."""
    a, b = (set(re.findall(r"\w{4,}", x.lower())) for x in (answer, earlier))
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= overlap
