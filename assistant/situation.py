"""What a question says about the owner's situation and choice, rather than the part of the guidance it asks for:
whether it weighs an own employee against outside help ("in-house or freelance?"), and whether it states a
team of two or three. intent.py reads these to decide which parts a question asks for.
"""

from __future__ import annotations

import re

# "in-house or freelance?", "vaste kracht of zzp'er", "uitbesteden of in dienst": the choice of how to fill a role
_OWN_STAFF = (
    r"in[- ]?house|in (eigen )?huis|intern(e|al)?|in (eigen |vaste )?dienst|"
    r"vaste? (kracht|medewerker|baan|contract|aanstelling)|"
    r"permanent\w*|full-?time|fulltime|employ\w*|on (the |your |my |our )?payroll|own (staff|team|employee)|"
    # "personeel aannemen of uitbesteden", "staff or an agency", "zelf doen of uitbesteden"
    r"(personeel|staff) ?(hire|hiring)?|aannemen|aanneem|zelf (doen|houden|regelen)|"
    r"do (it|this|that) (ourselves|myself|in-?house)"
)
_OUTSIDE = r"freelanc\w*|zzp\w*|outsourc\w*|uitbeste\w*|agency|agencies|bureau\w*|extern\w*|contractors?|inhuren"
_ASKS_SOURCING = re.compile(
    rf"\b({_OWN_STAFF})\b.{{0,60}}\b(or|of|vs\.?|versus)\b.{{0,60}}\b({_OUTSIDE})\b"
    rf"|\b({_OUTSIDE})\b.{{0,60}}\b(or|of|vs\.?|versus)\b.{{0,60}}\b({_OWN_STAFF})\b"
    # "should that person be in-house?", "moet die freelance zijn?", "keep it in-house?"
    rf"|\b(should|must|could|can)\b.{{0,40}}\bbe (an? )?(\w+ )?({_OWN_STAFF}|{_OUTSIDE})\b"
    rf"|\b(should|must|moet|moeten|kan|zou)\b.{{0,40}}\b({_OWN_STAFF}|{_OUTSIDE})\b (zijn|worden|blijven)\b"
    rf"|\b(keep|keeps|kept|keeping|stay|stays|remain|houd|houdt|houden|hou|blijven|blijft)\b.{{0,40}}\b({_OWN_STAFF})\b"
    # "do I need to hire them full-time?", "moeten we die fulltime aannemen?": how much of a hire, the same choice
    rf"|\b(do|does|should|must|moet|moeten|hoef|hoeft)\b.{{0,40}}\b(hire|employ|aannemen|nodig|in dienst)\b"
    rf".{{0,30}}\b(full-?time|fulltime|voltijds?|part-?time|parttime)\b"
    rf"|\b(do|does|should|must|moet|moeten|hoef|hoeft)\b.{{0,40}}\b(full-?time|fulltime|voltijds?|part-?time|parttime)\b"
    rf".{{0,30}}\b(hire|hired|employed|aannemen|nodig|in dienst)\b",
    re.I,
)


def asks_sourcing(question: str) -> bool:
    """Whether the question weighs an own employee against outside help: then "when to hire" (where each role
    page says in-house or freelance, and why) is a part of the answer, not the setting of another question."""
    return bool(_ASKS_SOURCING.search(question))


# a team of two or three, however it is said: "we're 2 people", "just the three of us", "met z'n tweeën", "we
# zijn met z'n 3en", "een tweemanszaak". The size is the setting of a question, so it names the very small
# business's FAQ only where the question asks nothing else of the guide (lists.primary_index) or asks what
# comes first, which is the FAQ's own question ("a webshop with two people: what team do I need first?")
_ONE = r"(?!(team|staff|employees|people|colleagues|crew|workers|personeel|medewerkers|mensen|collega)\b)"
_HEADCOUNT = re.compile(
    r"\b((two|three|2|3)[- ]?(person|people|man|men|woman)\b|(just |only )?(the )?(two|three|2|3) of us|"
    r"(we are|we're|there are) (just |only )?(two|three|2|3)\b|"
    r"met (z'?n|zijn|ons|on?s) (tweeën|drieën|twee\w*|drie\w*|2\w*|3\w*)|(twee|drie)mans\w*|"
    r"(twee|drie|2|3)[- ]?(man|mensen|personen|koppig\w*)\b|we zijn (maar |pas |nog maar |met )?(twee|drie|2|3)\b|"
    # "it's me and my sister", "ik en m'n vriendin", "my partner and I": two people
    # (not "me and my team", "ik en mijn medewerkers": a group of any size)
    rf"(me|myself) and (my|one) {_ONE}\w+|my {_ONE}\w+ and (i|me)\b|ik en (mijn|m'?n|één) {_ONE}\w+|"
    rf"(mijn|m'?n) {_ONE}\w+ en ik\b)",
    re.I,
)


def states_small_team(question: str) -> bool:
    return bool(_HEADCOUNT.search(question))


def sourcing_at(question: str) -> int | None:
    """Where in the question the choice of how to fill a role is asked, or None."""
    found = _ASKS_SOURCING.search(question)
    return found.start() if found else None


# a hire seen as a cost ("my accountant says a hire is just an expense", "someone cheap to save money", "een
# kostenpost"): the cause on budgets (a hire is an investment that should pay for itself), though the question
# asks no amount
_COST_VIEW = re.compile(
    r"\b(expenses?|kostenpost\w*|cost (centre|center)|cheap\w*|goedko\w*|save (money|costs?|on)\b|"
    r"besparen|bespaar\w*|cut(ting)? costs|kosten (besparen|drukken|sparen)|"
    r"(just|only|alleen|maar|puur|gewoon) (a |an |een )?(cost|expense|kosten|uitgave)|"
    r"waste of money|zonde van (het|m'?n|mijn) geld|geldverspilling|weggegooid geld)",
    re.I,
)


def sees_hire_as_cost(question: str) -> bool:
    return bool(_COST_VIEW.search(question))
