"""The guides' numbered series (causes, checklist steps, consequences) and the one step a question asks for.

Step sections share most of their words, so the search alone often ranks a neighbouring step first: the search
uses `with_asked_step` to show the asked step among its sources, the composer `step_index` to lead with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar


class _Scored(Protocol):
    metadata: dict[str, Any]
    score: float


H = TypeVar("H", bound=_Scored)

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
