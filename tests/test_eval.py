"""The gold set and two held-out sets are a regression gate: retrieval and the decline decision must not get worse.

eval/gold.jsonl is the set retrieval was tuned on; it carries the issue's targets. eval/holdout.jsonl and
eval/holdout2.jsonl were written by others from the knowledge files alone, without seeing the gold set or
the code, to measure how the tuning carries over to questions nobody tuned for. Thresholds sit just under the
figures in the README; raise them when retrieval improves.
"""

import re
from typing import Any

import pytest

from assistant import scope
from assistant.config import ROOT
from assistant.evaluation import count_words, format_report, load_gold, run_eval
from assistant.retrieval import Retrieval
from assistant.scope import is_vague_request
from assistant.scope_fit import TRAIN_SETS, bank_items, fit, signals_of
from assistant.service import Assistant


class AnswersOnce:
    """The session's Assistant, asked each question once: the gates below and the answer check read the same
    eval sets, and so does the scope refit (`make test` runs this file on one worker); an offline answer
    depends only on the question and the index. Every other call, and any call with history or a language,
    goes to the Assistant. Each eval set added costs its questions once, not once per test that reads it."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.answers: dict[str, Any] = {}

    def ask(self, question: str, history: Any = None, lang: Any = None) -> Any:
        if history or lang:
            return self.assistant.ask(question, history, lang)
        if question not in self.answers:
            self.answers[question] = self.assistant.ask(question)
        return self.answers[question]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.assistant, name)


@pytest.fixture(scope="session")
def once(assistant) -> AnswersOnce:
    return AnswersOnce(assistant)


def test_each_question_is_asked_once(once):
    """The sharing above must not hand one question's answer to another."""
    kpis, pancakes = "Which KPIs for customer service?", "What's a good recipe for pancakes?"
    assert once.ask(kpis) is once.ask(kpis) and once.ask(pancakes) is once.ask(pancakes)
    assert not once.ask(kpis).declined and once.ask(pancakes).declined
    assert once.ask(kpis).answer == once.assistant.ask(kpis).answer


def test_gold_set_meets_the_targets(settings, once):
    report = run_eval(settings, ROOT / "eval" / "gold.jsonl", assistant=once)
    summary = format_report(report)
    assert report["n"] >= 200
    assert report["retrieval_hit_rate"] >= 0.97, summary
    for lang in ("en", "nl"):
        assert report["by_lang"][lang]["retrieval_hit_rate"] >= 0.95, summary
    assert report["false_declines"] == 0, summary  # no owner question is turned away
    assert report["missed_declines"] == 0, summary  # no off-topic question is answered
    assert report["answer_hit_rate"] >= 0.90, summary


GATES = {"holdout.jsonl": (0.93, 0.76, 0.95), "holdout2.jsonl": (0.92, 0.83, 0.92)}


@pytest.mark.parametrize("name", GATES)
def test_held_out_questions_stay_above_the_gate(settings, once, name):
    min_hit, min_answer, min_decline = GATES[name]
    report = run_eval(settings, ROOT / "eval" / name, assistant=once)
    summary = format_report(report)
    assert report["retrieval_hit_rate"] >= min_hit, summary
    assert report["answer_hit_rate"] >= min_answer, summary
    assert report["decline_accuracy"] >= min_decline, summary


@pytest.mark.parametrize("name", [f"blind-{x}.jsonl" for x in "abefghijklmnopqrstuvwx"])
def test_blind_sets_decline_near_domain_questions(settings, once, name):
    """Sets written blind (each later studied for a round, see the README): the issue's bar for near-domain
    declines, at most one false decline, and short answers. blind-c/d stay report-only; the fresh sets of a
    round are kept outside eval/ until it ends."""
    report = run_eval(settings, ROOT / "eval" / name, assistant=once)
    summary = format_report(report)
    assert report["offtopic_declined_share"] >= 0.85, summary
    assert report["false_declines"] <= 1, summary
    assert report["answer_words_median"] <= 200, summary


def test_offline_answers_are_short_and_never_repeat_a_sentence(once):
    """Over every eval question (all sets): median answer ≤ 200 words, no sentence twice in one answer."""
    lengths = []
    for path in sorted((ROOT / "eval").glob("*.jsonl")):
        for item in load_gold(path):
            if item.get("expect") == "decline":
                continue
            answer = once.ask(item["question"])
            if answer.declined:
                continue
            lengths.append(count_words(answer.answer))
            sentences = [
                re.sub(r"\W+", " ", s).strip().lower()
                for s in re.split(r"(?<=[.!?])\s+|\n+", re.sub(r"\[\d\]", "", answer.answer))
            ]
            sentences = [s for s in sentences if len(s.split()) >= 4]
            assert len(sentences) == len(set(sentences)), (item["question"], answer.answer)
            assert not re.match(r"\*\*(I'm|I am|Ik ben|Ik heb)\b", answer.answer), answer.answer
    lengths.sort()
    assert lengths[len(lengths) // 2] <= 200, lengths[len(lengths) // 2]


def test_refit_reproduces_the_shipped_scope_weights(once):
    """A refit on the real signals of every training question (the seen eval sets and the example bank) from
    the real index gives the shipped scope weights: it fails when the guidance, the topics file, the example
    bank, the off-topic examples or the embedding model changed without `python bench/fit_scope.py --write`.

    An eval question's signals are read from its shared answer (the tests above asked every training set),
    which was built from the same search: checked below on one question of each set. The bank is searched.
    """
    engine = once.search_engine
    bank = {item["question"] for item in bank_items()}

    def search(question: str) -> Retrieval:
        if question not in bank:
            shared = once.ask(question).retrieval
            if shared is not None and shared.question == question:
                return shared
        return engine.search(question)

    sets = [load_gold(ROOT / "eval" / f"{name}.jsonl") for name in TRAIN_SETS]
    for items in sets:
        question = next(item["question"] for item in items if not is_vague_request(item["question"]))
        shared = once.ask(question).retrieval
        assert shared is not None and shared.question == question, question
        assert shared.scope == engine.search(question).scope, question
    items = [item for one_set in sets for item in one_set] + bank_items()
    x, y, vetoed = signals_of(search, items, engine.bank_vectors())
    refit = fit(x[~vetoed], y[~vetoed])
    assert len(refit) == len(scope.SCOPE_WEIGHTS)
    for name, new, shipped in zip((*scope.SIGNAL_NAMES, "intercept"), refit, scope.SCOPE_WEIGHTS, strict=True):
        assert new == pytest.approx(shipped, abs=0.05), f"{name}: refit {new}, shipped {shipped}"
