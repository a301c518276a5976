"""The knowledge base is complete, mirrored in both languages, and the loader reports bad files clearly."""

from pathlib import Path

from assistant.knowledge import load_knowledge, strip_citations
from tests.conftest import KNOWLEDGE

ROLES = {
    "ecommerce-manager",
    "digital-marketer",
    "content-creator",
    "ux-ui-designer",
    "product-manager",
    "customer-service",
    "logistics",
}
GUIDES = {"problem", "causes", "consequences", "where-to-start", "case-study", "checklist", "faq"}


def test_every_document_loads_without_problems():
    result = load_knowledge(KNOWLEDGE)
    assert result.problems == []
    assert result.skipped == []


def test_english_and_dutch_hold_the_same_documents():
    docs = load_knowledge(KNOWLEDGE).documents
    by_lang = {lang: {d.doc_id for d in docs if d.lang == lang} for lang in ("en", "nl")}
    assert by_lang["en"] == by_lang["nl"] == ROLES | GUIDES


def test_each_role_has_front_matter_with_kpis_and_fit():
    roles = [d for d in load_knowledge(KNOWLEDGE).documents if d.doc_type == "role"]
    assert len(roles) == 14
    for doc in roles:
        assert doc.meta["kpis"] and doc.meta["stage"] and doc.meta["aliases"]
        assert doc.meta["fit"] in {"in-house", "freelance", "hybrid"}


def test_seed_facts_are_in_the_knowledge_base():
    text = {
        lang: " ".join(d.text for d in load_knowledge(KNOWLEDGE).documents if d.lang == lang) for lang in ("en", "nl")
    }
    for lang in ("en", "nl"):
        for fact in (
            "1.2%" if lang == "en" else "1,2%",
            "4.5%" if lang == "en" else "4,5%",
            "350%",
            "CSAT",
            "AOV",
            "CAC",
            "ROI",
            "Slack",
            "LinkedIn",
            "3–6" if lang == "en" else "3 tot 6",
        ):
            assert fact in text[lang], (lang, fact)


def test_citation_leftovers_are_removed():
    assert strip_citations("Sales drop [Cite: 32] fast [citeer: 4, 5].") == "Sales drop fast."
    assert "[cite" not in " ".join(d.text.lower() for d in load_knowledge(KNOWLEDGE).documents)


def test_bad_files_are_reported_with_file_and_line_and_skipped(tmp_path: Path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "good.md").write_text("---\nid: good\ntitle: Good\n---\n# Good\n\n## Part\n\nText here.\n")
    (tmp_path / "en" / "broken.md").write_text("---\nid: [unclosed\n---\n# Broken\n")
    (tmp_path / "en" / "empty.md").write_text("")
    (tmp_path / "en" / "binary.txt").write_bytes(b"\x00\x01\x02PNG")
    (tmp_path / "en" / "roles").mkdir()
    (tmp_path / "en" / "roles" / "nokpi.md").write_text("---\nid: nokpi\ntitle: X\ntype: role\n---\n# X\n\ntext\n")
    result = load_knowledge(tmp_path)
    assert [d.doc_id for d in result.documents] == ["good"]
    messages = {p.path: str(p) for p in result.problems if p.severity == "error"}
    assert "en/broken.md:2:" in messages["en/broken.md"]
    assert "empty" in messages["en/empty.md"]
    assert "binary" in messages["en/binary.txt"]
    assert "kpis" in messages["en/roles/nokpi.md"]
    assert sorted(result.skipped) == ["en/binary.txt", "en/broken.md", "en/empty.md", "en/roles/nokpi.md"]
    warnings = [str(p) for p in result.problems if p.severity == "warning"]
    assert any("no nl version of 'good'" in w for w in warnings)
