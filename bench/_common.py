"""Shared set-up for the benchmarks: a fresh index in a temporary directory."""

from __future__ import annotations

import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.environment import offline_environment  # noqa: E402

offline_environment()  # one BLAS thread, as the app: measure what it runs (before the imports below load numpy)

from assistant.config import Settings  # noqa: E402
from assistant.indexer import run_ingest  # noqa: E402


def fresh_settings(**overrides) -> Settings:
    data = Path(tempfile.mkdtemp(prefix="bench-"))
    base = dict(data_dir=data, knowledge_dir=ROOT / "knowledge", openai_api_key=None, openai_base_url=None)
    base.update(overrides)
    return Settings(_env_file=None, **base)


def built_settings(index: Path | None = None, **overrides) -> Settings:
    """A fresh index in a temporary directory; with `index` (a data folder that `python ingest.py` built),
    a copy of it brought up to date instead, which embeds nothing when the knowledge base is unchanged."""
    settings = fresh_settings(**overrides)
    if index is not None and (index / "index").is_dir():
        shutil.copytree(index / "index", settings.data_dir / "index", ignore=shutil.ignore_patterns("*.lock"))
    run_ingest(settings)
    return settings


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def passage_text(hit) -> str:
    """What a gold question's `must` patterns are matched against: title, section and passage."""
    return f"{hit.metadata.get('title')} {hit.metadata.get('section')} {hit.text}"


def rank_of(gold_item: dict, hits: list) -> int | None:
    """1-based rank of the first passage that matches every `must` pattern on its own, or None."""
    for i, hit in enumerate(hits):
        if all(re.search(rx, passage_text(hit), re.IGNORECASE) for rx in gold_item["must"]):
            return i + 1
    return None


def hit_at(gold_item: dict, hits: list, k: int) -> bool:
    """Every `must` pattern appears somewhere in the top k passages (the answer can draw on all k)."""
    joined = " ".join(passage_text(h) for h in hits[:k])
    return all(re.search(rx, joined, re.IGNORECASE) for rx in gold_item["must"])
