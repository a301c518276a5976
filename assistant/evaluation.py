"""Score retrieval and offline answers on a gold set, so changes to guidance or tuning are measured.

Gold file: one JSON object a line, `{"id", "lang", "question", "must": [regex, ...]}` (a hit when every
regex matches the top-k passages) or `{"id", "lang", "question", "expect": "decline"}`.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import AssistantError


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    items = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssistantError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        if "question" not in item or ("must" not in item and item.get("expect") != "decline"):
            raise AssistantError(f"{path}:{n}: needs 'question' and either 'must' or 'expect': 'decline'")
        items.append(item)
    return items


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def count_words(text: str) -> int:
    """Words as an owner reads them: bullet dashes, bold markers and citation marks like [2] are not words."""
    return sum(1 for w in text.split() if re.search(r"\w", w) and not re.fullmatch(r"\[\d+\][.,;:]?", w))


def run_eval(settings: Settings, path: str | Path, k: int = 4, assistant: Any = None) -> dict[str, Any]:
    from .service import Assistant

    assistant = assistant or Assistant(settings)
    gold = load_gold(path)
    assistant.search("warm up")
    results = []
    retrieval_ms: list[float] = []
    answer_ms: list[float] = []
    for item in gold:
        t0 = time.perf_counter()
        answer = assistant.ask(item["question"])
        answer_ms.append((time.perf_counter() - t0) * 1000)
        if answer.retrieval is not None and k == assistant.settings.top_k:
            retrieval = answer.retrieval  # the passages the answer was built from: no second search
            retrieval_ms.append(answer.timings_ms.get("retrieval", 0.0))
        else:
            t0 = time.perf_counter()
            retrieval = assistant.retrieve(item["question"], k=k)
            retrieval_ms.append((time.perf_counter() - t0) * 1000)
        passages = " ".join(
            f"{h.metadata.get('title', '')} {h.metadata.get('section', '')} {h.text}" for h in retrieval.hits
        )
        declined = answer.declined
        if item.get("expect") == "decline":
            hit = answer_hit = None
        else:
            hit = all(re.search(rx, passages, re.IGNORECASE) for rx in item["must"])
            answer_hit = all(re.search(rx, answer.answer, re.IGNORECASE) for rx in item["must"])
        results.append(
            {
                "id": item.get("id"),
                "lang": item.get("lang", answer.lang),
                "question": item["question"],
                "expect_decline": item.get("expect") == "decline",
                "hit": hit,
                "answer_hit": answer_hit,
                "declined": declined,
                "decided_by": retrieval.decided_by,
                "words": count_words(answer.answer),
                "top_sources": [f"{h.metadata.get('source')}#{h.metadata.get('section')}" for h in retrieval.hits],
            }
        )

    def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
        inscope = [r for r in rows if not r["expect_decline"]]
        oos = [r for r in rows if r["expect_decline"]]
        correct = sum(1 for r in oos if r["declined"]) + sum(1 for r in inscope if not r["declined"])
        answered = [r["words"] for r in inscope if not r["declined"]]
        return {
            "n": len(rows),
            "retrieval_hit_rate": round(sum(bool(r["hit"]) for r in inscope) / len(inscope), 4) if inscope else 0,
            "answer_hit_rate": round(sum(bool(r["answer_hit"]) for r in inscope) / len(inscope), 4) if inscope else 0,
            "decline_accuracy": round(correct / len(rows), 4) if rows else 0,
            "false_declines": sum(1 for r in inscope if r["declined"]),
            "missed_declines": sum(1 for r in oos if not r["declined"]),
            "offtopic_declined_share": round(sum(1 for r in oos if r["declined"]) / len(oos), 4) if oos else None,
            "offtopic_n": len(oos),
            "answer_words_median": statistics.median(answered) if answered else 0,
            "answer_words_p90": _pct([float(w) for w in answered], 0.9) if answered else 0,
        }

    report = summary(results)
    report["by_lang"] = {lang: summary([r for r in results if r["lang"] == lang]) for lang in ("en", "nl")}
    report["latency_ms"] = {
        "retrieval_p50": round(statistics.median(retrieval_ms), 1),
        "retrieval_p95": round(_pct(retrieval_ms, 0.95), 1),
        "answer_p50": round(statistics.median(answer_ms), 1),
        "answer_p95": round(_pct(answer_ms, 0.95), 1),
    }
    report["k"] = k
    report["results"] = results
    return report


def format_report(report: dict[str, Any]) -> str:
    lines = [
        f"questions: {report['n']}  (k={report['k']})",
        f"{'':6} {'retrieval hit':>14} {'answer hit':>11} {'decline acc':>12} {'false declines':>15}",
    ]
    for name, row in [("all", report), *report["by_lang"].items()]:
        lines.append(
            f"{name:6} {row['retrieval_hit_rate']:>14.3f} {row['answer_hit_rate']:>11.3f} "
            f"{row['decline_accuracy']:>12.3f} {row['false_declines']:>15}"
        )
    if report["offtopic_n"]:
        declined = round(report["offtopic_declined_share"] * report["offtopic_n"])
        lines.append(f"off-topic declined: {declined}/{report['offtopic_n']} ({report['offtopic_declined_share']:.3f})")
    lines.append(f"answer words: median {report['answer_words_median']}  p90 {report['answer_words_p90']}")
    lat = report["latency_ms"]
    lines.append(
        f"latency ms: retrieval p50 {lat['retrieval_p50']} p95 {lat['retrieval_p95']}; "
        f"answer p50 {lat['answer_p50']} p95 {lat['answer_p95']}"
    )
    misses = [r for r in report["results"] if (r["hit"] is False) or (r["expect_decline"] != r["declined"])]
    if misses:
        lines.append("misses:")
        for r in misses:
            why = (
                "declined"
                if r["declined"] and not r["expect_decline"]
                else ("not declined" if r["expect_decline"] else "retrieval miss")
            )
            lines.append(f"  {r['id']} [{why}: {r['decided_by']}] {r['question']}  -> {r['top_sources'][:2]}")
    return "\n".join(lines)


def quality_gate(settings: Settings, path: str, min_hit: float) -> Callable[[str], str | None]:
    """A check run on a freshly built version before it is published."""

    def gate(version: str) -> str | None:
        from .service import Assistant
        from .store import IndexStore

        class _Pinned(IndexStore):
            def active_name(self) -> str | None:  # evaluate the candidate, not the live version
                return version

        assistant = Assistant(settings, store=_Pinned(settings))
        report = run_eval(settings, path, assistant=assistant)
        if report["retrieval_hit_rate"] < min_hit:
            return f"gold-set retrieval hit rate {report['retrieval_hit_rate']:.3f} is below {min_hit}"
        return None

    return gate
