"""Grid sweep over the hybrid search's fusion weights: is the shipped `FusionWeights()` at the optimum?

    python bench/sweep_fusion.py [--k 4] [--full]

Prints every grid point (weights, hit@4 on the in-scope questions of eval/gold.jsonl and
eval/holdout.jsonl, and their mean), then the best point and where the shipped weights rank. The grid
varies the three mixing weights (BM25 share, heading share, translation-twin discount) and the
other-language penalty around the shipped values; the facet and subject bonuses stay as shipped (`--full`
also varies them, about three times slower). Each point is its own `HybridSearch` over one index and one
embedding model, so nothing is patched; query and topic vectors are embedded once and reused, which keeps
the default grid (135 points) to about three minutes on two shared cores.

Tune on gold and holdout only; the blind sets (eval/blind-*.jsonl) are for reporting.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import time
from typing import Any

from _common import ROOT, built_settings, hit_at

from assistant.evaluation import load_gold
from assistant.retrieval import FusionWeights, HybridSearch
from assistant.service import Assistant

SETS = ("gold", "holdout")
GRID: dict[str, tuple[float, ...]] = {
    "lexical": (0.1, 0.15, 0.2, 0.25, 0.3),
    "heading": (0.15, 0.25, 0.35),
    "twin": (0.8, 0.9, 1.0),
    "other_lang_penalty": (0.05, 0.1, 0.15),
}
FULL_GRID: dict[str, tuple[float, ...]] = {
    **GRID,
    "facet_bonus": (0.03, 0.06, 0.09),
    "subject_bonus": (0.04, 0.08, 0.12),
}


class ReusedEmbeddings:
    """The assistant's embedding model with its answers remembered, so each grid point embeds nothing new."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.signature = inner.signature
        self._queries: dict[str, list[float]] = {}
        self._documents: dict[tuple[str, ...], list[list[float]]] = {}

    def embed_query(self, text: str) -> list[float]:
        if text not in self._queries:
            self._queries[text] = self.inner.embed_query(text)
        return self._queries[text]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        key = tuple(texts)
        if key not in self._documents:
            self._documents[key] = self.inner.embed_documents(texts)
        return self._documents[key]


def hit4(engine: HybridSearch, questions: list[dict], k: int) -> float:
    return sum(hit_at(g, engine.search(g["question"], k=k).hits, k) for g in questions) / len(questions)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--full", action="store_true", help="also vary the facet and subject bonuses")
    args = parser.parse_args()
    grid = FULL_GRID if args.full else GRID
    questions = {name: [g for g in load_gold(ROOT / "eval" / f"{name}.jsonl") if "must" in g] for name in SETS}
    assistant = Assistant(built_settings())
    embeddings = ReusedEmbeddings(assistant.embeddings)
    shipped = FusionWeights()
    points = [
        dataclasses.replace(shipped, **dict(zip(grid, values, strict=True)))
        for values in itertools.product(*grid.values())
    ]
    if shipped not in points:
        points.append(shipped)
    started = time.perf_counter()
    names = list(grid)
    print(
        f"{len(points)} grid points; hit@{args.k} on "
        + ", ".join(f"{n} ({len(q)} in-scope)" for n, q in questions.items())
    )
    print(" ".join(f"{n:>18}" for n in names) + "".join(f" {s:>8}" for s in SETS) + f" {'mean':>8}")
    results: list[tuple[float, FusionWeights, dict[str, float]]] = []
    for weights in points:
        engine = HybridSearch(assistant.settings, assistant.reader, embeddings, weights=weights)  # type: ignore[arg-type]
        scores = {name: hit4(engine, q, args.k) for name, q in questions.items()}
        mean = sum(scores.values()) / len(scores)
        results.append((mean, weights, scores))
        mark = "  <- shipped" if weights == shipped else ""
        print(
            " ".join(f"{getattr(weights, n):>18.2f}" for n in names)
            + "".join(f" {scores[s]:>8.3f}" for s in SETS)
            + f" {mean:>8.3f}{mark}"
        )
    ranked = sorted(results, key=lambda r: -r[0])
    best_mean, best, best_scores = ranked[0]
    shipped_mean, _, shipped_scores = next(r for r in results if r[1] == shipped)
    rank = 1 + sum(r[0] > shipped_mean for r in results)
    at_best = sum(r[0] == best_mean for r in results)
    print(f"\nsearched {len(points)} points in {time.perf_counter() - started:.0f} s")
    print(f"best:    {best}  " + ", ".join(f"{s} {best_scores[s]:.3f}" for s in SETS) + f", mean {best_mean:.3f}")
    print(f"         ({at_best} point(s) share the best mean)")
    print(
        f"shipped: {shipped}  " + ", ".join(f"{s} {shipped_scores[s]:.3f}" for s in SETS) + f", mean {shipped_mean:.3f}"
    )
    print(f"shipped ranks {rank} of {len(points)}; {best_mean - shipped_mean:+.3f} mean hit@{args.k} to the best")


if __name__ == "__main__":
    main()
