"""An offline answer gives every part a question asks for, led by the part it asks about.

Real index (conftest), real embedding model, no mocks; where the search's order decides which case applies,
the composer's own functions get passages in that order. The questions are worded unlike the eval sets'.
"""

import re

import numpy as np

from assistant.compose import compose_offline
from assistant.intent import question_facets
from assistant.lists import primary_index
from assistant.retrieval import Hit
from assistant.roles import ASKS_WHO
from assistant.situation import asks_sourcing, states_small_team


def _hit(doc: str, section: str, text: str, score: float, role: str | None = None) -> Hit:
    meta = {"doc_id": doc, "section": section, "lang": "en", "position": 0, **({"role_id": role} if role else {})}
    return Hit(id=f"{doc}#{section}", text=text, metadata=meta, score=score, dense=score, lexical=0.0)


def test_weighing_an_own_employee_against_outside_help_is_a_question_of_its_own():
    for question in (
        "should our designer be freelance or in-house?",
        "klantenservice: vaste kracht of uitbesteden?",
        "zzp'er of iemand in dienst voor de marketing?",
        "should that person be an employee?",
        "which roles do you keep in house?",
        "klantenservice zelf doen of uitbesteden?",
        "iemand aannemen of een bureau?",
        "welke rollen houd ik in eigen dienst?",
    ):
        assert asks_sourcing(question), question
    for question in ("What skills should a freelance designer have?", "can my internet shop or my agency grow?"):
        assert not asks_sourcing(question), question
    # the hire is not just the setting of a question about the work: both parts are asked
    assert question_facets("wat doet een logistiek medewerker precies, en in dienst of extern?") == {"duties", "hiring"}
    # "which roles to keep in-house, and why": the why of that choice, not the roles overview or the causes
    assert question_facets("which roles should stay in-house and why?") & {"roster", "causes"} == set()


def test_what_a_role_does_and_whether_in_house_gets_both_led_by_the_work(assistant):
    answer = assistant.ask("What does a UX designer do for a shop, and in-house or freelance?").answer
    assert answer.startswith("**What a UX/UI designer"), answer
    assert re.search(r"not ready to hire permanently", answer), answer


def test_the_choice_itself_naming_no_role_is_led_by_the_guides_answer_to_it():
    """One role's "when to hire" may rank first on the words "outsource" and "employ"; the guide's section
    whose heading weighs the two answers the question itself."""
    hits = [
        _hit(
            "logistics",
            "When to hire a logistics specialist",
            "Hire one when orders grow. Or outsource.",
            0.6,
            role="logistics",
        ),
        _hit(
            "faq",
            "Should I build my e-commerce team in-house or outsource to freelancers?",
            "There is no fixed answer. It depends on the size of your business and your budget.",
            0.5,
        ),
    ]
    answer, cited = compose_offline(None, hits, "en", lambda texts: [], question="employ staff or outsource it all?")
    assert answer.startswith("There is no fixed answer"), answer
    assert cited[0] == 1
    # nor does a guide section on other matters that ranked first on "people"
    hits[0] = _hit("causes", "Cause 2: the wrong people", "Existing employees do it on the side.", 0.6)
    answer, _ = compose_offline(None, hits, "en", lambda texts: [], question="in-house people or outsource it all?")
    assert answer.startswith("There is no fixed answer"), answer


def test_a_hire_someone_else_made_is_the_cases_hires():
    for question in (
        "Which people did that coffee business take on?",
        "wie heeft die koffiezaak als eerste ingehuurd?",
        "what roles had they filled by the end?",
        "the roaster took on a freelancer first, right?",
        "die koffietent huurde eerst iemand in, toch?",
    ):
        assert "hires" in question_facets(question), question
    for question in ("who should I hire first?", "which role do I fill first?"):
        assert "hires" not in question_facets(question), question


def test_the_coffee_shops_hires_lead_an_answer_about_them(assistant):
    answer = assistant.ask("Which people did that coffee business take on, and were they freelance or employed?").answer
    assert answer.startswith("**How the coffee shop built"), answer


def test_a_team_of_two_or_three_is_the_very_small_business(assistant):
    for question in (
        "just the three of us here",
        "we're 2 people",
        "we runnen het met ons tweeën",
        "een driemanszaak",
        "it's me and my brother",
        "m'n vrouw en ik",
    ):
        assert states_small_team(question), question
    for question in (
        "we have 12 people",
        "two KPIs for my marketer",
        "stap 3 van de checklist",
        "me and my team of ten",  # a group of any size
        "ik en mijn medewerkers",
    ):
        assert not states_small_team(question), question
    assert "small_team" in question_facets("we are three people, who do we hire first?")
    # a team size alone is the setting: "we're two, which KPIs" asks for KPIs
    assert "small_team" not in question_facets("we are two people, which KPIs for customer service?")
    hits = [
        _hit("causes", "Cause 3: limited budget", "Many owners see a hire as a cost.", 0.6),
        _hit(
            "faq",
            "I'm a very small business or a two-person webshop: what e-commerce team do I need first?",
            "Start with the owner plus one assistant.",
            0.5,
        ),
    ]
    assert primary_index("just the two of us and money is tight, how do we go about a team?", hits, []) == 1


def test_the_role_whose_problem_is_described_gets_its_kpis_as_a_part(assistant):
    """No role named: the question describes customer service's problem, asks who to hire and how to judge
    them. The customer service KPIs are a part of the answer, their list whole."""
    answer = assistant.ask(
        "Customers complain nobody answers their emails. Who should I hire for that and how will I judge their work?"
    ).answer
    for kpi in (r"CSAT", r"Response time", r"Resolution rate"):
        assert re.search(kpi, answer), (kpi, answer)


def test_whose_job_it_is_asks_who():
    for question in ("whose job is it?", "Whose responsibility is the stock?"):
        assert ASKS_WHO.search(question), question


def test_a_who_question_on_a_problem_no_role_claims_is_led_by_a_role():
    """The guide's causes may rank first on the words of the problem; "whose job" asks for the role whose
    page ranks close below them."""
    hits = [
        _hit("causes", "Cause 2: the wrong people", "Existing employees do it on the side.", 0.46),
        _hit("problem", "A beautiful site that does not sell", "The website looks beautiful.", 0.36),
        _hit(
            "product-manager",
            "What a product manager does",
            "The product manager manages the stock.",
            0.30,
            role="product-manager",
        ),
    ]
    question = "the stock on the site never matches the shelves, whose job is that?"
    answer, _ = compose_offline(None, hits, "en", lambda texts: [], question=question)
    assert answer.startswith("**What a product manager does**"), answer
    far = [*hits[:2], _hit("product-manager", "What a product manager does", "The product manager.", 0.2, role="pm")]
    answer, _ = compose_offline(None, far, "en", lambda texts: [], question=question)
    assert not answer.startswith("**What a product manager"), answer


def test_a_hire_seen_as_a_cost_gets_the_cause_on_budgets(assistant):
    """No amount is asked, so the answer does not open with "no amounts" but with the guide's word: a hire is
    an investment that should pay for itself."""
    for question in ("my partner thinks a webshop employee is only a cost", "iemand goedkoops aannemen?"):
        assert "budget" in question_facets(question), question
    answer = assistant.ask("should I go for a cheap beginner to save money on my webshop team?").answer
    assert answer.startswith("**Cause 3: limited budget"), answer


def test_a_question_that_names_the_causes_gets_all_of_them_whatever_ranked_first(assistant):
    """The problem the owner describes may rank its own guide first; "all the causes" still asks for the
    causes guide's whole series."""
    answer = assistant.ask("our webshop looks lovely but nobody buys. what are all the causes behind that?").answer
    assert len(set(re.findall(r"Cause \d", answer))) == 5, answer


def test_whom_one_role_works_with_is_led_by_its_own_section_on_that(assistant):
    """A question about one role's work with several others names them all; the role it is about (the first)
    leads with its section on working with the others, not with what it does."""
    for question, lead in (
        ("how does the merchandiser work together with marketing and the warehouse?", "**How the product manager"),
        ("met wie moet de klantenservice afstemmen, de marketeer en het magazijn?", "**Hoe de klantenservice"),
        ("met wie stemt de productmanager allemaal af? marketing, klantenservice?", "**Hoe de productmanager"),
    ):
        answer = assistant.ask(question).answer
        assert answer.startswith(lead), answer


def test_a_heading_that_says_what_its_block_does_not_stays_above_it():
    """A step's heading may carry its advice ("start with the core team") while the block under it says it in
    other words: the heading stays, even when a sentence is closer to the question. A heading whose every word
    the block already uses (bar its number) is a label and gives way to the closer sentence."""
    body = "Start with the role that matters most now. Expand the team gradually as the business grows."

    def embed(texts: list[str]) -> np.ndarray:  # the heading far from the question, the sentences on it
        near = {"Start": [1.0, 0.0, 0.0], "Expand": [0.8, 0.0, 0.6]}
        return np.array([near.get(t.split()[0], [0.0, 1.0, 0.0]) for t in texts], dtype=np.float32)

    question = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    for heading, shown in (
        ("Step 3: start with the core team you need most", True),
        ("Step 3: start with the team", False),
    ):
        hits = [_hit("where-to-start", heading, body, 0.6)]
        answer, _ = compose_offline(question, hits, "en", embed, question="which role comes first?")
        assert answer.startswith(f"**{heading}**") is shown, answer


def test_who_should_handle_work_one_role_is_named_by_is_led_by_that_role():
    """ "Who should keep the prices right?" names the work by one role's own words (its aliases) and asks for
    no kind of section: the role's section on what it does leads, when it ranks close below the guide's."""
    hits = [
        _hit("problem", "A beautiful site that does not sell", "Someone has to keep the stock in order.", 0.38),
        _hit("case", "The coffee shop's problem", "One person did everything.", 0.37),
        _hit("pm", "KPIs for the product manager", "Stock accuracy and product data completeness.", 0.36, "pm"),
        _hit("pm", "What a product manager does", "The product manager manages stock and prices.", 0.35, "pm"),
    ]
    role_terms = {"pm": ["product manager", "pricing", "stock"], "cs": ["customer service"]}
    question = "the pricing on our site is often off. who should pick that up?"
    answer, _ = compose_offline(None, hits, "en", lambda texts: [], question=question, role_terms=role_terms)
    assert answer.startswith("**What a product manager does**"), answer
    # not when the question asks who, but about another role's section, or when the role ranks far below
    far = [*hits[:2], _hit("pm", "What a product manager does", "The product manager.", 0.1, "pm")]
    answer, _ = compose_offline(None, far, "en", lambda texts: [], question=question, role_terms=role_terms)
    assert not answer.startswith("**What a product manager"), answer


def test_whether_to_hire_full_time_weighs_an_own_employee_against_outside_help():
    """How much of a hire ("full-time?", "part-time?") is the same choice as in-house or freelance: the role's
    "when to hire" section, which says which and why, is a part of the answer."""
    for question in (
        "what kind of person do I need, and do I need to hire them full-time?",
        "moeten we daar iemand fulltime voor aannemen?",
        "should the designer be a full-time hire?",
    ):
        assert asks_sourcing(question), question
        assert "hiring" in question_facets(question), question
    assert not asks_sourcing("I hired a full-time marketer last year: how do I judge her work?")


def test_what_kind_of_person_is_missing_asks_which_role_not_its_skills():
    """ "What kind of person am I missing?" asks for a role, as "who"; "what kind of person should I look
    for?" asks for the skills to hire on."""
    for question in ("what kind of person am I missing here?", "wat voor persoon heb ik nog nodig?"):
        assert "skills" not in question_facets(question), question
    for question in ("what kind of person should I look for as a copywriter?", "wat voor iemand zoek ik?"):
        assert "skills" in question_facets(question), question
