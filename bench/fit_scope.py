"""Calibrate the "is this in my guidance?" model and show how it carries over to a set it has not seen.

    python bench/fit_scope.py [--write] [--loso] [--blind]

Fits an L2-regularised logistic regression (Newton's method, assistant/scope_fit.py; the in-scope class
weighs POSITIVE_SHARE, since a refused owner's question costs more than a missed decline) on the scope
signals (assistant/signals.py: nearest passage, nearest heading, nearest off-topic example, vocabulary
coverage, domain word, covered-minus-uncovered topic similarity, and the bank: nearer to the in-scope
example questions of assistant/scope_bank.yaml than to the out-of-scope ones; and `asks`, a rule, an amount, an
app or a set-up asked rather than the team: scope_topics.yaml) of every question of the seen
eval sets (scope_fit.TRAIN_SETS) and of the bank itself. Prints the weights and false/missed declines per
eval set with the shipped and the new weights. Questions an uncovered-topic word declines
(assistant/scope_topics.yaml) are decided before the model: left out of the fit, counted in the errors.

`--loso` reports the figure that says whether the decision generalises: leave one set out (`--without-words`:
as if scope_topics.yaml named no words). For each eval
set, fit on all the other training sets plus the bank, decide the left-out set, and report its false
declines and its share of `expect: decline` questions declined; then the mean and the worst. `--write`
writes the new weights to assistant/scope_weights.yaml. The fit is deterministic (tests/test_tuning.py).
Refit after changing the guidance, scope_topics.yaml, scope_bank.yaml, the off-topic examples or the
embedding model. blind-c and blind-d are never fitted on; `--blind` reports them (and `--loso` scores them).
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import ROOT, built_settings

from assistant import scope
from assistant.evaluation import load_gold
from assistant.scope_fit import TRAIN_SETS, bank_items, errors, fit, signals_of, write_weights
from assistant.service import Assistant


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blind", action="store_true", help="also report blind-c and blind-d")
    parser.add_argument("--loso", action="store_true", help="leave-one-set-out: fit without each set, score it")
    parser.add_argument(
        "--without-words",
        action="store_true",
        help="--loso without the uncovered-topic words: how the model alone does on topics no word list names",
    )
    parser.add_argument("--write", action="store_true", help="write the new weights to assistant/scope_weights.yaml")
    args = parser.parse_args()
    assistant = Assistant(built_settings())
    engine = assistant.search_engine
    names = sorted(p.stem for p in (ROOT / "eval").glob("*.jsonl"))
    held = [n for n in names if n not in TRAIN_SETS]
    data = {n: signals_of(engine.search, load_gold(ROOT / "eval" / f"{n}.jsonl")) for n in names}
    data["bank"] = signals_of(engine.search, bank_items(), engine.bank_vectors())

    def stacked(parts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return tuple(np.concatenate([data[p][i] for p in parts]) for i in range(3))  # type: ignore[return-value]

    x, y, vetoed = stacked([*TRAIN_SETS, "bank"])
    weights = fit(x[~vetoed], y[~vetoed])
    shipped = scope.SCOPE_WEIGHTS
    print(f"signals: {', '.join(scope.SIGNAL_NAMES)}, intercept")
    print(f"shipped: {shipped}")
    print(f"fitted:  {weights}")
    print(f"{'set':10} {'n':>4} {'shipped: false/missed declines':>32} {'fitted: false/missed':>22}")
    for name in names:
        if name in held and not args.blind:
            continue
        now, new = errors(*data[name], shipped), errors(*data[name], weights)
        print(f"{name:10} {len(data[name][1]):>4} {f'{now[0]} / {now[1]}':>32} {f'{new[0]} / {new[1]}':>22}")
    if args.loso:
        print("leave one set out (fit on the other training sets + bank):")
        false_total, answerable, shares = 0, 0, []
        for name in names:
            others = [n for n in TRAIN_SETS if n != name]
            fx, fy, fv = stacked([*others, "bank"])
            tx, ty, tv = data[name]
            if args.without_words:
                fv, tv = np.zeros_like(fv), np.zeros_like(tv)
            w = fit(fx[~fv], fy[~fv])
            false, missed = errors(tx, ty, tv, w)
            declines = int((ty == 0).sum())
            share = (declines - missed) / declines if declines else 1.0
            false_total, answerable = false_total + false, answerable + int((ty == 1).sum())
            shares.append(share)
            print(f"  {name:10} false declines {false:>2} / {int((ty == 1).sum()):>3}   declined {share:.3f}")
        print(
            f"  all: false declines {false_total}/{answerable} ({50 * false_total / answerable:.2f} per 50);"
            f" declined share mean {np.mean(shares):.3f}, worst {min(shares):.3f}"
        )
    if args.write:
        write_weights(weights, source=", ".join((*TRAIN_SETS, "scope_bank.yaml")))
        print(f"wrote {scope.WEIGHTS_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
