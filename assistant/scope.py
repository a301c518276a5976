"""Decide: is a question about building an e-commerce team at all? The step between retrieve and answer.

The search measures the signals (signals.py: nearest passage and heading, nearest off-topic example,
vocabulary coverage, domain words); this module only judges them. They are combined by a logistic model
(`SCOPE_WEIGHTS`) calibrated on eval/gold.jsonl with bench/fit_scope.py, which also reports how it carries
over to the two held-out sets. Refit it when the guidance or the gold set changes; `ASSISTANT_SCOPE_BIAS`
shifts the boundary without refitting.
"""

from __future__ import annotations

import dataclasses
import re

from .retrieval import Retrieval
from .signals import FILLER, ScopeSignals

# Fitted by bench/fit_scope.py on eval/gold.jsonl (balanced logistic regression); order as in
# ScopeSignals.vector(), last value the intercept.
SCOPE_WEIGHTS: tuple[float, ...] = (22.2503, 4.6753, -10.7946, 11.9753, 4.1458, -11.488)


def scope_score(signals: ScopeSignals, weights: tuple[float, ...] = SCOPE_WEIGHTS) -> float:
    """Log-odds that the question is one the guidance answers."""
    *w, intercept = weights
    return float(sum(wi * xi for wi, xi in zip(w, signals.vector(), strict=True)) + intercept)


def in_scope(signals: ScopeSignals, bias: float = 0.0) -> bool:
    return scope_score(signals) + bias > 0


def decide(retrieval: Retrieval, bias: float = 0.0) -> Retrieval:
    """The retrieval with its verdict: relevant when its signals say the guidance answers the question."""
    return dataclasses.replace(retrieval, relevant=in_scope(retrieval.scope, bias))


_ASKS_FOR_STEPS = set(
    """fix solve sort steps step start begin help advice advise tips tip plan next approach
    los oplossen opgelost stappen stap stappenplan beginnen begin starten hulp helpen help advies tips tip
    plan aanpak verder aanpakken""".split()
)


def is_vague_request(question: str) -> bool:
    """ "How do I fix this, what are the steps?" with nothing else: a request for the overview.

    Without a conversation there is no "this" to carry forward; on an assistant that only does one thing the
    useful answer is where to start, not a decline. Anything with a topic of its own ("fix my python code")
    is not vague.
    """
    words = re.findall(r"[a-zà-ÿ']+", question.lower())
    if not words or len(words) > 12:
        return False
    return all(w in FILLER or w in _ASKS_FOR_STEPS for w in words) and any(w in _ASKS_FOR_STEPS for w in words)
