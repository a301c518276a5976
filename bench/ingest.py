"""Ingest cost: full, no-change and one-file-change, for the real knowledge base and one 100x larger.

    python bench/ingest.py [--scale 100]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import ROOT, fresh_settings

from assistant.indexer import run_ingest


def make_large(copies: int) -> Path:
    """The real knowledge base repeated with distinct ids and a distinct line, so nothing deduplicates."""
    target = Path(tempfile.mkdtemp(prefix="bench-kb-"))
    for n in range(copies):
        for src in (ROOT / "knowledge").rglob("*.md"):
            if src.name == "README.md":
                continue
            rel = src.relative_to(ROOT / "knowledge")
            dst = target / rel.parent / f"{src.stem}-{n}.md"
            dst.parent.mkdir(parents=True, exist_ok=True)
            text = src.read_text().replace(f"id: {src.stem}\n", f"id: {src.stem}-{n}\n", 1)
            dst.write_text(text + f"\n\nCopy {n}.\n")
    return target


def measure(knowledge: Path, label: str) -> None:
    settings = fresh_settings(knowledge_dir=knowledge)
    t0 = time.perf_counter()
    full = run_ingest(settings)
    t_full = time.perf_counter() - t0
    t0 = time.perf_counter()
    run_ingest(settings)
    t_none = time.perf_counter() - t0
    victim = next(knowledge.rglob("logistics*.md"))
    victim.write_text(victim.read_text() + "\n\n## Extra\n\nOne more paragraph about returns.\n")
    t0 = time.perf_counter()
    one = run_ingest(settings)
    t_one = time.perf_counter() - t0
    print(f"{label:28} {full.documents:>6} {full.chunks:>7} {t_full:>9.2f} {t_none:>10.2f} {t_one:>10.2f}"
          f"   (one-file change embedded {one.embedded} chunks)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100)
    args = parser.parse_args()
    print(f"{'knowledge base':28} {'docs':>6} {'chunks':>7} {'full s':>9} {'no-change s':>10} {'one-file s':>10}")
    real = Path(tempfile.mkdtemp(prefix="bench-real-")) / "knowledge"
    shutil.copytree(ROOT / "knowledge", real)
    measure(real, "real")
    measure(make_large(args.scale), f"{args.scale}x larger")
    print("(times include loading the embedding model in this process once; imports excluded)")


if __name__ == "__main__":
    main()
