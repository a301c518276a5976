"""Calibrate the "is this in my guidance?" model on the gold set and show how it carries over.

    python bench/fit_scope.py [--gold eval/gold.jsonl] [--write]

Fits a balanced logistic regression on the scope signals of every gold question (measured by the search,
assistant/signals.py: nearest passage, nearest heading, nearest off-topic example, vocabulary coverage,
domain word, covered-minus-uncovered topic similarity), prints the weights, and reports false and missed
declines on every eval/*.jsonl file with the current and the new weights. Questions an uncovered-topic word
declines (assistant/scope_topics.yaml) are decided before the model and are left out of the fit, but counted
in the errors. `--write` puts the new weights into assistant/scope.py. Refit after changing the guidance,
assistant/scope_topics.yaml, the off-topic examples or the embedding model.

Fit on the gold set only: the blind sets (eval/blind-*.jsonl) are for reporting, never for fitting.
"""

from __future__ import annotations

import argparse
import re

import numpy as np
from _common import ROOT, built_settings

from assistant import scope
from assistant.evaluation import load_gold
from assistant.service import Assistant


def signals_of(assistant: Assistant, path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Signal rows, labels (1 = in scope) and whether a topic word vetoes the question."""
    rows, labels, vetoed = [], [], []
    for item in load_gold(path):
        if scope.is_vague_request(item["question"]):
            continue  # answered with the overview whatever the signals say
        signals = assistant.search(item["question"]).scope
        rows.append(signals.vector())
        labels.append(0.0 if item.get("expect") == "decline" else 1.0)
        vetoed.append(bool(signals.uncovered_word) and not signals.team_question)
    return np.array(rows), np.array(labels), np.array(vetoed)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 0.001, steps: int = 20000, rate: float = 1.0) -> tuple[float, ...]:
    """Gradient descent on standardised signals, both classes weighted equally; weights in raw units."""
    mean, std = x.mean(0), x.std(0) + 1e-9
    z = np.c_[(x - mean) / std, np.ones(len(x))]
    sample_weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        w -= rate * (z.T @ ((p - y) * sample_weight) / len(y) + l2 * np.r_[w[:-1], 0])
    raw = w[:-1] / std
    intercept = w[-1] - float(raw @ mean)
    return tuple(round(float(v), 4) for v in (*raw, intercept))


def errors(x: np.ndarray, y: np.ndarray, vetoed: np.ndarray, weights: tuple[float, ...]) -> tuple[int, int]:
    *w, b = weights
    answered = (x @ np.array(w) + b > 0) & ~vetoed
    return int(((y == 1) & ~answered).sum()), int(((y == 0) & answered).sum())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", default=str(ROOT / "eval" / "gold.jsonl"))
    parser.add_argument("--blind", action="store_true", help="also report the blind sets (at the very end only)")
    parser.add_argument("--write", action="store_true", help="write the new weights into assistant/scope.py")
    args = parser.parse_args()
    assistant = Assistant(built_settings())
    x, y, vetoed = signals_of(assistant, args.gold)
    weights = fit(x[~vetoed], y[~vetoed])
    print(f"signals: {', '.join(scope.SIGNAL_NAMES)}, intercept")
    print(f"current: {scope.SCOPE_WEIGHTS}")
    print(f"fitted:  {weights}")
    print(f"{'file':16} {'n':>4} {'current: false/missed declines':>32} {'fitted: false/missed':>22}")
    for path in sorted(p for p in (ROOT / "eval").glob("*.jsonl") if not p.name.startswith("blind") or args.blind):
        fx, fy, fv = signals_of(assistant, path)
        if len(scope.SCOPE_WEIGHTS) != len(weights):
            now = (-1, -1)  # the current weights predate a new signal
        else:
            now = errors(fx, fy, fv, scope.SCOPE_WEIGHTS)
        new = errors(fx, fy, fv, weights)
        print(f"{path.name:16} {len(fy):>4} {f'{now[0]} / {now[1]}':>32} {f'{new[0]} / {new[1]}':>22}")
    if args.write:
        target = ROOT / "assistant" / "scope.py"
        text = target.read_text(encoding="utf-8")
        pattern = r"SCOPE_WEIGHTS: tuple\[float, \.\.\.\] = \([^)]*\)"
        text = re.sub(pattern, f"SCOPE_WEIGHTS: tuple[float, ...] = {weights}", text)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
