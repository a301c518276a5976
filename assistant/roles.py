"""Which roles a question names, whose section it asks for, and a passage for each role it compares.

Kept apart from the search (retrieval.py) so the rules about roles are stated once: the search reads the
names from each role page's title and aliases (knowledge/*/roles/*.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

from .intent import first_asked, passage_facet
from .lexical import stem_lists


class _HasMetadata(Protocol):
    metadata: dict[str, Any]


class _Scored(Protocol):
    metadata: dict[str, Any]
    score: float


@lru_cache(maxsize=64)
def _role_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all of a role's names: the search and the composer ask several times per question."""
    return re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(term) for term in terms)})")


def role_terms(metadatas: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Each role's names, from its passages' title ("UX/UI designer" gives both halves) and `aliases`, longest
    first so the pattern prefers "customer service manager" over "customer service"."""
    terms: dict[str, set[str]] = {}
    for meta in metadatas:
        role = meta.get("role_id")
        if not role:
            continue
        bucket = terms.setdefault(role, set())
        for alias in str(meta.get("aliases", "")).split(","):
            if alias.strip():
                bucket.add(alias.strip().lower())
        for part in re.split(r"\s*/\s*", str(meta.get("title", ""))):
            if part.strip():
                bucket.add(part.strip().lower())
    return {role: sorted(v, key=len, reverse=True) for role, v in terms.items()}


def named_roles(question: str, role_terms: dict[str, list[str]]) -> list[str]:
    """The roles a question names, in the order it names them."""
    q = question.lower()
    first: dict[str, int] = {}
    for role, terms in role_terms.items():
        found = _role_pattern(tuple(terms)).search(q) if terms else None
        if found:
            first[role] = found.start()
    return sorted(first, key=lambda role: first[role])


def role_symptoms(metadatas: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Each role's `symptoms` (knowledge/*/roles/*.md) from its passages' metadata, both languages together."""
    out: dict[str, set[str]] = {}
    for meta in metadatas:
        role = meta.get("role_id")
        if role:
            phrases = (p.strip().lower() for p in str(meta.get("symptoms", "")).split(","))
            out.setdefault(role, set()).update(p for p in phrases if p)
    return {role: sorted(v) for role, v in out.items()}


def described_roles(question: str, hits: Sequence[_HasMetadata], named: Sequence[str] = ()) -> list[str]:
    """The roles among the passages whose problem the question describes (for the composer, which has the
    passages, not the index)."""
    return symptom_roles(question, role_symptoms([h.metadata for h in hits]), named)


@lru_cache(maxsize=512)
def _phrase_stems(phrase: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(stems) for stems in stem_lists(phrase))


PHRASE_SLACK = 3  # words a symptom phrase's words may lie apart ("parcels go out late" for "late parcels")


def _says(words: list[str], phrase: frozenset[str]) -> bool:
    """All of the phrase's words within a few words of each other: "old-fashioned" is not "the old marketing
    department … a fashion webshop"."""
    if not phrase:
        return False
    span = len(phrase) + PHRASE_SLACK
    starts = [n for n, w in enumerate(words) if w in phrase]
    return any(phrase <= set(words[n : n + span]) for n in starts)


def symptom_roles(question: str, symptoms: dict[str, list[str]], named: Sequence[str] = ()) -> list[str]:
    """The roles whose problems a question describes without naming them ("we get almost no visitors", "parcels
    go out late", "can she also answer the customer emails"), from each role page's `symptoms`
    (knowledge/*/roles/*.md): a phrase counts when all its words, stemmed in one language, are close together
    in the question, in any order. Roles the question names (`named`) are left out; the rest come with the
    role that has the most matching phrases first."""
    asked = [(words, set(words)) for words in stem_lists(question)]
    counts: dict[str, int] = {}
    for role, phrases in symptoms.items():
        if role in named:
            continue
        found = sum(
            1
            for phrase in phrases
            if any(
                stems <= present and _says(words, stems)  # most phrases miss a word: no need to look for spans
                for stems, (words, present) in zip(_phrase_stems(phrase), asked, strict=True)
            )
        )
        if found:
            counts[role] = found
    return sorted(counts, key=lambda role: -counts[role])


# "which role fixes that", "who should handle it", "wie lost dat op": the question asks for the role itself
ASKS_WHO = re.compile(
    r"\b(which|what) (role|person|hire|specialist|kind of (person|hire|role))|\bwho\b|\bwhom\b|\bwhose\b|"
    r"\bwelke (rol|functie|medewerker|specialist|persoon)|\bwie\b|wat voor (iemand|persoon|rol|functie)",
    re.I,
)


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


MAX_SYMPTOM_ROLES = 2  # passages given to roles a question describes a problem of; the search keeps the rest


def symptom_sections(
    roles: list[str],
    named: list[str],
    hits: Sequence[_HasMetadata],
    metadatas: Sequence[dict[str, Any]],
    lang: str,
    facets: set[str],
) -> list[tuple[int, int]]:
    """A question that describes a problem a role deals with ("almost no visitors: which role fixes that?")
    gets a section of that role among its passages when the search found none: the section of the kind
    asked for (its KPIs, when to hire) when it asks for one, else what the role does. It takes the place of
    the lowest hit that is no named or described role's, never the best hit's.

    Returns (hit slot, chunk position) replacements."""
    if len(hits) < 2:
        return []
    # "which role should we bring in first" asks when to hire it; else the kind asked for, or what it does
    wanted = (facets & ROLE_SECTIONS) or ({"hiring"} if "first_hire" in facets else {"duties"})
    present = [h.metadata.get("role_id") for h in hits]
    kept = set(named) | set(roles[:MAX_SYMPTOM_ROLES])
    out: list[tuple[int, int]] = []
    for role in roles[:MAX_SYMPTOM_ROLES]:
        if role in present:
            continue
        own = [p for p, m in enumerate(metadatas) if m.get("role_id") == role and m.get("lang") == lang]
        asked = [p for p in own if passage_facet(metadatas[p]) in wanted]
        spare = [n for n in range(len(present) - 1, 0, -1) if present[n] not in kept]
        if not spare or not own:
            continue
        pos = (asked or sorted(own, key=lambda p: int(metadatas[p].get("position", 0))))[0]
        present[spare[0]] = role
        out.append((spare[0], pos))
    return out


ROLE_SECTIONS = {"hiring", "duties", "skills", "kpis", "collaboration"}  # the kinds of section every role page has
LEAD_MARGIN = 0.2  # the asked section of the named role leads when it scores about as well as the best hit


def subject_lead(hits: Sequence[_Scored], role: str, facets: set[str], question: str = "") -> int:
    """Which hit leads an answer to a question that names one role and asks for one kind of its sections
    ("how do I judge a UX/UI designer" = its KPIs; "outsource customer service?" = its "when to hire"): that
    section, when the best hit is of another kind and it scores within LEAD_MARGIN; else the best hit (0).
    A question that asks for two kinds ("what does a product manager do, and in-house or freelance?") under a
    best hit of neither is led by the one it asks first, with `question`; the composer adds the other."""
    kinds = facets & ROLE_SECTIONS
    if not hits or passage_facet(hits[0].metadata) in facets:
        return 0  # a best hit of a kind asked for keeps the lead
    if len(kinds) > 1 and question:
        kinds = {first_asked(question, kinds)}
    if len(kinds) != 1:
        return 0
    for n, hit in enumerate(hits):
        if hit.metadata.get("role_id") == role and passage_facet(hit.metadata) in kinds:
            return n if hit.score >= hits[0].score - LEAD_MARGIN else 0
    return 0


def who_lead(hits: Sequence[_Scored], role: str) -> int:
    """Which hit leads an answer to "who should handle that?" when the question names the work by one role's
    words and asks for no kind of section ("wie hoort de prijzen en voorraad bij te houden?"): that role's
    section on what it does, else its best section, when it scores within LEAD_MARGIN of the best hit; else 0."""
    own = [n for n, h in enumerate(hits) if h.metadata.get("role_id") == role]
    if not own or own[0] == 0:
        return 0
    n = next((n for n in own if passage_facet(hits[n].metadata) == "duties"), own[0])
    return n if hits[n].score >= hits[0].score - LEAD_MARGIN else 0
