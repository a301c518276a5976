"""Passage sentences are embedded at ingest and stored with the index version, not per question (issue #11)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from conftest import make_settings

from assistant.embeddings import make_embeddings
from assistant.indexer import run_ingest
from assistant.sentences import unit_texts
from assistant.service import Assistant
from assistant.signals import OFF_TOPIC_EXAMPLES, load_topics
from assistant.store import VECTORS_PREFIX, IndexStore

QUESTIONS = [
    "I am a tiny shop, what team do I need?",
    "Welke KPI's gebruik ik voor mijn klantenservice?",
    "What are the causes of a team that does not work?",
    "in-house or outsource the marketing?",
]


@pytest.fixture
def copied_index(built_index, tmp_path):
    """A private copy of the session's index, for tests that change it."""
    target = tmp_path / "data"
    shutil.copytree(built_index, target)
    return make_settings(target)


def test_every_sentence_item_and_heading_of_the_version_has_a_stored_vector(settings):
    store = IndexStore(settings)
    info, collection = store.active()
    table = store.unit_vectors(info.name)
    metas = collection.get(include=["metadatas"])["metadatas"]
    wanted = {u for m in metas for u in unit_texts(str(m["text"]))} | {str(m["section"]) for m in metas}
    assert wanted <= set(table)
    dims = {v.shape for v in table.values()}
    assert len(dims) == 1


def test_the_texts_every_question_is_compared_with_are_stored_too(settings):
    """The off-topic examples and topic descriptions: a starting server finds them instead of embedding them."""
    store = IndexStore(settings)
    table = store.unit_vectors(store.active_name())
    topics = load_topics()
    assert {*OFF_TOPIC_EXAMPLES, *topics.covered, *topics.uncovered} <= set(table)
    engine = Assistant(settings).search_engine
    engine.search("warm up")
    assert np.array_equal(engine._off_topic(), np.stack([table[x] for x in OFF_TOPIC_EXAMPLES]))


def test_stored_vectors_are_the_embedding_models_own(settings):
    store = IndexStore(settings)
    table = store.unit_vectors(store.active_name())
    texts = sorted(table)[:5]
    fresh = make_embeddings(settings).embed_many(texts)
    for text, vec in zip(texts, fresh, strict=True):
        assert float(np.dot(table[text], vec) / (np.linalg.norm(table[text]) * np.linalg.norm(vec))) > 0.999


def test_answers_embed_nothing_but_the_question(settings):
    """With the table loaded, the composer finds every sentence it scores there."""
    assistant = Assistant(settings)
    for question in QUESTIONS:
        retrieval = assistant.search(question)
        table = assistant.reader._snapshot.units
        hit_units = [u for h in retrieval.hits for u in unit_texts(h.text)]
        assert hit_units and all(u in table for u in hit_units)
        assistant.ask(question)


def test_a_version_without_stored_vectors_answers_the_same(settings, copied_index):
    """An index built before the table existed: sentences are embedded on demand, the answers do not change."""
    with_table = [Assistant(settings).ask(q).answer for q in QUESTIONS]
    store = IndexStore(copied_index)
    store.client.delete_collection(VECTORS_PREFIX + store.active_name())
    assert store.unit_vectors(store.active_name()) == {}
    without = [Assistant(copied_index).ask(q).answer for q in QUESTIONS]
    assert without == with_table


def test_the_table_goes_with_its_version(copied_index):
    """A new version gets its own table (reusing unchanged vectors); dropped versions lose theirs."""
    store = IndexStore(copied_index)
    first = store.active_name()
    report = run_ingest(copied_index, rebuild=False)
    assert not report.published  # nothing changed: no new version, the table stays
    orphan = "kb_00000000000000_dead00"
    store.write_unit_vectors(orphan, ["a sentence a killed ingest left"], np.ones((1, 4), dtype=np.float32))
    store.cleanup()
    names = {c.name for c in store.client.list_collections()}
    assert VECTORS_PREFIX + orphan not in names
    assert VECTORS_PREFIX + first in names
    store.drop(first)
    assert VECTORS_PREFIX + first not in {c.name for c in store.client.list_collections()}
