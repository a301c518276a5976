"""Calibrate the "is this in my guidance?" model on the gold set and show how it carries over.

    python bench/fit_scope.py [--gold eval/gold.jsonl] [--write] [--blind]

Fits a balanced, L2-regularised logistic regression (Newton's method, assistant/scope_fit.py) on the scope
signals of every gold question (measured by the search, assistant/signals.py: nearest passage, nearest
heading, nearest off-topic example, vocabulary coverage, domain word, covered-minus-uncovered topic
similarity), prints the weights, and reports false and missed declines on every eval/*.jsonl file with the
shipped and the new weights. Questions an uncovered-topic word declines (assistant/scope_topics.yaml) are
decided before the model and are left out of the fit, but counted in the errors. `--write` writes the new
weights to assistant/scope_weights.yaml. The fit is deterministic: refitting on the same gold set and index
gives the shipped numbers (tests/test_tuning.py). Refit after changing the guidance,
assistant/scope_topics.yaml, the off-topic examples or the embedding model.

Fit on the gold set only: the blind sets (eval/blind-*.jsonl) are for reporting, never for fitting.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _common import ROOT, built_settings

from assistant import scope
from assistant.evaluation import load_gold
from assistant.scope_fit import errors, fit, signals_of, write_weights
from assistant.service import Assistant


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", default=str(ROOT / "eval" / "gold.jsonl"))
    parser.add_argument("--blind", action="store_true", help="also report the blind sets (at the very end only)")
    parser.add_argument("--write", action="store_true", help="write the new weights to assistant/scope_weights.yaml")
    args = parser.parse_args()
    assistant = Assistant(built_settings())
    search = assistant.search_engine.search
    x, y, vetoed = signals_of(search, load_gold(args.gold))
    weights = fit(x[~vetoed], y[~vetoed])
    shipped = scope.SCOPE_WEIGHTS
    print(f"signals: {', '.join(scope.SIGNAL_NAMES)}, intercept")
    print(f"shipped: {shipped}")
    print(f"fitted:  {weights}")
    print(f"{'file':16} {'n':>4} {'shipped: false/missed declines':>32} {'fitted: false/missed':>22}")
    for path in sorted(p for p in (ROOT / "eval").glob("*.jsonl") if not p.name.startswith("blind") or args.blind):
        fx, fy, fv = signals_of(search, load_gold(path))
        now = errors(fx, fy, fv, shipped)
        new = errors(fx, fy, fv, weights)
        print(f"{path.name:16} {len(fy):>4} {f'{now[0]} / {now[1]}':>32} {f'{new[0]} / {new[1]}':>22}")
    if args.write:
        write_weights(weights, source=Path(args.gold).resolve().relative_to(ROOT).as_posix())
        print(f"wrote {scope.WEIGHTS_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
