"""Owners' questions, in Dutch and English, find the right section among the top 4 passages."""

import re

import pytest

CASES = [
    ("en", "which KPIs should I use for customer service?", "customer-service|faq", r"CSAT"),
    ("en", "We are a two-person webshop, what team do we need first?", "faq", r"assistant"),
    ("en", "in-house or outsource?", "faq|where-to-start", r"hybrid"),
    ("en", "is a freelancer ok for SEO?", "faq|where-to-start|digital-marketer", r"SEO"),
    ("en", "what does a merchandiser do", "product-manager", r"stock|inventory"),
    ("en", "how did the coffee shop raise its conversion", "case-study", r"4\.5"),
    ("en", "why does my team not work, what causes it", "causes", r"structure"),
    ("en", "what happens if I ignore team structure", "consequences", r"sales"),
    ("en", "first steps to build my team", "where-to-start|checklist", r"3.6 months|goal"),
    ("en", "how to recruit e-commerce staff", "checklist", r"LinkedIn"),
    ("en", "metrics for my webflow designer", "ux-ui-designer|faq", r"bounce"),
    ("en", "who handles packing and shipping", "logistics", r"pack"),
    ("nl", "Welke KPI's gebruik ik voor mijn klantenservice?", "customer-service|faq", r"CSAT"),
    ("nl", "2 man webshop wat eerst?", "faq|where-to-start|case-study", r"assistent|eigenaar"),
    ("nl", "zelf personeel of uitbesteden?", "faq|where-to-start", r"hybride"),
    ("nl", "wat doet een merchandiser", "product-manager", r"voorraad"),
    ("nl", "koffie webshop conversie resultaat", "case-study", r"4,5"),
    ("nl", "waarom loopt mijn e-commerce team vast", "causes|problem", r"team"),
    ("nl", "wat gebeurt er als ik niks doe aan mijn team", "consequences", r"verkoop|omzet"),
    ("nl", "kpi voor de marketeer", "digital-marketer|faq", r"verkeer"),
    ("nl", "hoe werf ik personeel voor mijn webshop", "checklist", r"LinkedIn"),
    ("nl", "wanneer heb ik een e-commerce manager nodig", "ecommerce-manager", r"strategie"),
    ("nl", "wie regelt het magazijn en de verzending", "logistics", r"magazijn"),
    ("nl", "welke tools voor teamcommunicatie", "checklist|where-to-start", r"Slack|Teams|communicatie"),
]


@pytest.mark.parametrize(("lang", "question", "doc_ids", "fact"), CASES, ids=[c[1][:40] for c in CASES])
def test_question_finds_the_right_guidance(assistant, lang, question, doc_ids, fact):
    import re

    result = assistant.search(question)
    assert result.relevant and result.lang == lang
    top = result.hits[:4]
    assert any(re.fullmatch(doc_ids, h.metadata["doc_id"]) for h in top), [h.metadata["doc_id"] for h in top]
    assert re.search(fact, " ".join(h.text for h in top), re.IGNORECASE)
    assert top[0].lang == lang


def test_off_topic_questions_are_not_relevant(assistant):
    for question in ("what is the weather tomorrow", "recept voor appeltaart", "how do I write a python loop"):
        assert not assistant.search(question).relevant, question


def test_follow_up_carries_the_topic_forward(assistant):
    history = [
        {"role": "user", "content": "which KPIs for customer service?"},
        {"role": "assistant", "content": "CSAT, response time, resolution rate."},
    ]
    answer = assistant.ask("and for the marketer?", history=history)
    assert not answer.declined
    assert "traffic" in answer.answer.lower()


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("magazijn en verzending uitbesteden", "nl"),  # no Dutch function word: the guidance's own words decide
        ("kpi contentmaker", "nl"),
        ("afdelingen werken langs elkaar heen, marketing it en magazijn", "nl"),
        ("warehouse and shipping outsourcing", "en"),
    ],
)
def test_language_follows_the_guidances_own_vocabulary(assistant, question, lang):
    answer = assistant.ask(question)
    assert answer.lang == lang and not answer.declined
    assert all(s.lang == lang for s in answer.sources[:1])


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("what makes a good copywriter", "en"),  # "copywriter" is in the Dutch heading, not the English one
        ("what makes a good copywriter, what do i ask in the interview", "en"),
        ("welke skills heeft een goede content creator", "nl"),
    ],
)
def test_a_passage_with_a_translation_is_shown_in_the_askers_language(assistant, question, lang):
    """Where the other language's copy of a passage ranks higher (its heading shares a word), the asker still
    gets that passage in their own language: every cited source is in the answer's language."""
    answer = assistant.ask(question)
    assert answer.lang == lang and not answer.declined
    assert answer.sources and all(s.lang == lang for s in answer.sources), [(s.lang, s.section) for s in answer.sources]


@pytest.mark.parametrize(
    "question",
    [
        "my espresso machine in the shop is broken, how do I repair it",  # shop + coffee words, still off-topic
        "welke verzekering heb ik nodig voor mijn winkel",
        "the roof of my store is leaking, who do I call",
        "hoe zeg ik de huur van mijn bedrijfspand op",
    ],
)
def test_everyday_words_do_not_pull_off_topic_questions_in(assistant, question):
    assert assistant.ask(question).declined, question


@pytest.mark.parametrize(("question", "lang"), [("what now, how do I fix this?", "en"), ("help, waar begin ik?", "nl")])
def test_a_vague_request_without_context_gets_the_overview(assistant, question, lang):
    answer = assistant.ask(question)
    assert not answer.declined and answer.lang == lang
    assert any(re.search(r"where-to-start|checklist", s.source) for s in answer.sources)


def test_a_vague_request_with_a_topic_of_its_own_is_not_the_overview(assistant):
    assert assistant.ask("how do I fix my python code").declined


def test_a_question_naming_two_roles_gets_a_passage_of_each():
    from dataclasses import dataclass, field

    from assistant.roles import each_role

    @dataclass
    class _Hit:
        metadata: dict = field(default_factory=dict)

    metas = [
        {
            "role_id": "marketer",
            "lang": "en",
            "doc_id": "roles/marketer",
            "section": "What a marketer does",
            "position": 0,
        },
        {
            "role_id": "marketer",
            "lang": "en",
            "doc_id": "roles/marketer",
            "section": "When to hire a marketer",
            "position": 1,
        },
        {"role_id": "marketer", "lang": "nl", "doc_id": "roles/marketer", "section": "Wanneer neem je", "position": 1},
    ]
    hits = [_Hit({"role_id": "cs"}), _Hit({"role_id": None}), _Hit({"role_id": "cs"}), _Hit({"role_id": None})]
    assert each_role(["cs", "marketer"], hits, metas, "en", {"hiring"}) == [(3, 1)]  # its "when to hire", last slot
    assert each_role(["cs", "marketer"], hits, metas, "en", set()) == [(3, 0)]  # no kind asked: its first section
    assert each_role(["cs"], hits, metas, "en", {"hiring"}) == []  # one role with no section of the asked kind
    # one role and a kind of its sections asked, none of which the search ranked: that section, in the last slot
    assert each_role(["marketer"], hits, metas, "en", {"hiring"}) == [(3, 1)]
    assert each_role(["marketer"], hits, metas, "en", set()) == []  # nothing of the role asked: the search's order


@pytest.mark.parametrize(
    ("question", "step"),
    [
        ("which is the final step on the checklist for setting up my team?", 6),
        ("wat houdt de laatste stap van de checklist in voor mijn webwinkel?", 6),
        ("what does step 4 of the checklist say?", 4),
        ("en de derde stap van die checklist?", 3),
    ],
)
def test_a_question_for_a_numbered_step_shows_that_step_among_its_sources(assistant, question, step):
    """Step sections share most of their words, so a neighbouring step or the checklist's introduction may
    rank first; the asked step is among the four passages shown, whatever the search ranked."""
    sections = [str(h.metadata.get("section", "")) for h in assistant.search(question).hits[:4]]
    assert any(re.match(rf"(checklist )?(step|stap) {step}\b", s, re.IGNORECASE) for s in sections), sections


def test_a_described_problem_finds_the_role_that_deals_with_it_in_either_language_and_word_order():
    from assistant.roles import symptom_roles

    symptoms = {"logistics": ["late parcels", "pakketten te laat"], "digital-marketer": ["no visitors"]}
    assert symptom_roles("our parcels go out late every week", symptoms) == ["logistics"]  # any order and form
    assert symptom_roles("de pakketten komen steeds te laat aan", symptoms) == ["logistics"]
    assert symptom_roles("we have almost no visitors", symptoms) == ["digital-marketer"]
    assert symptom_roles("our visitors doubled", symptoms) == []  # the "no" is part of the problem
    assert symptom_roles("late at night I pack the parcels", symptoms) == []  # words far apart: not the phrase
    assert symptom_roles("our logistics guy sends parcels late", symptoms, named=["logistics"]) == []  # named


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("hardly anyone visits our webshop, how do we change that?", "digital-marketer"),
        ("we krijgen weinig bezoekers op de site, wat nu?", "digital-marketer"),
        ("we have a pile of unanswered emails from buyers", "customer-service"),
        ("we make lots of pricing mistakes on the site", "product-manager"),
        ("stock errors everywhere on the site", "product-manager"),
        ("er staan voortdurend voorraadfouten op de site", "product-manager"),
        ("many people abandon their cart at the checkout", "ux-ui-designer"),
        ("our shop looks old-fashioned next to the competition", "ux-ui-designer"),
        ("klanten krijgen beschadigde pakketten", "logistics"),
    ],
)
def test_a_question_describing_a_shop_problem_shows_the_role_that_solves_it(assistant, question, role):
    # each case one the search alone ranks no section of the role for (checked: they fail without `symptoms`)
    hits = assistant.search(question).hits[:4]
    assert role in [h.metadata.get("role_id") for h in hits], [h.metadata.get("section") for h in hits]
