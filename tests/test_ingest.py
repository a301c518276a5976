"""Ingest builds a real on-disk Chroma index with full metadata, and re-ingest is incremental."""

import shutil
from pathlib import Path

from assistant.indexer import run_ingest
from assistant.store import IndexStore
from tests.conftest import KNOWLEDGE, copy_index, make_settings

METADATA_KEYS = {"source", "title", "section", "lang", "doc_type", "role_id", "content_hash", "doc_id"}


def test_index_holds_every_chunk_with_its_metadata(settings):
    info, collection = IndexStore(settings).active()
    got = collection.get(include=["metadatas", "documents"])
    assert info.chunks == len(got["ids"]) > 100
    assert len(set(got["ids"])) == len(got["ids"])
    assert {m["lang"] for m in got["metadatas"]} == {"en", "nl"}
    for meta in got["metadatas"]:
        assert METADATA_KEYS <= meta.keys()
        assert meta["section"] and meta["title"]
        if meta["doc_type"] == "role":
            assert meta["role_id"] == meta["doc_id"]
    assert not any("[cite" in d.lower() for d in got["documents"])
    assert info.embedding == "use:multilingual-v3:512"


def test_second_run_changes_nothing(settings):
    before = IndexStore(settings).active_name()
    report = run_ingest(settings)
    assert not report.changed and report.added == report.removed == 0
    assert "No changes" in report.message
    assert IndexStore(settings).active_name() == before


def _copy_kb(tmp_path: Path) -> Path:
    kb = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kb)
    return kb


def test_changed_and_removed_files_update_only_their_chunks(tmp_path, built_index):
    kb = _copy_kb(tmp_path)
    s = make_settings(copy_index(built_index, tmp_path / "data"), knowledge_dir=kb)
    first = run_ingest(s)  # the same guidance in another folder: nothing to do
    assert not first.changed and first.unchanged == first.chunks
    path = kb / "en" / "roles" / "logistics.md"
    path.write_text(path.read_text() + "\n## Logistics and returns\n\nHandle returns within two days.\n")
    second = run_ingest(s)
    assert second.published and second.added >= 1 and second.embedded == second.added
    assert second.unchanged >= first.chunks - 3
    (kb / "nl" / "roles" / "logistics.md").unlink()
    third = run_ingest(s)
    assert third.removed > 0 and third.added == 0
    metas = IndexStore(s).active()[1].get(include=["metadatas"])["metadatas"]
    assert "nl/roles/logistics.md" not in {m["source"] for m in metas}
    assert any("Handle returns" in m["text"] for m in metas)
