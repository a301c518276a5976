"""The chain's own overhead in LLM mode, against a zero-delay local OpenAI-compatible server.

overhead = total time of an answer minus the time the model server spent; first-token overhead = time to
the first streamed token minus the server's own time to its first token.

    python bench/chain.py [--n 30]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import httpx
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
    parser.add_argument("--index", type=Path, help="start from a copy of this data folder's index (make test)")
    args = parser.parse_args()
    base = built_settings(args.index)
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
        # The model's own time: the same streamed request straight to the server with a bare HTTP client.
        raw_total: list[float] = []
        raw_first: list[float] = []
        body = dict(fake.requests[-1])
        with httpx.Client(timeout=10) as client:
            for _ in range(args.n):
                t0 = time.perf_counter()
                first_at = None
                with client.stream("POST", f"{fake.base_url}/chat/completions", json=body) as resp:
                    for line in resp.iter_lines():
                        if first_at is None and line.startswith("data: {"):
                            delta = json.loads(line[6:])["choices"][0]["delta"]
                            if delta.get("content"):
                                first_at = time.perf_counter() - t0
                raw_total.append((time.perf_counter() - t0) * 1000)
                raw_first.append((first_at or 0) * 1000)
        offline = Assistant(base)
        offline_ms: list[float] = []
        for i in range(args.n):
            t0 = time.perf_counter()
            offline.ask(QUESTIONS[i % len(QUESTIONS)])
            offline_ms.append((time.perf_counter() - t0) * 1000)
    # The fake server answers at once (delay 0): what is measured is the chain, the HTTP client and SSE parsing.
    print(f"{args.n} questions against a zero-delay local model server")
    m_total, m_first = median(raw_total), median(raw_first)
    print(
        f"model server alone (bare HTTP client):   whole answer p50 {m_total:.1f} ms, first token p50 {m_first:.1f} ms"
    )
    print(f"LLM mode, whole answer:                  p50 {median(totals):.1f} ms, p95 {p(totals, 0.95):.1f} ms")
    print(
        f"  chain overhead (minus the model):      p50 {median(totals) - m_total:.1f} ms, "
        f"p95 {p(totals, 0.95) - m_total:.1f} ms"
    )
    print(f"LLM mode, first token:                   p50 {median(first):.1f} ms, p95 {p(first, 0.95):.1f} ms")
    print(
        f"  first-token overhead (minus the model): p50 {median(first) - m_first:.1f} ms, "
        f"p95 {p(first, 0.95) - m_first:.1f} ms"
    )
    print(f"offline answer (no model):               p50 {median(offline_ms):.1f} ms, p95 {p(offline_ms, 0.95):.1f} ms")


if __name__ == "__main__":
    main()
