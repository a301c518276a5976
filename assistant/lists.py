"""Whole lists: the other sections of the best passage's document, for questions that need them.

The guidance splits a series over sections ("Cause 1" … "Cause 5", "Checklist step 1" … "6", one section per
consequence), and a search returns four passages, so "what are the causes" would show two of five. The
composer gets the document's other sections (`document_sections`) and shows the whole series
(`series_items`), one line per section. A question that asks for the kind of section the document holds
elsewhere ("what did the coffee shop achieve" = its results) gets that section first (`primary_index`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .intent import (
    GUIDE_PARTS,
    ONE_THING_PARTS,
    PART_MARGIN,
    first_asked,
    passage_facet,
    question_facets,
)
from .retrieval import Hit
from .series import MIN_SERIES, SERIES_ASKED, SERIES_HEADING, asks_why_in_general, names_series, series_kind, step_index
from .situation import states_small_team

STANDS_OUT = 0.1  # a series member this far ahead of the next hit is the one the question is about
LEAD_SCORE_MARGIN = PART_MARGIN  # a hit of the asked kind leads only when it scores about as well as the best hit
_ACHIEVED = re.compile(r"\b(achiev\w*|bereikt|behaald|opgeleverd|gained|won)\b", re.IGNORECASE)


def document_sections(
    ids: Sequence[str],
    texts: Sequence[str],
    metadatas: Sequence[dict[str, Any]],
    hits: list[Hit],
    question: str = "",
) -> list[Hit]:
    """The lead hit's document's other sections (same language), in document order, not already in `hits`.

    The lead is the hit `primary_index` puts first: the best hit, or, with `question`, the hit of the guide
    part it asks for ("which consequences does an incomplete team have" under a best hit on the causes gets
    the consequences guide's other sections, so the composer can list them all)."""
    if not hits:
        return []
    lead = hits[primary_index(question, hits, [])] if question else hits[0]
    general = asks_why_in_general(question) or names_series(question)
    if passage_facet(lead.metadata) in ONE_THING_PARTS and not general:
        lead = hits[0]  # "which roles do I keep in-house, and why": a "why" alone asks for no list of causes
    doc, lang = lead.metadata.get("doc_id"), lead.lang
    taken = {h.id for h in hits}
    found = [
        Hit(id=cid, text=str(meta.get("text") or text), metadata=dict(meta), score=0.0, dense=0.0, lexical=0.0)
        for cid, text, meta in zip(ids, texts, metadatas, strict=True)
        if meta.get("doc_id") == doc and meta.get("lang") == lang and cid not in taken
    ]
    return sorted(found, key=lambda h: int(h.metadata.get("position", 0)))


def primary_index(question: str, hits: list[Hit], siblings: list[Hit]) -> int:
    """Which passage leads: the best hit, unless another hit, or a section of its document, is the kind the
    question asks for.

    Only facets that name a part of a guide (GUIDE_PARTS: results, causes, the roles overview, the case's
    hires, communication, recruiting …) move the lead; the search already favours the right section of a
    role page. The index counts `siblings` after `hits`.
    """
    step = step_index(question, hits + siblings)
    if step is not None:
        return step
    asked = question_facets(question)
    # (and "what does a content creator do, and in-house or freelance?": what it does first, then how to fill it)
    duties_first = asked == {"duties", "hiring"} and first_asked(question, asked) == "duties"
    if (asked == {"duties"} or duties_first) and hits and hits[0].metadata.get("role_id"):
        # "what would a marketer be doing day to day" asks for one thing: the role's duties lead, though its
        # "when to hire" (which the question's "thinking of hiring" also matches) scored above them
        role = hits[0].metadata.get("role_id")
        for n, hit in enumerate(hits):
            if hit.metadata.get("role_id") == role and passage_facet(hit.metadata) == "duties":
                return n if hit.score >= hits[0].score - LEAD_SCORE_MARGIN else 0
    facets = asked & GUIDE_PARTS
    if _ACHIEVED.search(question):
        facets.add("results")
    if not facets and states_small_team(question):
        facets.add("small_team")  # "we're with the two of us, how do we go about the team?"
    if not facets or not hits:
        return 0
    lead_kind = passage_facet(hits[0].metadata)
    if lead_kind in facets:
        return 0
    if lead_kind in GUIDE_PARTS:
        # a best hit that answers a part of a guide keeps the lead over the owner's burnout, which comes with
        # many questions ("I'm burnt out doing everything myself: what do I change first" = the tiny-team FAQ)
        facets.discard("overload")
    for n, hit in enumerate(hits[1:], start=1):
        if passage_facet(hit.metadata) in facets:
            # "why doesn't my Webflow site sell" is answered by the section on exactly that, not by a general
            # cause that scored far below it
            return n if hit.score >= hits[0].score - LEAD_SCORE_MARGIN else 0
    for n, hit in enumerate(siblings):
        if passage_facet(hit.metadata) in facets:
            return len(hits) + n
    return 0


def series_items(question: str, pool: list[Hit], first: int, siblings: list[Hit]) -> list[int]:
    """Indexes into `pool` of the lead document's series sections, in order, when the question asks for that
    series ("what are the causes" → every "Cause n"); [] otherwise."""
    if not siblings:
        return []
    doc, lang = pool[first].metadata.get("doc_id"), pool[first].lang
    members: dict[str, int] = {}
    for i, hit in enumerate(pool):
        same = hit.metadata.get("doc_id") == doc and hit.lang == lang
        if same and SERIES_HEADING.match(section_label(hit)) and hit.id not in members:
            members[hit.id] = i
    ordered = sorted(members.values(), key=lambda i: int(pool[i].metadata.get("position", 0)))
    kinds = {series_kind(section_label(pool[i])) for i in ordered}
    asked = any(SERIES_ASKED[k].search(question) for k in kinds if k in SERIES_ASKED)
    return ordered if len(ordered) >= MIN_SERIES and asked else []


def section_label(hit: Hit) -> str:
    return str(hit.metadata.get("section", "")).strip()


def series_overview(pool: list[Hit], first: int, series: list[int]) -> int:
    """The section that introduces a series ("Why ignoring your team structure hurts", "The root cause"),
    to lead an answer that lists the series: the lead document's first section before its first series
    section, or `first` when the lead is itself a member or the document has no such section."""
    if not series or first in series:
        return first
    doc, lang = pool[first].metadata.get("doc_id"), pool[first].lang
    start = min(int(pool[i].metadata.get("position", 0)) for i in series)
    before = [
        i
        for i, hit in enumerate(pool)
        if hit.metadata.get("doc_id") == doc and hit.lang == lang and int(hit.metadata.get("position", 0)) < start
    ]
    return min(before, key=lambda i: int(pool[i].metadata.get("position", 0))) if before else first


def one_member_stands_out(hits: list[Hit]) -> bool:
    """ "What happens to my customers if I do nothing" is about one consequence: its section scores clearly
    above the next hit. "What happens if I keep winging it" scores them all alike and gets the list."""
    return (
        len(hits) > 1
        and bool(SERIES_HEADING.match(section_label(hits[0])))
        and hits[0].score - hits[1].score >= STANDS_OUT
    )
