"""One copy of each fact: which sentences and list items of an answer say the same thing.

The FAQ and a role page often state the same KPI ("**Response time:** how quickly …") in slightly different
words; an owner should read it once. Three signals, any one enough: the same words once punctuation and list
markers are gone, sentence vectors nearly parallel, or mostly the same words (a shared bold label on a
list item lowers that bar, but the same label with other content, another role's hand-off, stays).
Kept apart from the composer so the rule is stated once and tested on its own.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

NEAR_DUPLICATE = 0.92  # cosine above which two sentences are the same fact in other words
SAME_WORDS = 0.8  # share of shared words (Jaccard) above which two sentences are the same fact
SAME_LABEL = 0.4  # with the same bold label, this share of shared words already makes it the same fact
SAME_LABEL_VECTOR = 0.7  # with the same bold label, sentence vectors this close already make it the same fact
REPEAT_LIMIT = 0.8  # cosine above which a runner-up sentence only restates what the answer already says
COVERED = 0.75  # share of a sentence's content words the answer already has, above which it is a summary of it

_MARKER = re.compile(r"^([-*•]|\d+[.)])\s+")
_LABEL = re.compile(r"^\*\*([^*]{2,80}?)[:.]?\*\*")


@lru_cache(maxsize=8192)
def key(text: str) -> str:
    """The sentence without list marker, markup, punctuation and case: equal keys are the same sentence.

    Cached, as are `label` and the word sets: `distinct` compares each sentence with every one kept before it."""
    return re.sub(r"[^\w%]+", " ", _MARKER.sub("", text).lower()).strip()


@lru_cache(maxsize=8192)
def label(text: str) -> str:
    """The bold label a list item opens with ("**Response time:** …" → "response time"), or ""."""
    found = _LABEL.match(_MARKER.sub("", text.strip()))
    return key(found.group(1)) if found else ""


@lru_cache(maxsize=8192)
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _jaccard(a: str, b: str) -> float:
    left, right = _words(a), _words(b)
    return len(left & right) / len(left | right) if left and right else 0.0


def distinct(texts: list[str], vectors: np.ndarray | None = None) -> list[int]:
    """Indexes of the texts to keep, in order: the first copy of each fact, later restatements dropped."""
    kept: list[int] = []
    keys: set[str] = set()
    labels: set[str] = set()
    for i, text in enumerate(texts):
        k, lab = key(text), label(text)
        if not k or k in keys:
            continue
        if (
            lab
            and lab in labels
            and any(label(texts[j]) == lab and _jaccard(k, key(texts[j])) >= SAME_LABEL for j in kept)
        ):
            continue  # the same KPI explained again; the same label saying something else (another role) stays
        if (
            lab
            and vectors is not None
            and any(label(texts[j]) == lab and float(vectors[j] @ vectors[i]) >= SAME_LABEL_VECTOR for j in kept)
        ):
            continue  # the same KPI explained in other words ("how satisfied …" / "ask customers to rate …")
        if any(_jaccard(k, key(texts[j])) >= SAME_WORDS for j in kept):
            continue
        if vectors is not None and kept and float((vectors[kept] @ vectors[i]).max()) >= NEAR_DUPLICATE:
            continue
        kept.append(i)
        keys.add(k)
        if lab:
            labels.add(lab)
    return kept


def repeats(vector: np.ndarray, shown: np.ndarray, limit: float = REPEAT_LIMIT) -> bool:
    """A sentence that says what the answer already says adds length, not advice."""
    return bool(shown.size) and float((shown @ vector).max()) >= limit


@lru_cache(maxsize=4096)
def _content(text: str) -> frozenset[str]:
    """Content words, cut to six letters so "marketer" and "marketing", "KPI's" and "KPIs" meet (cached: the
    composer asks again for every sentence already shown, for each candidate sentence)."""
    return frozenset(w[:6] for w in key(text).split() if len(w) >= 4)


def covered(text: str, shown: list[str], share: float = COVERED) -> bool:
    """A summary line of what the answer already spells out ("Marketer: traffic, lead quality and ROI" after the
    three KPIs explained one by one) says nothing new, though no single shown sentence is like it."""
    words = _content(text)
    if len(words) < 4:
        return False
    seen = frozenset().union(*(_content(s) for s in shown))
    return len(words & seen) / len(words) >= share
