"""Command line: `python -m assistant ingest | search | ask | plan | eval | serve`."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from .cli_ingest import cmd_ingest
from .config import Settings
from .environment import offline_environment
from .errors import AssistantError
from .texts import t


class UsageError(AssistantError):
    """A command-line argument is wrong: one line on stderr, exit code 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line (`assistant ask: error: …`) and exit 2, not the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _history(raw: str | None) -> list[dict[str, str]]:
    """--history as a list of {role, content}; anything else is a usage error that says what is expected."""
    if not raw:
        return []
    expected = 'expected a JSON list like [{"role": "user", "content": "…"}]'
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--history is not valid JSON ({exc.msg} at character {exc.pos}); {expected}") from None
    ok = isinstance(data, list) and all(
        isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str)
        for m in data
    )
    if not ok:
        raise UsageError(f"--history has the wrong shape; {expected}")
    return data


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from .service import Assistant, clean_question

    question = clean_question(args.question, settings.max_message_chars)
    result = Assistant(settings).retrieve(question, k=args.k)
    hits: list[dict[str, Any]] = [
        {
            "text": h.text,
            "source": h.metadata.get("source"),
            "section": h.metadata.get("section"),
            "lang": h.lang,
            "score": round(h.score, 4),
            "relevant": result.relevant,  # the scope verdict, and which signal decided it
            "decided_by": result.decided_by,
        }
        for h in result.hits
    ]
    if args.json:
        _print_json(hits)
    else:
        if not result.relevant:
            print("(nothing relevant in the guidance; these are the closest passages)")
        for i, h in enumerate(hits, 1):
            print(f"{i}. {h['source']} — {h['section']} [{h['lang']}, {h['score']}]")
            print("   " + h["text"][:300].replace("\n", " ") + ("…" if len(h["text"]) > 300 else ""))
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from .service import Assistant

    assistant = Assistant(settings)
    history = _history(args.history)
    if args.json:
        answer = assistant.ask(args.question, history=history, lang=args.lang)
        data = answer.as_dict()
        data["sources"] = [
            {"n": s["n"], "source": s["source"], "section": s["section"], "text": s["text"]} for s in data["sources"]
        ]
        _print_json(data)
        return 0
    final = None
    for event in assistant.stream(args.question, history=history, lang=args.lang):
        if event.kind == "token":
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif event.kind == "reset":
            sys.stdout.write("\n[the AI model broke off; answering from the guidance instead]\n")
        elif event.kind == "final":
            final = event.answer
    print()
    if final and final.sources:
        print(f"\n{t(final.lang, 'sources')}:")
        for s in final.sources:
            print(f"  [{s.n}] {s.title} — {s.section} ({s.source})")
    return 0


def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    from .plan import TeamPlanner, to_markdown

    plan = TeamPlanner(settings).plan(
        people=args.people, stage=args.stage, budget=args.budget, goals=args.goal, have=args.have, lang=args.lang
    )
    if args.json:
        _print_json(plan.as_dict())
    else:
        print(to_markdown(plan), end="")
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from .evaluation import format_report, run_eval

    if not Path(args.file).is_file():
        raise UsageError(f"eval: no such file: {args.file}")
    report = run_eval(settings, args.file, k=args.k)
    if args.json:
        _print_json(report)
    else:
        print(format_report(report))
    if args.min_hit is not None and report["retrieval_hit_rate"] < args.min_hit:
        print(
            f"retrieval hit rate {report['retrieval_hit_rate']:.3f} is below --min-hit {args.min_hit}",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from .report import build_report, format_report

    report = build_report(settings, days=args.days)
    if args.json:
        _print_json(report)
    else:
        print(format_report(report))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from .web import serve

    serve(settings, host=args.host, port=args.port)
    return 0


def _add_dirs(p: argparse.ArgumentParser) -> None:
    """Folder options that override ASSISTANT_KNOWLEDGE_DIR / ASSISTANT_DATA_DIR for this run."""
    p.add_argument("--knowledge-dir", help="folder with the guidance documents (ASSISTANT_KNOWLEDGE_DIR)")
    p.add_argument("--data-dir", help="folder for the index and feedback (ASSISTANT_DATA_DIR)")


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from the environment and .env, with the folders given on the command line on top."""
    overrides = {k: v for k in ("knowledge_dir", "data_dir") if (v := getattr(args, k, None))}
    return Settings(**overrides)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="assistant", description="E-commerce team-building assistant.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="build or refresh the knowledge index")
    p.add_argument("--rebuild", action="store_true", help="rebuild from scratch")
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.add_argument("--check", action="store_true", help="validate the knowledge files only")
    p.add_argument("--rollback", action="store_true", help="make the previous version active again")
    p.add_argument("--eval", metavar="FILE", help="refuse to publish if this gold set scores below --min-hit")
    p.add_argument("--min-hit", type=float, default=0.95)
    p.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another running ingest (or rollback)")
    p.add_argument("--json", action="store_true")
    _add_dirs(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="show the passages retrieved for a question")
    p.add_argument("question")
    p.add_argument("--k", type=_positive_int, default=4)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question")
    p.add_argument("question")
    p.add_argument("--lang", choices=["en", "nl"])
    p.add_argument("--history", help="JSON list of {role, content} messages before this question")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("plan", help="a team plan for your shop: roles now / next / later, KPIs, job ads")
    p.add_argument("--people", help="people on the team now, you included (default 1)")
    p.add_argument("--stage", help="starting (default), growing or scaling")
    p.add_argument("--budget", help="monthly budget for people, in EUR")
    p.add_argument("--goal", nargs="+", action="extend", default=[], help="traffic conversion service delivery …")
    p.add_argument("--have", nargs="+", action="extend", default=[], help="roles already covered (ids or names)")
    p.add_argument("--lang", default="en", help="en (default) or nl")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("eval", help="score retrieval and answers on a gold set")
    p.add_argument("file")
    p.add_argument("--k", type=_positive_int, default=4)
    p.add_argument("--min-hit", type=float)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("report", help="the gaps report: unanswerable questions, thumbs down, top topics")
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("serve", help="run the web app")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    _add_dirs(p)
    p.set_defaults(func=cmd_serve)
    return parser


def _is_text(value: object) -> bool:
    """False for arguments holding bytes that were not UTF-8 (Python keeps them as lone surrogates)."""
    values = value if isinstance(value, list) else [value]
    try:
        for v in values:
            if isinstance(v, str):
                v.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {raw[:40]!r}") from None
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 1 and 100, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    # Every command (ingest, ask, eval as much as serve): one BLAS thread and no telemetry, set before numpy,
    # Chroma and Gradio load. Spinning BLAS threads cost an ingest 5x its CPU beside another busy process.
    offline_environment()
    args = build_parser().parse_args(argv)
    for name, value in vars(args).items():
        if not _is_text(value):
            print(f"error: argument {name!r} is not valid text (bytes that are not UTF-8)", file=sys.stderr)
            return 2
    try:
        settings = settings_from_args(args)
    except ValueError as exc:  # pydantic's ValidationError: a bad ASSISTANT_* variable or .env line
        first = str(exc).splitlines()[1:2] or ["invalid value"]
        print(
            f"error: a setting is invalid: {first[0][:120]} (check the ASSISTANT_* variables and .env)", file=sys.stderr
        )
        return 2
    try:
        return args.func(args, settings)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except PermissionError as exc:
        print(f"error: no permission to write {exc.filename or 'the data directory'}: {exc.strerror}", file=sys.stderr)
        return 2
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            return _quiet_broken_pipe()
        if exc.errno == errno.ENOSPC:
            print(
                f"error: the disk is full ({exc.filename or 'data directory'}); free space and run again",
                file=sys.stderr,
            )
            return 2
        if exc.errno == errno.EROFS:
            print(f"error: {exc.filename or 'the data directory'} is on a read-only file system", file=sys.stderr)
            return 2
        raise
    except KeyboardInterrupt:
        return 130
    except Exception:
        from .disk import storage_problem

        problem = storage_problem(settings.data_dir)
        if problem is None:
            raise
        print(f"error: {problem}", file=sys.stderr)
        return 2


def _quiet_broken_pipe() -> int:
    """The reader went away (`… | head`): no traceback, no 'Exception ignored' when Python flushes stdout."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141  # what a shell reports for a process ended by SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
