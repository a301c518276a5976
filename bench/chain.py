"""The chain's own overhead in LLM mode, against a zero-delay local OpenAI-compatible server.

overhead = total time of an answer minus the time the model server spent; first-token overhead = time to
the first streamed token minus the server's own time to its first token.

    python bench/chain.py [--n 30]
"""

from __future__ import annotations

import argparse
import sys
import time

from _common import ROOT, built_settings, median, p

sys.path.insert(0, str(ROOT / "tests"))
from fake_llm import FakeLLM  # noqa: E402

from assistant.service import Assistant  # noqa: E402

QUESTIONS = [
    "We are a two-person webshop, what team do we need first?",
    "Welke KPI's gebruik ik voor mijn klantenservice?",
    "in-house or outsource?",
    "wat doet een merchandiser",
    "which numbers for my marketer?",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    base = built_settings()
    with FakeLLM() as fake:
        fake.reply = "Start with the owner plus one assistant [1]. " * 8
        settings = base.model_copy(update={"openai_base_url": fake.base_url, "llm_model": "fake-model"})
        assistant = Assistant(settings)
        assistant.ask(QUESTIONS[0])  # warm up: model load, HTTP connection
        totals: list[float] = []
        first: list[float] = []
        for i in range(args.n):
            q = QUESTIONS[i % len(QUESTIONS)]
            t0 = time.perf_counter()
            t_first = None
            for event in assistant.stream(q):
                if event.kind == "token" and t_first is None:
                    t_first = time.perf_counter() - t0
            totals.append((time.perf_counter() - t0) * 1000)
            first.append((t_first or 0) * 1000)
        offline = Assistant(base)
        offline_ms: list[float] = []
        for i in range(args.n):
            t0 = time.perf_counter()
            offline.ask(QUESTIONS[i % len(QUESTIONS)])
            offline_ms.append((time.perf_counter() - t0) * 1000)
    # The fake server answers at once (delay 0): what is measured is the chain, the HTTP client and SSE parsing.
    print(f"{args.n} questions against a zero-delay local model server")
    print(f"LLM mode, whole answer (chain overhead): p50 {median(totals):.1f} ms, p95 {p(totals, 0.95):.1f} ms")
    print(f"LLM mode, first-token overhead:          p50 {median(first):.1f} ms, p95 {p(first, 0.95):.1f} ms")
    print(f"offline answer (no model):               p50 {median(offline_ms):.1f} ms, "
          f"p95 {p(offline_ms, 0.95):.1f} ms")


if __name__ == "__main__":
    main()
