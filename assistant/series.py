"""The guides' numbered series (causes, checklist steps, consequences): whether a question asks for a whole
series, the section that introduces one, and the one step a question asks for.

Step sections share most of their words, so the search alone often ranks a neighbouring step first: the search
uses `with_asked_step` to show the asked step among its sources, the composer `step_index` to lead with it. A
series has more sections than a search returns passages: the search shows its overview (`overview_to_show`),
which names every member, and the composer lists them all (lists.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

# "why do so many shops end up without a team", "waarom lukt het bij zoveel bedrijven niet": a why about
# shops in general, not about the asker's one problem, asks for every cause
_WHY_SO_MANY = re.compile(
    r"\b(why|waarom)\b.{0,60}\b(so many|many|most|zo ?veel|veel|de meeste)\s+(\w+\s+)?"
    r"(shops|webshops|web shops|stores|businesses|companies|brands|owners|organi[sz]ations|"
    r"bedrijven|winkels|webwinkels|ondernemers|eigenaren|organisaties|merken)\b",
    re.IGNORECASE,
)


# "why isn't our team working", "hoe kan het dat ons team niet lekker draait", "why does this happen in the
# first place": a why about the whole team not working (or about the root of it) has no one cause to point to
# either, and asks for them all
_WHY = r"\b(why|waarom|how come|hoe komt|hoe kan het)\b"
_OUR_TEAM = r"\b(my|our|mijn|ons|onze)\s+([\w-]+\s+){0,2}[\w-]*teams?\b"
_NOT = r"(\bnot|n't|\bniet|\bnooit|\bniks)\b"
_WHY_OUR_TEAM = re.compile(
    rf"{_WHY}.{{0,40}}{_OUR_TEAM}.{{0,30}}{_NOT}|{_WHY}.{{0,40}}{_NOT}.{{0,30}}{_OUR_TEAM}"
    rf"|{_WHY}.{{0,60}}\bin the first place\b",
    re.IGNORECASE,
)


def asks_why_in_general(question: str) -> bool:
    return bool(_WHY_SO_MANY.search(question) or _WHY_OUR_TEAM.search(question))


class _Scored(Protocol):
    metadata: dict[str, Any]
    score: float


H = TypeVar("H", bound=_Scored)

SERIES_ASKED = {  # which series a question asks for, by the words it uses
    "cause": re.compile(
        r"\b(causes?|oorza\w*|reasons?|redenen|why|waarom|how come|hoe komt|hoe kan het)\b", re.IGNORECASE
    ),
    "step": re.compile(
        r"\b(steps?|stap\w*|checklist|plan|(how|where) (do|should|can) (i|we) (\w+ ){0,2}(start|begin)|"
        r"(hoe|waar) (begin|start)|(hoe|waar) (moet|kan) (ik|je|we) (\w+ ){0,3}(beginnen|starten))\b",
        re.IGNORECASE,
    ),
    "consequence": re.compile(
        r"\b(consequen\w*|gevolg\w*|happens?|gebeurt|risks?|risico\w*|what if|wat als|ignor\w*|negeer\w*|"
        r"laat liggen|do nothing|niks doe|niets doe)\b",
        re.IGNORECASE,
    ),
}
MIN_SERIES = 3  # fewer sections than this are not a list worth spelling out

_ASKS_FOR_LIST = re.compile(
    r"\b(what are the|which (roles|steps|causes|kpis?)|all (the )?(roles|steps|causes|results)|list|"
    r"causes|reasons|steps|results|achieve|achieved|roles exist|wat zijn de|welke (rollen|stappen|oorzaken)|"
    r"alle (rollen|stappen|oorzaken)|oorzaken|redenen|stappen|resultaten|bereikt|opgeleverd|opbrengst|"
    r"lijst|rollen zijn er|in cijfers|figures|numbers)\b",
    re.IGNORECASE,
)


def asks_for_list(question: str) -> bool:
    """ "What are the causes", "which roles exist", "what did the coffee shop achieve": the whole list."""
    return bool(_ASKS_FOR_LIST.search(question) or asks_why_in_general(question))


# The guides' numbered series: "Cause 2:", "Checklist step 3:", "Gevolg:" (lists.py spells a series out).
SERIES_HEADING = re.compile(
    r"^(cause|oorzaak|(checklist )?(step|stap)|consequence|gevolg)\b\s*(?P<number>\d*)\s*:", re.IGNORECASE
)
_SERIES_KIND = {"cause": "cause", "oorzaak": "cause", "step": "step", "stap": "step", "consequence": "consequence"}
_ORDINALS = {
    **dict.fromkeys(("first", "1st", "eerste"), 1),
    **dict.fromkeys(("second", "2nd", "tweede"), 2),
    **dict.fromkeys(("third", "3rd", "derde"), 3),
    **dict.fromkeys(("fourth", "4th", "vierde"), 4),
    **dict.fromkeys(("fifth", "5th", "vijfde"), 5),
    **dict.fromkeys(("sixth", "6th", "zesde"), 6),
    **dict.fromkeys(("last", "final", "laatste"), -1),
}
_NUMBER_WORDS = {  # "step one", "stap twee" (not "stap een": "een" is also the article)
    **dict.fromkeys(("one", "één"), 1),
    **dict.fromkeys(("two", "twee"), 2),
    **dict.fromkeys(("three", "drie"), 3),
    **dict.fromkeys(("four", "vier"), 4),
    **dict.fromkeys(("five", "vijf"), 5),
    **dict.fromkeys(("six", "zes"), 6),
}
_ORDINAL_STEP = re.compile(
    rf"\b({'|'.join(_ORDINALS)})\b(?:\s+\w+)?\s+(step|item|stap|punt|thing|ding|onderdeel)\b"
    rf"|\b(step|stap)\s+(\d|{'|'.join(_NUMBER_WORDS)})\b",
    re.IGNORECASE,
)


def series_kind(label: str) -> str:
    """ "cause", "step" or "consequence" for a series section's heading; "" for any other section."""
    found = SERIES_HEADING.match(label)
    if not found:
        return ""
    word = found.group(1).lower().split()[-1]
    return _SERIES_KIND.get(word, "consequence" if word == "gevolg" else "")


def asks_for_step(question: str) -> bool:
    return bool(_ORDINAL_STEP.search(question))


def step_index(question: str, pool: Sequence[_Scored]) -> int | None:
    """The numbered step a question asks for ("the very first item on the checklist", "de laatste stap",
    "step 3"), from the document of the best-placed passage that has numbered steps; None if it asks for none.

    Step sections share most of their words, so the search alone often ranks a neighbouring step first: the
    search uses this to show the asked step among its sources, the composer to lead with it.
    """
    asked = _ORDINAL_STEP.search(question)
    if not asked:
        return None
    number = asked.group(4) or ""
    wanted = _ORDINALS[asked.group(1).lower()] if asked.group(1) else _NUMBER_WORDS.get(number.lower()) or int(number)
    labels = [(i, h, SERIES_HEADING.match(str(h.metadata.get("section", "")).strip())) for i, h in enumerate(pool)]
    numbered = [
        (i, h, int(m["number"])) for i, h, m in labels if m and m["number"] and series_kind(m.group(0)) == "step"
    ]
    if not numbered:
        return None

    def where(h: _Scored) -> tuple[Any, Any]:
        return h.metadata.get("doc_id"), h.metadata.get("lang")

    in_doc = [(i, n) for i, h, n in numbered if where(h) == where(numbered[0][1])]
    if wanted == -1:
        return max(in_doc, key=lambda x: x[1])[0]
    return next((i for i, n in in_doc if n == wanted), None)


def with_asked_step(ranked: Sequence[H], k: int, question: str) -> list[H]:
    """The top k, with the numbered step the question asks for in the last place when it ranked below them
    ("what is the last step of the checklist" ranked step 2 and the checklist's introduction first)."""
    top = list(ranked[:k])
    found = step_index(question, ranked)
    if found is None or found < k or not top:
        return top
    return top[:-1] + [ranked[found]]


# a question that names the series itself, not only a word that asks for it ("why", "what if")
_NAMED_KIND = {
    **dict.fromkeys(("causes", "oorzaken"), "cause"),
    **dict.fromkeys(("consequences", "gevolgen"), "consequence"),
}
_NAMES_SERIES = re.compile(rf"\b({'|'.join(_NAMED_KIND)})\b", re.IGNORECASE)


def names_series(question: str) -> bool:
    """ "What are all the causes of that?", "welke gevolgen heeft het": the question names a series itself."""
    return bool(_NAMES_SERIES.search(question))


def overview_to_show(question: str, hits: Sequence[_Scored], metadatas: Sequence[dict[str, Any]]) -> int | None:
    """The index in `metadatas` of the section that introduces a series ("The root cause", "Why ignoring your
    team structure hurts"), for a question that asks for the whole series when the top hits hold members of
    it but not that section: four passages cannot hold five causes or six consequences, their overview names
    them all. None otherwise."""
    if not (asks_for_list(question) or SERIES_ASKED["consequence"].search(question)):
        return None
    member = next((h for h in hits if SERIES_HEADING.match(str(h.metadata.get("section", "")).strip())), None)
    named = _NAMES_SERIES.search(question)
    general = _WHY_OUR_TEAM.search(question)  # "why isn't our team working" names the causes in effect
    if (named or general) and hits:
        # "which consequences does it have? list them all": the guide of that series, whatever else ranked
        lang = hits[0].metadata.get("lang")
        kind = _NAMED_KIND[named.group(1).lower()] if named else "cause"
        docs = {
            m.get("doc_id")
            for m in metadatas
            if m.get("lang") == lang and series_kind(str(m.get("section", "")).strip()) == kind
        }
        if len(docs) != 1:
            return None
        doc = docs.pop()
    elif member is not None:
        doc, lang = member.metadata.get("doc_id"), member.metadata.get("lang")
    else:
        return None
    same = [(i, m) for i, m in enumerate(metadatas) if m.get("doc_id") == doc and m.get("lang") == lang]
    series = [(i, m) for i, m in same if SERIES_HEADING.match(str(m.get("section", "")).strip())]
    kinds = {series_kind(str(m.get("section", "")).strip()) for _, m in series}
    if len(series) < MIN_SERIES or not any(SERIES_ASKED[k].search(question) for k in kinds if k in SERIES_ASKED):
        return None
    start = min(int(m.get("position", 0)) for _, m in series)
    before = [(i, m) for i, m in same if int(m.get("position", 0)) < start]
    if not before:
        return None
    first, meta = min(before, key=lambda p: int(p[1].get("position", 0)))
    shown = {(h.metadata.get("doc_id"), h.metadata.get("lang"), h.metadata.get("position")) for h in hits}
    return None if (doc, lang, meta.get("position")) in shown else first
