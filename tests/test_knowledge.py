"""The knowledge base is complete, mirrored in both languages, and the loader reports bad files clearly."""

import shutil
from pathlib import Path

from assistant.cli import build_parser, cmd_ingest
from assistant.knowledge import advert_problems, load_knowledge, strip_citations
from tests.conftest import KNOWLEDGE, make_settings

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


# --- faithful to the source (issue #10): no adverts, additions labelled, languages in step -----------------------

# How this project's own additions are labelled (knowledge/README.md, "Label what this project adds").
LABEL = {"en": "standard practice, not from the source article", "nl": "gangbare praktijk, niet uit het bronartikel"}


def _sections(path: Path) -> dict[str, str]:
    """`## heading` -> the section's text, in file order."""
    out: dict[str, str] = {}
    heading = None
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("## "):
            heading = line[3:].strip()
            out[heading] = ""
        elif heading:
            out[heading] += line + "\n"
    return out


def _guidance_files(lang: str) -> list[Path]:
    return sorted((KNOWLEDGE / lang).rglob("*.md"))


def test_no_advert_patterns_in_the_guidance():
    for lang in ("en", "nl"):
        for path in _guidance_files(lang):
            rel = path.relative_to(KNOWLEDGE).as_posix()
            assert advert_problems(rel, path.read_text(encoding="utf-8")) == [], rel
    # the promotional leftovers named in the issue, in either language, and the claims the source does not make
    text = " ".join(p.read_text(encoding="utf-8").lower() for lang in ("en", "nl") for p in _guidance_files(lang))
    for phrase in (
        "web development partner",
        "webontwikkelingspartner",
        "saas",
        "why organisations choose",
        "waarom organisaties voor webflow",
        "stayed the same",
        "bleven hetzelfde",
        "most profitable",
        "meest winstgevende",
    ):
        assert phrase not in text, phrase


def test_advert_patterns_catch_the_source_articles_adverts():
    seed = (
        "Bedrijfswebsite Development Service Good zal ook uw team verbeteren.\n"
        "Een case study van de SaaS -website om te zien hoe te meten\n"
        "Look at a case study of a SaaS website.\n"
        "Read why organisations choose Webflow.\n"
        "Lees waarom organisaties voor Webflow kiezen.\n"
        "Built with a good web development partner.\n"
        "See [our services](https://example.com/webflow).\n"
    )
    lines = sorted(p.line for p in advert_problems("seed.txt", seed))
    assert lines == [1, 2, 3, 4, 5, 6, 7]
    for fine in ("See the case study of a small online coffee shop.", "Use a fulfilment partner or a Webflow agency."):
        assert advert_problems("ok.md", fine) == []


def test_project_additions_are_labelled_in_both_languages():
    for lang in ("en", "nl"):
        label = LABEL[lang]
        for path in sorted((KNOWLEDGE / lang / "roles").glob("*.md")):
            sections = _sections(path)
            skills = [h for h in sections if h.startswith(("Skills", "Vaardigheden"))]
            together = [h for h in sections if "works with the other roles" in h or "samenwerkt met de andere" in h]
            kpis = [h for h in sections if h.startswith(("KPIs", "KPI's"))]
            assert len(skills) == len(together) == len(kpis) == 1, path
            for heading in skills + together + kpis:
                assert label in sections[heading], (path.name, lang, heading)
        logistics = (KNOWLEDGE / lang / "roles" / "logistics.md").read_text(encoding="utf-8")
        fit_line = next(line for line in logistics.split("\n") if line.startswith("fit_why:"))
        assert label in fit_line
        when = next(
            text
            for h, text in _sections(KNOWLEDGE / lang / "roles" / "logistics.md").items()
            if "hybrid" in text or "hybride" in text
        )
        assert label in when
        faq = _sections(KNOWLEDGE / lang / "guide" / "faq.md")
        per_role_kpis = [h for h in faq if h.startswith(("Which KPIs should I use", "Welke KPI's gebruik ik"))]
        assert len(per_role_kpis) == 5
        for heading in per_role_kpis:
            assert label in faq[heading], (lang, heading)


def test_the_revenue_figures_are_flagged_not_repeated():
    for lang, times, plus in (("en", "4.5 times", "3.5 times"), ("nl", "4,5 keer", "3,5 keer")):
        results = next(t for h, t in _sections(KNOWLEDGE / lang / "guide" / "case-study.md").items() if "350%" in t)
        assert "350%" in results and times in results and plus in results and "250%" in results, lang


def test_english_and_dutch_files_have_the_same_sections():
    for en in _guidance_files("en"):
        nl = KNOWLEDGE / "nl" / en.relative_to(KNOWLEDGE / "en")
        assert nl.exists(), nl
        assert len(_sections(en)) == len(_sections(nl)), en.name
        en_labels = sum(t.count(LABEL["en"]) for t in _sections(en).values())
        nl_labels = sum(t.count(LABEL["nl"]) for t in _sections(nl).values())
        assert en_labels == nl_labels, en.name


def test_dutch_shorthand_is_known():
    aliases = {d.doc_id: d.meta["aliases"].lower() for d in load_knowledge(KNOWLEDGE).documents if d.doc_type == "role"}
    assert "inpakker" in aliases["logistics"] and ", cs" in aliases["customer-service"]
    faq = (KNOWLEDGE / "nl" / "guide" / "faq.md").read_text(encoding="utf-8")
    for word in ("met z'n tweeën", "twee man", "zzp'er"):  # in sentences an owner reads; "2en" is the tokenizer's
        assert word in faq, word
    assert "(met z'n 2en" not in faq  # shorthand belongs in the search, not in brackets in the advice


def test_ingest_check_warns_about_an_advert_with_file_and_line(tmp_path: Path, capsys):
    kb = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kb)
    faq = kb / "nl" / "guide" / "faq.md"
    lines = faq.read_text(encoding="utf-8").split("\n")
    at = lines.index("## Moet ik mijn e-commerceteam zelf in dienst nemen of uitbesteden aan freelancers?") + 2
    lines.insert(at, "Lees ook waarom organisaties voor Webflow kiezen: https://example.com/webflow")
    faq.write_text("\n".join(lines), encoding="utf-8")

    result = load_knowledge(kb)
    assert result.skipped == [] and len(result.documents) == 28  # a warning, not an error
    warnings = [str(p) for p in result.problems]
    assert len(warnings) == 2 and all(
        w.startswith(f"nl/guide/faq.md:{at + 1}: warning: looks like an advert") for w in warnings
    )

    code = cmd_ingest(
        build_parser().parse_args(["ingest", "--check"]), make_settings(tmp_path / "data", knowledge_dir=kb)
    )
    err = capsys.readouterr().err
    assert code == 0
    assert f"nl/guide/faq.md:{at + 1}: warning: looks like an advert" in err
    assert "28 documents valid, 0 skipped." in err


def test_every_role_card_names_the_problems_it_solves_in_both_languages():
    roles = [d for d in load_knowledge(KNOWLEDGE).documents if d.doc_type == "role"]
    by_role: dict[str, list[list[str]]] = {}
    for doc in roles:
        symptoms = doc.front_matter.get("symptoms")
        assert isinstance(symptoms, list) and len(symptoms) >= 10, doc.source
        by_role.setdefault(doc.doc_id, []).append(sorted(symptoms))
    assert all(en == nl for en, nl in by_role.values())  # one bilingual list, like the aliases


def test_a_symptom_phrase_with_a_comma_is_reported_with_its_line(tmp_path: Path):
    role = tmp_path / "en" / "roles" / "logistics.md"
    role.parent.mkdir(parents=True)
    source = (KNOWLEDGE / "en" / "roles" / "logistics.md").read_text(encoding="utf-8")
    role.write_text(source.replace("symptoms: [", 'symptoms: ["late, lost parcels", ', 1), encoding="utf-8")
    result = load_knowledge(tmp_path)
    line = source.split("\n").index(next(ln for ln in source.split("\n") if ln.startswith("symptoms:"))) + 1
    assert [(p.path, p.line, p.severity) for p in result.problems if "symptoms" in p.message] == [
        ("en/roles/logistics.md", line, "warning")
    ]
