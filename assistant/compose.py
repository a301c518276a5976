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
from collections.abc import Callable

import numpy as np

from .answer_units import Unit, join_units, lead_first, pick, split_units, whole_steps, without_orphan_leads, word_count
from .facts import covered, distinct, label, repeats
from .intent import (
    GUIDE_PARTS,
    ONE_THING_PARTS,
    PAIRED_PARTS,
    asks_what_it_costs,
    passage_facet,
    question_facets,
)
from .lexical import tokenize
from .lists import one_member_stands_out, primary_index, series_items, series_overview
from .lists import section_label as _section_label
from .retrieval import Hit
from .roles import ASKS_WHO, ROLE_SECTIONS, described_roles, named_roles, subject_lead, subject_role, who_lead
from .series import asks_for_list
from .situation import asks_sourcing, sees_hire_as_cost
from .texts import t

PRIMARY_WHOLE_WORDS = 220  # a section this short is shown whole: it was written to be read as one
RUNNER_UP_MARGIN = 0.05  # a second passage scored within this of the first gets more room in the answer
RUNNER_UP_WORDS = 110
RUNNER_UP_WHOLE_WORDS = 160
ANSWER_WORDS = 250
SHORT_WORDS = 120  # an answer shorter than this takes more of the next passage, up to FILL_WORDS
FILL_WORDS = 150
ENOUGH_WORDS = 175  # an answer this long takes no further passage: about 120-200 words, unless a full list
HEADING_MARGIN = 0.10  # the heading (a label, not a sentence) shows unless the first sentence is this much closer
LIST_WORDS = 320  # a question that asks for a whole list (all causes, roles, steps, results) gets it

# the parts of a role page a question can ask for together ("what does X do and how do I judge X");
# "hiring" and "causes" are left out: "hire" and "why" also appear in questions that ask one thing
ROLE_PARTS = {"kpis", "duties", "skills", "collaboration"}

_ANNOUNCES_SERIES = re.compile(r"\b(below|hieronder)\b", re.IGNORECASE)


def _sec(hit: Hit) -> str:
    return str(hit.metadata.get("section", ""))


def _asked_for_another_role(pool: list[Hit], i: int, shown: list[int], asked: set[str], named: list[str]) -> bool:
    """A role's section of the kind asked for, for a role the question names and the answer has not covered
    yet: "a marketer or customer service first?" answers for both, even past the usual length. A role the
    question does not name ("KPIs for my marketer" and the manager's KPIs) is not asked for."""
    role = pool[i].metadata.get("role_id")
    if not role or role not in named or passage_facet(pool[i].metadata) not in asked:
        return False
    return all(pool[j].metadata.get("role_id") != role for j in shown if j >= 0)


def _described(pool: list[Hit], i: int, shown: list[int], described: list[str]) -> bool:
    """A section of a role whose problem the question describes, when the answer shows none of that role yet."""
    role = pool[i].metadata.get("role_id")
    return bool(role) and role in described and all(pool[j].metadata.get("role_id") != role for j in shown if j >= 0)


def _another_part(
    pool: list[Hit],
    i: int,
    shown: list[int],
    asked: set[str],
    named: list[str],
    role_terms: dict[str, list[str]],
    role_parts: set[str] = ROLE_PARTS,
) -> bool:
    """A section about a role the question names, of a kind it asks for that no shown section gives yet:
    "what does the manager do and how do I see he performs well" gets the KPIs after the duties, even past
    the usual length. A question naming no role ("the results, with numbers") asks one thing, unless it asks
    for two parts of a guide and the answer so far gives one of them."""
    facet = passage_facet(pool[i].metadata)
    shown_facets = {passage_facet(pool[j].metadata) for j in shown if j >= 0}
    parts = asked & GUIDE_PARTS - ONE_THING_PARTS
    if facet in parts and facet not in shown_facets:
        # "in what order did they hire, and what did it bring": the results after the hires
        return bool(shown_facets & parts)
    if facet in asked and facet not in shown_facets and any((f, facet) in PAIRED_PARTS for f in shown_facets):
        return True  # "burning out: should I change something": the way out after the burnout (and so on)
    roles = [str(pool[i].metadata.get("role_id"))] if pool[i].metadata.get("role_id") else []
    roles = roles or named_roles(_sec(pool[i]), role_terms)
    return (
        facet in asked & role_parts
        and bool(set(roles) & set(named))
        and all(passage_facet(pool[j].metadata) != facet for j in shown if j >= 0)
    )


def _about_other_roles(hit: Hit, asked: set[str], named: list[str], role_terms: dict[str, list[str]]) -> bool:
    """A section of the kind asked for about roles the question does not name: its role page, or a guide
    section whose heading names them ("Which KPIs should I use for the e-commerce manager?")."""
    if passage_facet(hit.metadata) not in asked:
        return False
    roles = [str(hit.metadata.get("role_id"))] if hit.metadata.get("role_id") else named_roles(_sec(hit), role_terms)
    return bool(roles) and not set(roles) & set(named)


def _labelled_for_other_roles(text: str, named: list[str], role_terms: dict[str, list[str]]) -> bool:
    """A list item for another role ("- **Customer service:** CSAT, …" under a question about the marketer)."""
    roles = named_roles(label(text), role_terms)
    return bool(roles) and not set(roles) & set(named)


_FIRST_PERSON = re.compile(r"^(i|i'm|i am|my|we|we're|our|ik|mijn|wij|we zijn|onze)\b", re.IGNORECASE)


def _heading(hit: Hit) -> str:
    """The section heading in the owner's voice, or "": never a question or the FAQ's "I'm a very small …"."""
    title = str(hit.metadata.get("section") or "").strip()
    return "" if not title or title.endswith("?") or _FIRST_PERSON.match(title) else title


_NUMBERED = re.compile(r"^[^:]{0,30}\d+\s*:\s*")  # "Step 3: ", "Checklist stap 2: ", "Cause 1: "


def _adds_to(title: str, units: list[Unit], lang: str) -> bool:
    """The heading says something the block under it does not: a word of substance ("core" in "Step 3: start
    with the core e-commerce team you need most") that none of its shown sentences uses. Its numbered label
    ("Step 3: ") is not substance."""
    said = {w for u in units for w in tokenize(u.text, lang)}
    return any(not w.isdigit() and w not in said for w in tokenize(_NUMBERED.sub("", title), lang))


def compose_offline(
    question_vec: np.ndarray | None,
    hits: list[Hit],
    lang: str,
    embed_many: Callable[[list[str]], np.ndarray],
    question: str = "",
    siblings: list[Hit] | None = None,
    words: int | None = None,
    role_terms: dict[str, list[str]] | None = None,
) -> tuple[str, list[int]]:
    """A short answer from the best passages. Returns the text and the hit indexes it cites.

    `siblings` are the other sections of the best passage's document (lists.py): a list question gets the
    whole series from them, and a question for the section kind they hold (results, causes) gets that
    section first. Their indexes in the returned list continue after `hits`. With `role_terms`, each role
    the question names gets its section of the kind asked for, and another role's section of that kind (the
    manager's KPIs under a question about the marketer's) is left out.
    """
    if not hits:
        return t(lang, "decline"), []
    wants_list = asks_for_list(question)
    pool = list(hits) + list(siblings or [])
    first = primary_index(question, hits, siblings or [])
    named = named_roles(question, role_terms or {})
    described = described_roles(question, hits)  # "almost no visitors": the marketer deals with that
    subject = named[0] if len(named) == 1 else subject_role(question, role_terms or {}, question_facets(question))
    lead_facets = question_facets(question)
    if subject and sees_hire_as_cost(question) and not asks_what_it_costs(question):
        # "outsource our customer service to cut costs?" asks about that role; the saving is the motive
        lead_facets.discard("budget")
        first = 0 if first < len(hits) and passage_facet(hits[first].metadata) == "budget" else first
    if first == 0 and subject:
        # the one role named, or the one a question about several is about ("who must our customer service
        # align with: marketing, the warehouse?" = customer service's section on working with the others)
        first = subject_lead(hits, subject, lead_facets, question)
        if first == 0 and len(named) == 1 and ASKS_WHO.search(question) and not lead_facets & ROLE_SECTIONS:
            first = who_lead(hits, subject)  # "who should keep the prices right?": the pricing role answers
    elif first == 0 and not named and described and ASKS_WHO.search(question):
        # "almost no visitors: which role fixes that?" is led by what that role does
        # (or its section of another kind the question asks for: "whose job is it, and should they be in-house")
        own = [n for n, h in enumerate(hits) if h.metadata.get("role_id") == described[0]]
        kinds = question_facets(question) & ROLE_SECTIONS
        kinds = {"duties"} if "duties" in kinds or not kinds else kinds
        first = next((n for n in own if passage_facet(hits[n].metadata) in kinds), own[0] if own else 0)
    elif first == 0 and not named and not described and ASKS_WHO.search(question) and not question_facets(question):
        # "stock never matches the shelves: whose job is that?" asks for a role: the best role page's section
        # on what the role does leads, when it scores about as well as the guide sections above it
        first = next((n for n, h in enumerate(hits) if h.metadata.get("role_id") and h.score >= hits[0].score - 0.2), 0)
    elif first == 0 and not named and not described and asks_sourcing(question) and not asks_sourcing(_sec(hits[0])):
        # "outsource or employ, what does it depend on" names no role: the guide's answer to that very choice
        # (a section whose heading weighs the two) leads, not one role's page
        first = next((n for n, h in enumerate(hits) if asks_sourcing(_sec(h)) and h.score >= hits[0].score - 0.25), 0)
    # "what are the causes", and "what happens if I ignore it" (the consequences): the whole series, led by
    # the section that introduces it unless the best hit is one of its members
    # and "where do I start": the first step leads, and the guide's steps follow one line each, so the owner
    # sees the path
    facets = question_facets(question)
    asks_series = wants_list or "start" in facets or ("consequences" in facets and not one_member_stands_out(hits))
    series = series_items(question, pool, first, siblings or []) if asks_series else []
    first = series_overview(pool, first, series)
    asked = question_facets(question)
    others = [i for i in range(min(3, len(hits))) if i != first]
    # the section of a role whose problem the question describes has its turn, wherever the search placed it:
    # right after the lead when the question also names a role ("can my copywriter also answer the customer
    # emails": the two roles side by side), else after the other passages
    mine = [i for i in range(len(hits)) if i != first and hits[i].metadata.get("role_id") in described][:1]
    others = mine + [i for i in others if i not in mine] if named else others + [i for i in mine if i not in others]
    if asked:  # a runner-up that gives the kind of answer asked for (KPIs, when to hire …) comes first
        more = [i for i in range(3, len(hits)) if passage_facet(pool[i].metadata) in asked]
        others = sorted(others + more[:1], key=lambda i: passage_facet(pool[i].metadata) not in asked)
    order = [first] + others
    # the roles the question is about: those it names, else the one whose problem it describes ("nobody answers
    # our emails: who do I hire and how do I tell they do well" asks for customer service's KPIs as a part)
    subjects = named or described[:1]
    # "in-house or freelance?" asks for the part of a role page that says which, and why
    role_parts = ROLE_PARTS | ({"hiring"} if asks_sourcing(question) else set())
    all_units = [u for i in order for u in split_units(pool[i].text, i)]
    # The passages' sentence vectors come from the index version (IndexReader.unit_vectors): nothing is embedded.
    texts = [u.text for u in all_units]
    raw = np.asarray(embed_many(texts), dtype=np.float32) if question_vec is not None and texts else None
    keep = distinct(texts, raw)  # one copy of each fact (facts.py)
    all_units = [all_units[i] for i in keep]
    vectors: np.ndarray
    if raw is not None and question_vec is not None:
        vectors = raw[keep]
        sims = vectors @ question_vec
    else:
        vectors = np.zeros((len(all_units), 1), dtype=np.float32)
        sims = np.zeros(len(all_units))
    index_of = {id(u): i for i, u in enumerate(all_units)}
    sim_of = {id(u): float(s) for u, s in zip(all_units, sims, strict=True)}
    by_hit: dict[int, list[tuple[Unit, float]]] = {}
    for unit, sim in zip(all_units, sims, strict=True):
        by_hit.setdefault(unit.hit, []).append((unit, float(sim)))

    total = words or (LIST_WORDS if wants_list else ANSWER_WORDS)
    budget = total
    sections: list[tuple[int, list[Unit]]] = []
    primary = by_hit.get(first, [])
    whole_limit = total if wants_list else min(PRIMARY_WHOLE_WORDS, total)
    if sum(word_count(u.text) for u, _ in primary) <= whole_limit:
        chosen = [u for u, _ in primary]
    else:
        chosen = pick(primary, budget=max(60, total - 70) if not wants_list else total - 20)
    if not (wants_list and any(u.is_item for u in chosen)):  # a list question's list is its answer
        chosen = lead_first(chosen, sim_of)
    if series and first not in series and len(chosen) > 1:
        # the overview's "the five causes below: …" is the list the answer shows right after it
        chosen = [u for u in chosen if not _ANNOUNCES_SERIES.search(u.text)] or chosen
    sections.append((first, chosen))
    budget -= sum(word_count(u.text) for u in chosen)
    if series and (first in series or not any(u.is_item for u in chosen)):
        # an overview's own list is the series; a member's list (the parts of cause 1) is not
        sections.append((-1, []))  # the whole series (all causes, all steps) follows the lead
        budget -= sum(word_count(_section_label(pool[i])) + 1 for i in series)
    best_primary = max((s for _, s in primary), default=0.0)

    for i in order[1:]:
        shown_hits = [j for j, _ in sections]
        other_role = _asked_for_another_role(pool, i, shown_hits, asked, named) or _described(
            pool, i, shown_hits, described
        )
        part = len(asked) > 1 and _another_part(pool, i, shown_hits, asked, subjects, role_terms or {}, role_parts)
        if named and not other_role and _about_other_roles(pool[i], asked, named, role_terms or {}):
            continue
        if (
            i not in by_hit
            or budget < 25
            or (not wants_list and total - budget >= ENOUGH_WORDS and not (other_role or part))
        ):
            continue
        if pool[i].metadata.get("section") == pool[first].metadata.get("section") and pool[i].metadata.get(
            "doc_id"
        ) == pool[first].metadata.get("doc_id"):
            continue
        if series and i in series:
            continue  # already a line of the series
        shown = [index_of[id(u)] for _, units in sections for u in units]
        shown_texts = [all_units[j].text for j in shown]
        # a second passage as good as the first gets room, unless the answer already lists a whole series (all
        # the steps, all the consequences); the best hit that gave way to the owner's burnout or to the asked
        # section of a role (its duties, its KPIs) is context, not a second answer: both are brief
        lead_kind = passage_facet(pool[first].metadata)
        gave_way = bool(series) or (
            first != 0
            and (lead_kind == "overload" or (bool(pool[first].metadata.get("role_id")) and lead_kind in ROLE_SECTIONS))
        )
        close = part or (i == order[1] and not gave_way and hits[i].score >= hits[0].score - RUNNER_UP_MARGIN)
        # an answer under the 120-200 words aimed for takes more of the next passage, up to ENOUGH_WORDS
        fill = 0 if close or wants_list or total - budget >= SHORT_WORDS else FILL_WORDS - (total - budget)
        fresh = [
            u
            for u, _ in by_hit[i]
            if not repeats(vectors[index_of[id(u)]], vectors[shown]) and not covered(u.text, shown_texts)
        ]
        candidates = [
            (u, s)
            for u, s in by_hit[i]
            if (close or fill or other_role or s >= best_primary - 0.12)
            and not u.text.endswith(":")
            and u in fresh
            and not (named and asked and _labelled_for_other_roles(u.text, named, role_terms or {}))
        ]
        if not candidates:
            continue  # everything it says is already in the answer
        whole = whole_steps([u for u, _ in by_hit[i]], fresh)
        whole_words = RUNNER_UP_WORDS if part else RUNNER_UP_WHOLE_WORDS  # a further part of the question: brief
        if close and sum(word_count(u.text) for u in whole) <= min(budget, whole_words):
            picked = whole  # a close second that is short is shown whole, like the first: lists stay complete
        elif other_role and len(named) > 1 and asked & ROLE_PARTS:  # "what do X and Y do": room for Y, list and all
            section = [u for u, _ in by_hit[i]]
            picked = pick(candidates, budget=min(budget, RUNNER_UP_WORDS), max_units=8, context=section)
        elif fill:
            picked = pick(candidates, budget=min(budget, fill), max_units=4, context=[u for u, _ in by_hit[i]])
        elif close:
            section = [u for u, _ in by_hit[i]]
            picked = pick(candidates, budget=min(budget, RUNNER_UP_WORDS), max_units=5, context=section)
        else:
            picked = pick(candidates, budget=min(budget, 45), max_units=2, context=[u for u, _ in by_hit[i]])
        picked = without_orphan_leads(picked)
        if picked and sum(word_count(u.text) for u in picked) >= 6:
            sections.append((i, picked))
            budget -= sum(word_count(u.text) for u in picked)

    title = "" if series else _heading(pool[first])  # a series lists the lead's heading as one of its lines
    if title and chosen and question_vec is not None:  # the heading leads only when it is the most on-point line
        heading_sim = float(np.asarray(embed_many([title]), dtype=np.float32)[0] @ question_vec)
        on_point = heading_sim >= sim_of.get(id(chosen[0]), 0.0) - HEADING_MARGIN
        title = title if on_point or _adds_to(title, sections[0][1], lang) else ""
    cited = [i for i, _ in sections if i >= 0] + [i for i in series if i != first]
    numbers = {hit: n + 1 for n, hit in enumerate(dict.fromkeys(cited))}
    body = [t(lang, "no_amounts")] if asks_what_it_costs(question) else []  # the direct answer to "how much"
    body += [f"**{title}**"] if title else []
    body.append(join_units(sections[0][1], numbers[first]))
    rest = sections[1:]
    if rest and rest[0][0] == -1:
        body.append("\n".join(f"- {_section_label(pool[i])} [{numbers[i]}]" for i in series))
        rest = rest[1:]
    if rest:
        body.append(t(lang, "also"))
        for i, units in rest:
            body.append(join_units(units, numbers[i]))
    return "\n\n".join(body), list(numbers)
