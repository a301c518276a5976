"""Retrieval quality and speed on the gold set: dense only, BM25 only and hybrid, side by side.

python bench/retrieval.py [--gold eval/gold.jsonl] [--k 4]

Each method is a `FusionWeights` handed to its own search over the same index; nothing is patched.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import ROOT, built_settings, hit_at, median, p, rank_of

from assistant.evaluation import load_gold
from assistant.retrieval import FusionWeights, HybridSearch
from assistant.service import Assistant

SHIPPED = FusionWeights()
METHODS = {
    "dense only": FusionWeights(lexical=0.0, twin=0.0, heading=0.0, facet_bonus=0.0, subject_bonus=0.0),
    "BM25 only": FusionWeights(lexical=1.0, twin=0.0, heading=0.0, facet_bonus=0.0, subject_bonus=0.0, dense=0.0),
    "hybrid": SHIPPED,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", default=str(ROOT / "eval" / "gold.jsonl"))
    parser.add_argument("--k", type=int, default=4)
    args = parser.parse_args()
    gold = [g for g in load_gold(args.gold) if "must" in g]
    assistant = Assistant(built_settings())
    assistant.search("warm up")
    print(f"{len(gold)} in-scope gold questions, k={args.k}")
    print(f"{'method':12} {'hit@1':>6} {'hit@4':>6} {'MRR':>6} {'p50 ms':>7} {'p95 ms':>7}")
    for name, weights in METHODS.items():
        engine = HybridSearch(assistant.settings, assistant.reader, assistant.embeddings, weights=weights)
        hit1 = hit4 = 0
        rr: list[float] = []
        times: list[float] = []
        for g in gold:
            t0 = time.perf_counter()
            result = engine.search(g["question"], k=10)
            times.append((time.perf_counter() - t0) * 1000)
            rank = rank_of(g, result.hits)
            hit4 += hit_at(g, result.hits, args.k)
            hit1 += rank == 1
            rr.append(1.0 / rank if rank else 0.0)
        n = len(gold)
        print(
            f"{name:12} {hit1 / n:>6.3f} {hit4 / n:>6.3f} {float(np.mean(rr)):>6.3f} "
            f"{median(times):>7.1f} {p(times, 0.95):>7.1f}"
        )


if __name__ == "__main__":
    main()
