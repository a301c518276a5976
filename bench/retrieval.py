"""Retrieval quality and speed on the gold set: dense only, BM25 only and hybrid, side by side.

python bench/retrieval.py [--gold eval/gold.jsonl] [--k 4]
"""

from __future__ import annotations

import argparse
import re
import time

import numpy as np
from _common import ROOT, built_settings, median, p

from assistant import retrieval as R
from assistant.evaluation import load_gold
from assistant.service import Assistant


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", default=str(ROOT / "eval" / "gold.jsonl"))
    parser.add_argument("--k", type=int, default=4)
    args = parser.parse_args()
    gold = [g for g in load_gold(args.gold) if "must" in g]
    assistant = Assistant(built_settings())
    assistant.search("warm up")
    original = (R.LEXICAL_WEIGHT, R.TWIN_WEIGHT, R.HEADING_WEIGHT, R.FACET_BONUS, R.SUBJECT_BONUS)
    variants = {
        "dense only": dict(lexical=0.0, twin=0.0, heading=0.0, facet=0.0, subject=0.0, dense=True),
        "BM25 only": dict(lexical=1.0, twin=0.0, heading=0.0, facet=0.0, subject=0.0, dense=False),
        "hybrid": dict(
            lexical=original[0],
            twin=original[1],
            heading=original[2],
            facet=original[3],
            subject=original[4],
            dense=True,
        ),
    }
    print(f"{len(gold)} in-scope gold questions, k={args.k}")
    print(f"{'method':12} {'hit@1':>6} {'hit@4':>6} {'MRR':>6} {'p50 ms':>7} {'p95 ms':>7}")
    for name, v in variants.items():
        R.LEXICAL_WEIGHT, R.TWIN_WEIGHT = v["lexical"], v["twin"]
        R.HEADING_WEIGHT, R.FACET_BONUS, R.SUBJECT_BONUS = v["heading"], v["facet"], v["subject"]
        engine = assistant.search_engine
        dense_fn = engine._dense
        if not v["dense"]:
            engine._dense = lambda snap, qvec: {}
        hit1 = hit4 = 0
        rr: list[float] = []
        times: list[float] = []
        for g in gold:
            t0 = time.perf_counter()
            result = engine.search(g["question"], k=10)
            times.append((time.perf_counter() - t0) * 1000)
            rank = None
            for i, h in enumerate(result.hits):
                text = f"{h.metadata.get('title')} {h.metadata.get('section')} {h.text}"
                if all(re.search(rx, text, re.IGNORECASE) for rx in g["must"]):
                    rank = i + 1
                    break
            joined = " ".join(
                f"{h.metadata.get('title')} {h.metadata.get('section')} {h.text}" for h in result.hits[: args.k]
            )
            hit4 += all(re.search(rx, joined, re.IGNORECASE) for rx in g["must"])
            hit1 += rank == 1
            rr.append(1.0 / rank if rank else 0.0)
        engine._dense = dense_fn
        n = len(gold)
        print(
            f"{name:12} {hit1 / n:>6.3f} {hit4 / n:>6.3f} {float(np.mean(rr)):>6.3f} "
            f"{median(times):>7.1f} {p(times, 0.95):>7.1f}"
        )
    R.LEXICAL_WEIGHT, R.TWIN_WEIGHT, R.HEADING_WEIGHT, R.FACET_BONUS, R.SUBJECT_BONUS = original


if __name__ == "__main__":
    main()
