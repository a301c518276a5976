"""Calibrate the "is this in my guidance?" model on the gold set and show how it carries over.

    python bench/fit_scope.py [--gold eval/gold.jsonl] [--write]

Fits a balanced logistic regression on the scope signals of every gold question (measured by the search,
assistant/signals.py: nearest passage, nearest heading, nearest off-topic example, vocabulary coverage,
domain word), prints the weights, and reports false and missed declines on every eval/*.jsonl file with
the current and the new weights. `--write` puts the new weights into assistant/scope.py. Refit after
changing the guidance, the off-topic examples or the embedding model.
"""

from __future__ import annotations

import argparse
import re

import numpy as np
from _common import ROOT, built_settings

from assistant import scope
from assistant.evaluation import load_gold
from assistant.service import Assistant


def signals_of(assistant: Assistant, path) -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for item in load_gold(path):
        if scope.is_vague_request(item["question"]):
            continue  # answered with the overview whatever the signals say
        result = assistant.search(item["question"])
        rows.append(result.scope.vector())
        labels.append(0.0 if item.get("expect") == "decline" else 1.0)
    return np.array(rows), np.array(labels)


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


def errors(x: np.ndarray, y: np.ndarray, weights: tuple[float, ...]) -> tuple[int, int]:
    *w, b = weights
    answered = x @ np.array(w) + b > 0
    return int(((y == 1) & ~answered).sum()), int(((y == 0) & answered).sum())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", default=str(ROOT / "eval" / "gold.jsonl"))
    parser.add_argument("--write", action="store_true", help="write the new weights into assistant/scope.py")
    args = parser.parse_args()
    assistant = Assistant(built_settings())
    x, y = signals_of(assistant, args.gold)
    weights = fit(x, y)
    print("signals: dense, heading, off_topic, coverage, domain_word, intercept")
    print(f"current: {scope.SCOPE_WEIGHTS}")
    print(f"fitted:  {weights}")
    print(f"{'file':16} {'n':>4} {'current: false/missed declines':>32} {'fitted: false/missed':>22}")
    for path in sorted((ROOT / "eval").glob("*.jsonl")):
        fx, fy = signals_of(assistant, path)
        now, new = errors(fx, fy, scope.SCOPE_WEIGHTS), errors(fx, fy, weights)
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
