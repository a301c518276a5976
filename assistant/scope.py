"""Decide: is a question about building an e-commerce team at all? The step between retrieve and answer.

The search measures the signals (signals.py: nearest passage and heading, nearest off-topic example,
vocabulary coverage, domain words, how much nearer the question is to what the guidance is about than to
the near-domain topics it does not cover, scope_topics.yaml, the example bank, and `asks`: whether the question
asks for a rule, an amount, a formula, an app or a set-up rather than about the team, whatever its topic, so a
topic no list names still leans out); this module only judges them, in two steps:

1. Topic word: a question that names an uncovered business topic unmistakably (salary, VAT, insurance,
   hosting, Mollie, PostNL, GA4, notice period, loan, terms and conditions …) is declined, unless the topic
   allows it and the question is clearly about who does the work ("should I hire a freelancer for GA4?"), or the
   word is context rather than the subject: who says or wants something ("our investor wants …"), what the
   business is ("onze webshop hoort bij een groothandel"; scope_topics.yaml `context`).
   Words alone never answer a question; they only decline.
2. Otherwise a logistic model over the signals, its weights in scope_weights.yaml, fitted on the example
   questions of scope_bank.yaml and the seen eval sets (scope_fit.TRAIN_SETS) with bench/fit_scope.py, which
   also reports false and missed declines per set. Refit it when the guidance, the topics, the bank or an eval
   set changes; `ASSISTANT_SCOPE_BIAS` shifts the boundary
   without refitting.

Which step decided, and the signal that weighed most, is kept on the retrieval (`decided_by`).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import yaml

from .retrieval import Retrieval
from .signals import FILLER, ScopeSignals

# In ScopeSignals.vector() order.
SIGNAL_NAMES = ("dense", "heading", "off_topic", "coverage", "domain_word", "topic", "bank", "asks")
WEIGHTS_FILE = Path(__file__).with_name("scope_weights.yaml")


def load_weights(path: Path = WEIGHTS_FILE) -> tuple[float, ...]:
    """The fitted weights, in SIGNAL_NAMES order, then the intercept.

    A file that names other signals than the code measures would silently mis-weigh every question, so
    it stops the start-up with a message saying to refit.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    weights = data.get("weights") or {}
    if set(weights) != set(SIGNAL_NAMES) or "intercept" not in data:
        raise ValueError(
            f"{path.name} must have one weight for each of {', '.join(SIGNAL_NAMES)} and an intercept; "
            "refit with `python bench/fit_scope.py --write`"
        )
    return (*(float(weights[name]) for name in SIGNAL_NAMES), float(data["intercept"]))


SCOPE_WEIGHTS: tuple[float, ...] = load_weights()


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
    if strongest == "bank" and signals.bank_nearest:
        strongest += f' (nearest example: "{signals.bank_nearest}")'
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
