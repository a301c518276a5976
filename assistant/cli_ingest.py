"""The `ingest` command: the lock first, then the heavy imports, then the report a maintainer reads.

Taking the lock before Chroma, LangChain and the embedding model load lets a second ingest refuse in a
fraction of a second; cli.py stays the parser and the light commands.
"""

from __future__ import annotations

import argparse
import json
import time
from contextlib import nullcontext

from .config import Settings
from .ingest_lock import lock_for


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Exit codes: 0 done, 1 nothing published (no guidance, or vetoed by --eval), 2 a file was skipped or
    an error (another ingest running, no version to roll back to, …). `--check` uses the same codes."""
    if args.check and not args.rollback:
        return _check_knowledge(settings)
    started = time.perf_counter()
    # The lock first, before Chroma, LangChain and the model load: a second ingest refuses in a fraction
    # of a second, and one started with --wait loads them only once it holds the lock.
    with nullcontext() if args.dry_run and not args.rollback else lock_for(settings, args.wait):
        return _ingest_or_rollback(args, settings, started)


def _check_knowledge(settings: Settings) -> int:
    from rich.console import Console

    from .knowledge import load_knowledge
    from .plan_rules import check_plan

    console = Console(stderr=True, soft_wrap=True)
    loaded = load_knowledge(settings.knowledge_dir)
    plan_problems = check_plan(settings.knowledge_dir, loaded.documents)
    for p in loaded.problems + plan_problems:
        console.print(str(p), markup=False)
    console.print(f"{len(loaded.documents)} documents valid, {len(loaded.skipped)} skipped.", markup=False)
    plan_errors = any(p.severity == "error" for p in plan_problems)
    return 2 if loaded.errors or loaded.skipped or plan_errors else 0


def _ingest_or_rollback(args: argparse.Namespace, settings: Settings, started: float) -> int:
    """The rest of cmd_ingest, run holding the ingest lock (or for a dry run, which writes nothing)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .indexer import ingest_holding_lock
    from .store import IndexStore

    console = Console(stderr=True, soft_wrap=True)  # one `file:line: message` per line, never wrapped
    if args.rollback:
        name = IndexStore(settings).rollback()
        console.print(
            f"Rolled back: active version is now {name}. The next ingest builds from "
            f"{settings.knowledge_dir} again, so fix or revert the files there first.",
            markup=False,
        )
        return 0
    gate = None
    if args.eval:
        from .evaluation import quality_gate

        gate = quality_gate(settings, args.eval, args.min_hit)

    with Progress(
        TextColumn("Embedding chunks"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=args.json or not console.is_terminal,
    ) as bar:
        task = bar.add_task("embed", total=None)
        report = ingest_holding_lock(
            settings,
            rebuild=args.rebuild,
            dry_run=args.dry_run,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            gate=gate,
            started=started,
        )
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for p in report.problems:
            console.print(str(p), markup=False)
        langs = ", ".join(f"{k}: {v}" for k, v in sorted(report.languages.items()))
        counts = (
            f"would add {report.added}, update {report.updated}, remove {report.removed}, keep {report.unchanged}"
            if report.dry_run
            else f"added {report.added}, updated {report.updated}, removed {report.removed}, "
            f"unchanged {report.unchanged}"
        )
        console.print(
            f"{report.documents} documents, {report.chunks} chunks ({langs}); {counts}; {report.seconds:.1f} s.",
            markup=False,
        )
        had_version = report.unchanged + report.updated + report.removed > 0
        if had_version and report.changed_sources and (report.dry_run or report.published):
            shown = report.changed_sources[:20]
            more = f" and {len(report.changed_sources) - len(shown)} more" if len(report.changed_sources) > 20 else ""
            console.print(f"Changed files: {', '.join(shown)}{more}", markup=False)
        if report.skipped:
            console.print(f"Skipped {len(report.skipped)} file(s): {', '.join(report.skipped)}", markup=False)
        console.print(report.message, markup=False)
    if report.message.startswith("Not published") or not report.chunks:
        return 1
    return 0 if report.ok else 2
