"""What kind of answer a question asks for, and which sections give that kind.

Role guidance is written with the same sections for every role (what the role does, skills, when to hire,
KPIs, working with others). A question that clearly asks for one of these ("how do I know my marketer
does good work" = KPIs) should get that section of the role it names, not a neighbouring one that happens
to share more words.
"""

from __future__ import annotations

import re

FACETS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    # facet: (question pattern, section-heading pattern)
    "kpis": (
        re.compile(r"\b(kpi|metric|measure|meten|meet ik|cijfers|numbers|targets?|doelen halen|goed werk|"
                   r"presteert|perform|beoordeel|judge|evaluate|succes)", re.I),
        re.compile(r"\bkpi", re.I),
    ),
    "hiring": (
        re.compile(r"\b(when|wanneer|in dienst|inhuren|aannemen|neem ik .* aan|hire|hiring|freelance|"
                   r"outsourc|uitbeste|in-?house|employ|vast contract|part-?time|parttime)", re.I),
        re.compile(r"\b(when to hire|wanneer neem je)", re.I),
    ),
    "skills": (
        re.compile(r"\b(skills?|vaardighed|competen|good at|goed in|profile|profiel|look for|letten op)", re.I),
        re.compile(r"\b(skills|vaardigheden)", re.I),
    ),
    "duties": (
        re.compile(r"\b(what does|what do|wat doet|wat doen|taken|tasks|responsib|verantwoordelijk|do all day|"
                   r"job description|functieomschrijving)", re.I),
        re.compile(r"^(what an? |wat een )", re.I),
    ),
    "collaboration": (
        re.compile(r"\b(work together|works with|samenwerk|samen werk|werkt .* samen|hand-?off|overdracht)", re.I),
        re.compile(r"(works with|samenwerkt)", re.I),
    ),
}


def question_facets(question: str) -> set[str]:
    return {name for name, (asks, _) in FACETS.items() if asks.search(question)}


def section_facet(section: str) -> str | None:
    for name, (_, heading) in FACETS.items():
        if heading.search(section):
            return name
    return None
