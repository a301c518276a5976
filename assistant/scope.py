"""Decide: is a question about building an e-commerce team at all? The step between retrieve and answer.

The search measures the signals (signals.py: nearest passage and heading, nearest off-topic example,
vocabulary coverage, domain words, and how much nearer the question is to what the guidance is about than to
the near-domain topics it does not cover, scope_topics.yaml); this module only judges them, in two steps:

1. Topic word: a question that names an uncovered business topic unmistakably (salary, VAT, insurance,
   hosting, Mollie, PostNL, GA4, notice period, loan, terms and conditions …) is declined, unless the topic
   allows it and the question is clearly about who does the work ("should I hire a freelancer for GA4?").
   Words alone never answer a question; they only decline.
2. Otherwise a logistic model (`SCOPE_WEIGHTS`) over the signals, calibrated on eval/gold.jsonl with
   bench/fit_scope.py, which also reports how it carries over to the other sets. Refit it when the guidance,
   the topics file or the gold set changes; `ASSISTANT_SCOPE_BIAS` shifts the boundary without refitting.

Which step decided, and the signal that weighed most, is kept on the retrieval (`decided_by`).
"""

from __future__ import annotations

import dataclasses
import re

from .retrieval import Retrieval
from .signals import FILLER, ScopeSignals

# Fitted by bench/fit_scope.py on eval/gold.jsonl (balanced logistic regression); order as in
# ScopeSignals.vector(), last value the intercept.
SCOPE_WEIGHTS: tuple[float, ...] = (25.7762, 9.4328, -10.3404, 10.3427, 4.0278, 7.1015, -12.9958)
SIGNAL_NAMES = ("dense", "heading", "off_topic", "coverage", "domain_word", "topic")


def scope_score(signals: ScopeSignals, weights: tuple[float, ...] = SCOPE_WEIGHTS) -> float:
    """Log-odds that the question is one the guidance answers."""
    *w, intercept = weights
    return float(sum(wi * xi for wi, xi in zip(w, signals.vector(), strict=True)) + intercept)


def in_scope(signals: ScopeSignals, bias: float = 0.0) -> bool:
    return verdict(signals, bias)[0]


def verdict(signals: ScopeSignals, bias: float = 0.0) -> tuple[bool, str]:
    """In scope or not, and why: the uncovered-topic word that declined it, or the model's strongest signal."""
    if signals.uncovered_word and not signals.team_question:
        return False, f"uncovered topic word ({signals.uncovered_word})"
    score = scope_score(signals) + bias
    *w, _ = SCOPE_WEIGHTS
    contributions = [wi * xi for wi, xi in zip(w, signals.vector(), strict=True)]
    answered = score > 0
    # The signal whose weighted value pushed hardest towards the verdict.
    pick = max if answered else min
    strongest = SIGNAL_NAMES[contributions.index(pick(contributions))]
    override = f"; team question overrides ({signals.uncovered_word})" if signals.uncovered_word else ""
    return answered, f"model {score:+.2f}, strongest {strongest}{override}"


def decide(retrieval: Retrieval, bias: float = 0.0) -> Retrieval:
    """The retrieval with its verdict: relevant when its signals say the guidance answers the question."""
    relevant, why = verdict(retrieval.scope, bias)
    return dataclasses.replace(retrieval, relevant=relevant, decided_by=why)


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
