"""Which roles a question names, whose section it asks for, and a passage for each role it compares.

Kept apart from the search (retrieval.py) so the rules about roles are stated once: the search reads the
names from each role page's title and aliases (knowledge/*/roles/*.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

from .intent import passage_facet


class _HasMetadata(Protocol):
    metadata: dict[str, Any]


class _Scored(Protocol):
    metadata: dict[str, Any]
    score: float


@lru_cache(maxsize=64)
def _role_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all of a role's names: the search and the composer ask several times per question."""
    return re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(term) for term in terms)})")


def named_roles(question: str, role_terms: dict[str, list[str]]) -> list[str]:
    """The roles a question names, in the order it names them."""
    q = question.lower()
    first: dict[str, int] = {}
    for role, terms in role_terms.items():
        found = _role_pattern(tuple(terms)).search(q) if terms else None
        if found:
            first[role] = found.start()
    return sorted(first, key=lambda role: first[role])


def subject_role(question: str, role_terms: dict[str, list[str]], facets: set[str]) -> str | None:
    """Whose section a question asks for: the only role it names, or in a collaboration question the first.

    "how does customer service work with marketing" is about customer service; "kpis for logistics and
    product management" names two roles as equals, so neither is favoured (the FAQ covers both).
    """
    if not facets:
        return None
    roles = named_roles(question, role_terms)
    if len(roles) == 1 or (roles and "collaboration" in facets):
        return roles[0]
    return None


def each_role(
    roles: list[str],
    hits: Sequence[_HasMetadata],
    metadatas: Sequence[dict[str, Any]],
    lang: str,
    facets: set[str] | None,
) -> list[tuple[int, int]]:
    """A question that names two or three roles ("a marketer or customer service first?") gets a passage of
    each: a named role without one takes the place of the lowest hit that is no named role's, with its
    section of the kind asked for (when to hire, KPIs …) when it has one, else its first section. A question
    that names one role and asks for a kind of its sections ("outsource customer service to an agency?")
    gets that section, though a long question's other words put guide pages above all of the role's.

    Returns (hit slot, chunk position) replacements."""
    if not 1 <= len(roles) <= 3 or len(hits) < 2:
        return []
    if len(roles) == 1 and not any(
        m.get("role_id") == roles[0] and m.get("lang") == lang and facets and passage_facet(m) in facets
        for m in metadatas
    ):
        return []  # one role and no kind of its sections asked: the search's own order stands
    present = [h.metadata.get("role_id") for h in hits]
    kinds = [passage_facet(h.metadata) for h in hits]
    out: list[tuple[int, int]] = []
    for role in roles:
        own = [p for p, m in enumerate(metadatas) if m.get("role_id") == role and m.get("lang") == lang]
        asked = [p for p in own if facets and passage_facet(metadatas[p]) in facets]
        slots = [n for n in range(len(present)) if present[n] == role]
        if slots and (not asked or any(kinds[n] in (facets or set()) for n in slots)):
            continue
        # a role shown only by a section of another kind (what the marketer does, under "the difference
        # between the KPIs of the manager and the marketer") gets its section of the asked kind instead
        spare = [n for n in range(len(present) - 1, 0, -1) if present[n] not in roles] or slots[-1:]
        if not spare or not own:
            continue
        pos = (asked or sorted(own, key=lambda p: int(metadatas[p].get("position", 0))))[0]
        present[spare[0]] = role
        kinds[spare[0]] = passage_facet(metadatas[pos])
        out.append((spare[0], pos))
    return out


ROLE_SECTIONS = {"hiring", "duties", "skills", "kpis", "collaboration"}  # the kinds of section every role page has
LEAD_MARGIN = 0.2  # the asked section of the named role leads when it scores about as well as the best hit


def subject_lead(hits: Sequence[_Scored], role: str, facets: set[str]) -> int:
    """Which hit leads an answer to a question that names one role and asks for one kind of its sections
    ("how do I judge a UX/UI designer" = its KPIs; "outsource customer service?" = its "when to hire"): that
    section, when the best hit is of another kind and it scores within LEAD_MARGIN; else the best hit (0)."""
    kinds = facets & ROLE_SECTIONS
    if len(kinds) != 1 or not hits or passage_facet(hits[0].metadata) in facets:
        return 0
    for n, hit in enumerate(hits):
        if hit.metadata.get("role_id") == role and passage_facet(hit.metadata) in kinds:
            return n if hit.score >= hits[0].score - LEAD_MARGIN else 0
    return 0
