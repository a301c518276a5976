"""Tuning is reproducible: the fusion weights are passed in, and the scope weights file is read and written whole.

The refit that must reproduce the shipped scope weights is in tests/test_eval.py: it reads the signals of
the eval questions from the answers that file computes anyway (the same search), instead of searching
each of them a second time.
"""

from __future__ import annotations

import dataclasses

import pytest

from assistant import scope
from assistant.retrieval import FusionWeights, HybridSearch
from assistant.scope_fit import write_weights
from assistant.signals import ScopeSignals

QUESTIONS = [
    "what KPIs should a customer service employee track?",
    "wanneer neem ik mijn eerste marketeer aan?",
    "should I hire a freelancer or someone in-house for content?",
    "hoe werken logistiek en klantenservice samen?",
]


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
    written = (1.5, -2.0, 3.25, 0.0, 4.0, -0.5, 2.0, -3.0, -1.0)  # one per signal, then the intercept
    write_weights(written, source="eval/gold.jsonl", path=path)
    assert scope.load_weights(path) == written
    path.write_text("weights: {dense: 1.0}\nintercept: 0.0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="refit"):
        scope.load_weights(path)
