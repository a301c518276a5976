"""The units of an offline answer (sentences and list items of the retrieved passages) and the rules for
choosing and ordering them: which sentence may open an answer, which ones travel together (a list item with
its introduction, a sentence with the one it leans on), which steps of a numbered list stay together.

Kept apart from the composer (compose.py), which decides which passages an answer shows and how much of
each; these rules hold whatever the passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .sentences import pieces

LEAD_MARGIN = 0.05  # a later sentence opens the answer only when this much closer to the question


_POINTS_AWAY = re.compile(
    r"\b(below|above|see the|hieronder|hierboven|zie de|th(is|e) (case|guide)|deze (case|gids))\b"
    r"|^(this|that|these|dit|dat|deze)\b"
    # a pointer to the case for more ("The case study … shows how", "In de case study … lees je hoe")
    r"|\bcase ?study\b.{0,50}\b(shows|show|laat zien|zie je|lees je|read)\b",
    re.IGNORECASE,
)


# A sentence that leans on the one before it ("That way you get …", "Beide zijn signalen …") is shown with it.
_LEANS_BACK = re.compile(
    r"^(that way|this way|both|these|this|that|they|then|so|yet|but|still|the (consequence|result)|as a result|"
    r"beide|dat|dit|deze|die|zo|daarom|daardoor|daarna|toch|maar|het (gevolg|resultaat)|als gevolg"
    r"|after that|[\w-]+ (daarna|vervolgens))\b",  # "After that, consider …", "Overweeg daarna …"
    re.IGNORECASE,
)


@dataclass
class Unit:
    text: str
    hit: int  # index into hits
    order: int
    is_item: bool
    lead: int | None  # the sentence that introduces a list, kept with its items


def split_units(text: str, hit: int) -> list[Unit]:
    out: list[Unit] = []
    lead: int | None = None
    for piece in pieces(text):
        if piece.is_item:
            out.append(Unit(piece.text, hit, len(out), True, lead))
            continue
        out.append(Unit(piece.text, hit, len(out), False, None))
        lead = len(out) - 1 if piece.ends_lead else None
    return out


_NUMBERED = re.compile(r"^\d+[.)]\s")


def whole_steps(section: list[Unit], fresh: list[Unit]) -> list[Unit]:
    """The section's new units, with a numbered list kept whole once any of its steps is new: a plan without
    its step 3 is another plan, though the answer already says something like step 3 elsewhere."""
    kept = {u.lead for u in fresh if u.is_item and _NUMBERED.match(u.text)}
    return [u for u in section if u in fresh or (u.is_item and _NUMBERED.match(u.text) and u.lead in kept)]


def without_orphan_leads(units: list[Unit]) -> list[Unit]:
    """A line that introduces a list ("These are the KPIs …:") is dropped when no list item follows it: its
    items were already shown, and a colon followed by an unrelated sentence reads as a broken answer."""
    return [
        u
        for n, u in enumerate(units)
        if not (u.text.endswith(":") and not u.is_item and (n + 1 == len(units) or not units[n + 1].is_item))
    ]


def word_count(text: str) -> int:
    return len(text.split())


def join_units(units: list[Unit], n: int) -> str:
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


def lead_first(units: list[Unit], sims: dict[int, float]) -> list[Unit]:
    """The most on-point sentence opens the answer; the rest of the section follows in its own order.

    A section's first sentence usually is its answer, so another sentence leads only when it is clearly
    closer to the question (LEAD_MARGIN). Only a prose sentence can lead (a list item needs its introduction)
    and never one that points elsewhere ("the causes below") or leans on the sentence before it ("Both are
    signs …"), so the answer opens with the point itself.
    """
    if not units:
        return units
    head = units[0]
    prose = [
        u
        for u in units[1:]
        if not u.is_item
        and not u.text.endswith(":")
        and word_count(u.text) >= 5
        and not _POINTS_AWAY.search(u.text)
        and not _LEANS_BACK.match(u.text)
    ]
    if not prose:
        return units
    lead = max(prose, key=lambda u: sims.get(id(u), 0.0))
    margin = -1.0 if _POINTS_AWAY.search(head.text) else LEAD_MARGIN
    if sims.get(id(lead), 0.0) < sims.get(id(head), 0.0) + margin:
        return units
    return [lead] + [u for u in units if u is not lead]


def pick(
    scored: list[tuple[Unit, float]], budget: int, max_units: int = 8, context: list[Unit] | None = None
) -> list[Unit]:
    """Best units by similarity within a word budget, shown in their original order.

    A list item brings its introducing sentence along (from `context`, the whole section, when given), so a
    list never appears without context; so does a sentence that leans on the one before it.
    """
    chosen: dict[int, Unit] = {}
    units = {u.order: u for u in (context if context is not None else [u for u, _ in scored])}
    used = 0
    for unit, _ in sorted(scored, key=lambda p: -p[1]):
        if len(chosen) >= max_units:
            break
        extra = [unit]
        if unit.is_item and unit.lead is not None and unit.lead in units and unit.lead not in chosen:
            extra.insert(0, units[unit.lead])
        elif not unit.is_item and _LEANS_BACK.match(unit.text) and unit.order - 1 in units:
            before = units[unit.order - 1]
            if before.order not in chosen and not before.is_item:
                extra.insert(0, before)
        cost = sum(word_count(u.text) for u in extra if u.order not in chosen)
        if used + cost > budget and chosen:
            continue
        for u in extra:
            chosen[u.order] = u
        used += cost
    return [chosen[k] for k in sorted(chosen)]
