"""Team-plan latency, offline, against a fresh index: p50/p95 over many plans with varied inputs.

Each plan checks the active version (one small read of the pointer) and builds the plan from the cached
rules and role cards, as a running app would.

    python bench/plan.py [--n 500]
"""

from __future__ import annotations

import argparse
import itertools
import time

from _common import built_settings, median, p

from assistant.plan import TeamPlanner, to_markdown

INPUTS = [
    {"people": 1, "stage": "starting", "budget": 1000},
    {"people": 1, "stage": "growing", "goals": ["conversion", "traffic"]},
    {"people": 4, "stage": "growing", "budget": 6000, "goals": ["delivery"], "have": ["klantenservice"]},
    {"people": 12, "stage": "scaling", "budget": 30000, "goals": ["content", "service"]},
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    args = parser.parse_args()
    planner = TeamPlanner(built_settings())
    t0 = time.perf_counter()
    planner.plan()  # the first plan of a version reads its rules and sections once
    first = (time.perf_counter() - t0) * 1000
    times: list[float] = []
    for inputs, lang in itertools.islice(itertools.cycle(itertools.product(INPUTS, ["en", "nl"])), args.n):
        t0 = time.perf_counter()
        to_markdown(planner.plan(lang=lang, **inputs))
        times.append((time.perf_counter() - t0) * 1000)
    print(f"first plan of a new index version: {first:.1f} ms")
    print(f"plan + Markdown over {args.n} plans: p50 {median(times):.2f} ms, p95 {p(times, 0.95):.2f} ms")


if __name__ == "__main__":
    main()
