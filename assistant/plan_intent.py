"""Does the owner ask the chat for a plan? Then point to the team-plan builder (issue #14).

The chat answers from the guidance; a plan made for one shop (roles now / next / later, KPIs, job ads) is the
builder's job. A request is "make / give / write me a (team) plan" in English or Dutch, or a named team or
hiring plan; "plan" as a verb ("I plan to hire", "plannen") is not one.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from .texts import t

_NAMED = re.compile(
    r"\b(team|hiring|recruitment|staffing|people|personnel)[\s-]?(plan|roadmap)s?\b"
    r"|\b(team|wervings|personeels|aannames?|formatie)[\s-]?plan(nen)?\b",
    re.I,
)
_ASK = re.compile(
    r"\b(make|give|create|build|draw up|draft|write|put together|prepare|need|want|suggest|propose|"
    r"maak|maken|geef|stel|opstellen|schrijf|bedenk|wil|nodig|zou)\b",
    re.I,
)
_A_PLAN = re.compile(r"\b(a|an|me a|the|my|een|mijn|het)\s+(\w+\s+){0,2}plan\b(?!\s+(to|om)\b)", re.I)
_PEOPLE = re.compile(r"\b(\d{1,4})\s*(people|persons|person|employees|mensen|personen|medewerkers)\b", re.I)


def wants_plan(question: str) -> bool:
    """True for "make me a team plan", "maak een teamplan voor mijn webshop", "give me a plan"."""
    if _NAMED.search(question):
        return True
    return bool(_A_PLAN.search(question) and _ASK.search(question))


def plan_link(question: str, lang: str) -> str:
    """The chat page's plan tab, with what the question already says (language, team size) filled in."""
    params = {"tab": "plan", "lang": lang}
    people = _PEOPLE.search(question)
    if people:
        params["people"] = people.group(1)
    return "/?" + urlencode(params)


def plan_pointer(question: str, lang: str) -> str:
    """One line pointing to the builder, or "" when the question does not ask for a plan."""
    return t(lang, "plan_pointer", link=plan_link(question, lang)) if wants_plan(question) else ""
