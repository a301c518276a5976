"""Ingest cost: full, no-change and one-file-change, for the real knowledge base and one N times larger.

    python bench/ingest.py [--scale 100]

The larger knowledge base repeats every document with its own id. A full ingest embeds every chunk (the
embedding model dominates); a no-change run compares ids and metadata only; a one-file change embeds that
file's changed chunks but still writes a complete new version (every vector is copied), which is the
price of never changing the live version in place.
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


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def measure(knowledge: Path, label: str) -> None:
    settings = fresh_settings(knowledge_dir=knowledge)
    try:
        t0 = time.perf_counter()
        full = run_ingest(settings)
        t_full = time.perf_counter() - t0
        assert full.published, full.message
        t0 = time.perf_counter()
        none = run_ingest(settings)
        t_none = time.perf_counter() - t0
        assert not none.changed, none.message
        victim = next(knowledge.rglob("logistics*.md"))
        victim.write_text(victim.read_text() + "\n\n## Extra\n\nOne more paragraph about returns.\n")
        t0 = time.perf_counter()
        one = run_ingest(settings)
        t_one = time.perf_counter() - t0
        assert one.published, one.message
        print(
            f"{label:16} {full.documents:>6} {full.chunks:>7} {t_full:>8.1f} {full.chunks / t_full:>9.1f} "
            f"{t_none:>11.2f} {t_one:>10.1f} {one.embedded:>9} {size_mb(settings.index_dir):>8.1f}",
            flush=True,
        )
    finally:
        shutil.rmtree(settings.data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100, help="copies of the knowledge base in the large case")
    args = parser.parse_args()
    print(
        f"{'knowledge base':16} {'docs':>6} {'chunks':>7} {'full s':>8} {'chunks/s':>9} "
        f"{'no-change s':>11} {'one-file s':>10} {'embedded':>9} {'index MB':>8}",
        flush=True,
    )
    real = Path(tempfile.mkdtemp(prefix="bench-real-"))
    large = make_large(args.scale)
    try:
        shutil.copytree(ROOT / "knowledge", real / "knowledge")
        measure(real / "knowledge", "real")
        measure(large, f"{args.scale}x larger")
    finally:
        shutil.rmtree(real, ignore_errors=True)
        shutil.rmtree(large, ignore_errors=True)
    print("(one process; the first row includes loading the embedding model; 'embedded' = chunks embedded by")
    print(" the one-file change; 'index MB' = on-disk index after the three runs, old versions included)")


if __name__ == "__main__":
    main()
