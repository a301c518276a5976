"""Tuning is reproducible: the fusion weights are passed in, and a refit gives the shipped scope weights.

The scope refit reads the real signals of every training question (the seen eval sets and the example bank)
from the real index (session fixture), so it fails when the guidance, the topics file, the example bank,
the off-topic examples or the embedding model changed without
`python bench/fit_scope.py --write` being run.
"""

from __future__ import annotations

import dataclasses

import pytest

from assistant import scope
from assistant.config import ROOT
from assistant.evaluation import load_gold
from assistant.retrieval import FusionWeights, HybridSearch
from assistant.scope_fit import TRAIN_SETS, bank_items, fit, signals_of, write_weights
from assistant.signals import ScopeSignals

QUESTIONS = [
    "what KPIs should a customer service employee track?",
    "wanneer neem ik mijn eerste marketeer aan?",
    "should I hire a freelancer or someone in-house for content?",
    "hoe werken logistiek en klantenservice samen?",
]


def test_refit_reproduces_the_shipped_scope_weights(assistant):
    engine = assistant.search_engine
    items = [item for name in TRAIN_SETS for item in load_gold(ROOT / "eval" / f"{name}.jsonl")] + bank_items()
    x, y, vetoed = signals_of(engine.search, items, engine.bank_vectors())
    refit = fit(x[~vetoed], y[~vetoed])
    assert len(refit) == len(scope.SCOPE_WEIGHTS)
    for name, new, shipped in zip((*scope.SIGNAL_NAMES, "intercept"), refit, scope.SCOPE_WEIGHTS, strict=True):
        assert new == pytest.approx(shipped, abs=0.05), f"{name}: refit {new}, shipped {shipped}"


def test_fusion_weights_are_passed_through(assistant):
    shipped = HybridSearch(assistant.settings, assistant.reader, assistant.embeddings)
    assert shipped.weights == FusionWeights()
    words_only = FusionWeights(
        dense=0.0, lexical=1.0, heading=0.0, twin=0.0, other_lang_penalty=0.0, facet_bonus=0.0, subject_bonus=0.0
    )
    bm25 = HybridSearch(assistant.settings, assistant.reader, assistant.embeddings, weights=words_only)
    differs = False
    for question in QUESTIONS:
        fused = [h.id for h in shipped.search(question, k=8).hits]
        assert fused == [h.id for h in assistant.search_engine.search(question, k=8).hits]
        hits = bm25.search(question, k=8).hits
        scores = [h.score for h in hits]
        # Only BM25 counts now: the passages come in BM25 order, each scored by its BM25 share (one in the
        # other language is shown as its translation, at the rank it earned).
        assert scores == sorted(scores, reverse=True) and all(0 < x <= 1 for x in scores), scores
        differs |= [h.id for h in hits] != fused
    assert differs, "other fusion weights should rank at least one question differently"


def test_fusion_weights_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        FusionWeights().lexical = 0.5  # type: ignore[misc]


def test_scope_weights_yaml_has_one_weight_per_signal_and_an_intercept():
    weights = scope.load_weights()
    assert len(weights) == len(scope.SIGNAL_NAMES) + 1 == len(ScopeSignals(0, 0, 0, 0, False).vector()) + 1
    assert weights == scope.SCOPE_WEIGHTS
    assert all(isinstance(w, float) for w in weights)


def test_written_weights_load_back_and_a_wrong_file_is_refused(tmp_path):
    path = tmp_path / "scope_weights.yaml"
    written = (1.5, -2.0, 3.25, 0.0, 4.0, -0.5, 2.0, -1.0)
    write_weights(written, source="eval/gold.jsonl", path=path)
    assert scope.load_weights(path) == written
    path.write_text("weights: {dense: 1.0}\nintercept: 0.0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="refit"):
        scope.load_weights(path)
