"""Fit the scope model: class-weighted, L2-regularised logistic regression over the scope signals, by Newton's method.

Kept apart from scope.py (which only judges) so bench/fit_scope.py and the tests fit the same way.
Newton/IRLS converges to the one optimum of a convex loss in a few steps and has no learning rate or
step count to tune, so a refit on the same gold set reproduces the shipped weights (tests/test_tuning.py).
The signals are standardised before fitting so one small L2 penalty treats them alike; the weights are
returned in raw units, the way scope.py applies them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .retrieval import Retrieval
from .scope import SIGNAL_NAMES, WEIGHTS_FILE, is_vague_request
from .signals import bank_signal, load_bank

L2 = 0.001  # on standardised weights: keeps the fit finite; 0.01 shrank it into 2 false declines on gold
# Share of the loss on the in-scope class: a false decline (an owner's question refused) costs more than a
# missed one. Leave one set out (bench/fit_scope.py --loso): 0.5 refused 1.4 in-scope questions per 50,
# 0.85 refuses 0.3 per 50 and still declines 98% of the off-topic ones.
POSITIVE_SHARE = 0.85
# What the shipped weights are fitted on: every seen eval set (blind-c and blind-d stay blind) and the
# example questions of scope_bank.yaml (each scored as if new, bank_signal's skip_self).
TRAIN_SETS = (
    "gold",
    "holdout",
    "holdout2",
    "blind-a",
    "blind-b",
    "blind-e",
    "blind-f",
    "blind-g",
    "blind-h",
    "blind-i",
    "blind-j",
    "blind-k",
    "blind-l",
    "blind-m",
    "blind-n",
    "blind-o",
    "blind-p",
    "blind-q",
    "blind-r",
    "blind-s",
    "blind-t",
    "blind-u",
    "blind-v",
    "blind-w",
    "blind-x",
)


def bank_items() -> list[dict[str, Any]]:
    """The bank's example questions as eval-like items (in scope, or `expect: decline`), marked as bank."""
    bank = load_bank()
    return [{"question": q, "bank": True} for q in bank.in_scope] + [
        {"question": q, "bank": True, "expect": "decline"} for q in bank.out_of_scope
    ]


def signals_of(
    search: Callable[[str], Retrieval],
    items: Iterable[dict[str, Any]],
    bank_vectors: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Signal rows, labels (1 = in scope) and whether an uncovered-topic word vetoes the question.

    Vague requests ("how do I fix this?") are answered with the overview whatever the signals say, so they
    are left out. A bank item's bank signal is measured without itself (needs `bank_vectors`).
    """
    rows, labels, vetoed = [], [], []
    for item in items:
        if is_vague_request(item["question"]):
            continue
        retrieval = search(item["question"])
        signals = retrieval.scope
        if item.get("bank") and bank_vectors is not None and retrieval.query_vector is not None:
            own, _ = bank_signal(retrieval.query_vector, *bank_vectors, load_bank(), skip_self=True)
            signals = dataclasses.replace(signals, bank=own)
        rows.append(signals.vector())
        labels.append(0.0 if item.get("expect") == "decline" else 1.0)
        vetoed.append(bool(signals.uncovered_word) and not signals.team_question)
    return np.array(rows, dtype=float), np.array(labels), np.array(vetoed, dtype=bool)


def fit(
    x: np.ndarray, y: np.ndarray, l2: float = L2, positive: float = POSITIVE_SHARE, iterations: int = 50
) -> tuple[float, ...]:
    """Weights then intercept, rounded to 4 places: the minimum of the class-weighted log loss + l2/2·|w|²
    (the in-scope class weighs `positive`, the declined one the rest)."""
    if len(set(y.tolist())) != 2:
        raise ValueError("the fit needs both in-scope and declined questions")
    mean, std = x.mean(0), x.std(0)
    std[std == 0] = 1.0
    z = np.c_[(x - mean) / std, np.ones(len(x))]
    balance = np.where(y == 1, positive / y.mean(), (1 - positive) / (1 - y.mean()))
    penalty = np.r_[np.full(x.shape[1], l2), 0.0]  # the intercept is not shrunk
    w = np.zeros(z.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -35, 35)))
        gradient = z.T @ (balance * (p - y)) / len(y) + penalty * w
        hessian = (z * (balance * p * (1 - p))[:, None]).T @ z / len(y) + np.diag(penalty)
        step = np.linalg.solve(hessian + 1e-12 * np.eye(len(w)), gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-10:
            break
    raw = w[:-1] / std
    intercept = w[-1] - float(raw @ mean)
    return tuple(round(float(v), 4) for v in (*raw, intercept))


def errors(x: np.ndarray, y: np.ndarray, vetoed: np.ndarray, weights: tuple[float, ...]) -> tuple[int, int]:
    """(false declines, missed declines) of `weights` on these rows, counting topic-word vetoes as declines."""
    *w, b = weights
    answered = (x @ np.array(w) + b > 0) & ~vetoed
    return int(((y == 1) & ~answered).sum()), int(((y == 0) & answered).sum())


def write_weights(weights: tuple[float, ...], source: str, path: Path = WEIGHTS_FILE) -> None:
    """The scope_weights.yaml that scope.py loads: one weight per signal, then the intercept."""
    *w, intercept = weights
    data = {
        "fitted_on": source,
        "l2": L2,
        "positive_share": POSITIVE_SHARE,
        "weights": dict(zip(SIGNAL_NAMES, w, strict=True)),
        "intercept": intercept,
    }
    header = (
        "# The scope model (assistant/scope.py): log-odds that the guidance answers a question.\n"
        "# Written by `python bench/fit_scope.py --write` (class-weighted logistic regression, Newton's method);\n"
        "# refit rather than edit by hand. Signals: assistant/signals.py, ScopeSignals.\n"
    )
    path.write_text(header + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
