"""The gold set and two held-out sets are a regression gate: retrieval and the decline decision must not get worse.

eval/gold.jsonl is the set retrieval was tuned on; it carries the issue's targets. eval/holdout.jsonl and
eval/holdout2.jsonl were written by others from the knowledge files alone, without seeing the gold set or
the code, to measure how the tuning carries over to questions nobody tuned for. Thresholds sit just under the
figures in the README; raise them when retrieval improves.
"""

import pytest

from assistant.config import ROOT
from assistant.evaluation import format_report, run_eval


def test_gold_set_meets_the_targets(settings, assistant):
    report = run_eval(settings, ROOT / "eval" / "gold.jsonl", assistant=assistant)
    summary = format_report(report)
    assert report["n"] >= 200
    assert report["retrieval_hit_rate"] >= 0.97, summary
    for lang in ("en", "nl"):
        assert report["by_lang"][lang]["retrieval_hit_rate"] >= 0.95, summary
    assert report["false_declines"] == 0, summary  # no owner question is turned away
    assert report["missed_declines"] == 0, summary  # no off-topic question is answered
    assert report["answer_hit_rate"] >= 0.90, summary


@pytest.mark.parametrize(
    ("name", "min_hit", "min_answer", "min_decline"),
    [("holdout.jsonl", 0.93, 0.76, 0.95), ("holdout2.jsonl", 0.92, 0.83, 0.92)],
)
def test_held_out_questions_stay_above_the_gate(settings, assistant, name, min_hit, min_answer, min_decline):
    report = run_eval(settings, ROOT / "eval" / name, assistant=assistant)
    summary = format_report(report)
    assert report["retrieval_hit_rate"] >= min_hit, summary
    assert report["answer_hit_rate"] >= min_answer, summary
    assert report["decline_accuracy"] >= min_decline, summary


@pytest.mark.parametrize("name", [f"blind-{x}.jsonl" for x in "abefghij"])
def test_blind_sets_decline_near_domain_questions(settings, assistant, name):
    """Sets written blind (each later studied for a round, see the README): the issue's bar for near-domain
    declines, at most one false decline, and short answers. blind-c/d/k/l stay report-only."""
    report = run_eval(settings, ROOT / "eval" / name, assistant=assistant)
    summary = format_report(report)
    assert report["offtopic_declined_share"] >= 0.85, summary
    assert report["false_declines"] <= 1, summary
    assert report["answer_words_median"] <= 200, summary
