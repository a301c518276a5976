"""Owners ask for the same part of the guidance in many words: each wording here reaches that part.

Real index (conftest), real embedding model, no mocks. The questions are worded unlike the eval sets', so
each test states a kind of question, not one question.
"""

import re

from assistant.intent import question_facets, with_asked_part
from assistant.retrieval import Hit
from assistant.series import asks_for_list


def _passages(assistant, question: str) -> str:
    return " ".join(f"{h.metadata.get('section', '')} {h.text}" for h in assistant.retrieve(question, k=4).hits)


def test_whether_a_roles_work_is_paying_off_asks_for_its_kpis(assistant):
    for question in (
        "How can I see whether my copywriter's work is really paying off?",
        "hoe kan ik zien of mijn contentmaker goed werk levert?",
        "how could we tell if our new logistics guy is doing well?",
        "is our freelance copywriter worth what we pay her?",  # weighed by her results
    ):
        assert "kpis" in question_facets(question), question
    answer = assistant.ask("How can I tell if the work of my web designer is actually paying off?").answer
    assert re.search(r"bounce rate", answer, re.I) and re.search(r"time on site", answer, re.I), answer
    # how the person is hired ("our freelance marketer") is who they are, not a question about hiring
    assert "hiring" not in question_facets("is our freelance marketer worth what we pay him?")
    lead = assistant.ask("is our freelance marketer worth what we pay him?").answer.splitlines()[0]
    assert re.search(r"KPI", lead), lead


def test_what_belongs_to_a_role_asks_for_its_work(assistant):
    for question in (
        "Wat hoort er allemaal bij de functie van logistiek medewerker?",
        "wat houdt de rol van productmanager eigenlijk in?",
        "What does the customer service role involve?",
        "onze webdesigner gaat weg: wat valt er zoal onder de functie?",  # and what falls under it is its work
        "what comes under the role of a merchandiser, roughly?",
    ):
        assert "duties" in question_facets(question), question
    answer = assistant.ask("Wat hoort er allemaal bij de rol van contentmaker in een webshop?").answer
    assert re.match(r"\*\*Wat een contentmaker", answer), answer


def test_why_so_many_shops_fail_lists_every_cause(assistant):
    for question, pattern in (
        ("Why do most webshops never manage to build a proper team?", r"Cause \d"),
        ("Waarom krijgen zoveel ondernemers hun webshopteam niet op orde?", r"Oorzaak \d"),
    ):
        answer = assistant.ask(question).answer
        assert len(set(re.findall(pattern, answer))) == 5, answer


def test_the_overview_of_the_causes_names_all_five_so_a_causes_question_sees_them_all(assistant):
    for question in ("why is my e-commerce team incomplete?", "waarom schiet mijn e-commerceteam tekort?"):
        passages = _passages(assistant, question)
        for cause in (r"complex", r"wrong people|verkeerde mensen", r"budget", r"rigid|starre", r"tools"):
            assert re.search(cause, passages, re.I), (question, cause)


def test_what_to_look_for_in_an_interview_is_answered_by_the_recruiting_step(assistant):
    assert "recruiting" in question_facets("any tips for the job interviews for my shop?")
    answer = assistant.ask("Binnenkort sollicitatiegesprekken voor onze webwinkel. Waar let ik op?").answer
    assert re.search(r"vaardigheden.{0,60}begrip van e-commerce", answer, re.I | re.S), answer


def test_what_went_wrong_in_the_case_is_answered_by_its_problem(assistant):
    for question in ("where did it go wrong for that coffee shop?", "wat liep er mis bij de koffiebranderij?"):
        assert "problem" in question_facets(question), question
    answer = assistant.ask("What went wrong at that coffee shop before they had a team?").answer
    assert "1.2%" in answer.split("\n\n")[1] or "1.2%" in answer.split("\n\n")[0], answer


def test_staff_doing_the_webshop_next_to_their_own_work_gets_the_cause_on_the_wrong_people(assistant):
    for question in (
        "my office staff do the webshop alongside their regular jobs",
        "our sales reps just handle the online orders as well",
        "onze verkopers doen de webshop er gewoon bij",
    ):
        assert "existing_staff" in question_facets(question), question
    assert "existing_staff" not in question_facets("we have a sales team, which roles do we need?")
    for question in (
        "We sell furniture and our sales staff run the webshop next to their normal work. Is that a problem?",
        "We're a 12-person furniture maker with a new webshop, and our sales reps just look after it on the side. "
        "Is that a problem?",
        "We zijn een meubelbedrijf met sinds kort een webshop, en onze verkopers doen die er gewoon bij. Is dat erg?",
    ):
        answer = assistant.ask(question).answer
        assert re.search(r"wrong people|verkeerde mensen", answer), answer
        assert re.search(r"not happy|niet gelukkig", answer), answer


def test_the_one_guide_part_asked_for_is_shown_when_it_scores_within_a_quarter_point_of_the_best_hit():
    """A 15-person company's "our sales reps handle it on the side" ranks the FAQ for very small shops far
    ahead on words ("person", "webshop"); the cause on the wrong people, which the question asks for, scored
    0.2006 below it and was left out. Within 0.25 of the best hit it is shown; further below it is not."""

    def hit(section: str, doc: str, score: float) -> Hit:
        return Hit(id=section, text="", metadata={"doc_id": doc, "section": section}, score=score, dense=0, lexical=0)

    ranked = [hit(f"Doing everything yourself {n}", "problem", 0.57 - n / 100) for n in range(4)]
    asked = hit("Cause 2: the wrong people in e-commerce jobs", "causes", 0.35)
    assert with_asked_part(ranked + [asked], 4, {"existing_staff"})[-1] is asked
    far = hit("Cause 2: the wrong people in e-commerce jobs", "causes", 0.29)
    assert with_asked_part(ranked + [far], 4, {"existing_staff"}) == ranked


def test_a_listed_series_is_not_announced_again_by_its_overview(assistant):
    """The root cause names the five causes "below"; an answer that lists them right after it says them once."""
    for question, budget in (
        ("Why do most shops never get a clear e-commerce team structure?", r"limited budget"),
        ("Waarom hebben de meeste bedrijven geen duidelijke structuur voor hun e-commerceteam?", r"beperkt budget"),
    ):
        answer = assistant.ask(question).answer
        assert re.match(r"(\*\*)?(Most problems|De meeste problemen)", answer), answer
        assert len(re.findall(budget, answer)) == 1 and not re.search(r"\b(below|hieronder)\b", answer), answer


def test_a_question_for_a_whole_series_gets_the_section_that_names_every_member(assistant):
    """Four passages cannot hold six consequences: their opening section, which names them all, is among the
    passages, though the question's words rank other guides' sections first."""
    question = "welke gevolgen kan een zwak webshopteam hebben? noem ze allemaal"
    sections = [str(h.metadata.get("section")) for h in assistant.retrieve(question, k=4).hits]
    assert any("op lange termijn" in s for s in sections), sections


def test_what_a_team_costs_is_answered_with_the_budget_guidance_not_a_cost_kpi(assistant):
    """The guidance gives no amounts: what it says about money is that a hire should pay for itself, and
    that a tight budget starts with the owner plus one and freelancers. "Customer acquisition cost" is a KPI."""
    for question in (
        "what would a proper ecommerce team cost us roughly?",
        "kunnen we ons als kleine webshop wel een team veroorloven?",
        "Is building a team worth the investment for a shop our size?",
    ):
        assert "budget" in question_facets(question), question
    answer = assistant.ask("How much would it cost me to set up an online sales team?").answer
    assert answer.startswith("The guide gives no amounts"), answer  # the direct answer to "how much", first
    assert assistant.ask("Hoeveel gaat een klein webshopteam ons kosten?").answer.startswith("De gids noemt geen")
    for other in ("Why do shops end up without a team?", "What does it cost us if we never build a team?"):
        assert not assistant.ask(other).answer.startswith("The guide gives no"), other
    assert "budget" not in question_facets("wat kost het ons als we geen team opbouwen?")  # the consequences
    assert re.search(r"pay for itself", answer) and re.search(r"owner plus one assistant", answer), answer
    assert "acquisition cost" not in answer.lower(), answer


def test_an_owner_worn_out_who_asks_what_to_do_gets_the_way_out_and_the_burnout(assistant):
    """In Dutch too ("opgebrand"): the smallest team to start with, and the guide's word on the burnout."""
    assert "overload" in question_facets("ik ben compleet opgebrand, de webshop slokt alles op")
    answer = assistant.ask("Ik raak opgebrand omdat ik in mijn webshop alles alleen doe. Wat nu?").answer
    assert re.search(r"eigenaar plus één assistent", answer) and re.search(r"burn-?out", answer), answer


def test_what_the_owner_could_do_once_the_team_stood_asks_for_the_cases_results():
    """What became possible once the team was there is what the team brought: the case's results."""
    for question in (
        "waar had de eigenaar tijd voor toen zijn team er eenmaal was?",
        "what did the coffee roaster finally get round to once her team was in place?",
    ):
        assert "results" in question_facets(question), question


def test_why_the_owners_own_team_does_not_work_asks_for_every_cause(assistant):
    """ "Why isn't our team working?" has no one cause to point to, as "why do so many shops struggle" has
    none: both ask for the whole series. "How come" / "hoe kan het dat" are whys too. A why about one thing
    ("why keep customer service in-house?") is not such a question."""
    for question in (
        "how come our webshop team just doesn't deliver?",
        "hoe kan het dat mijn webshop-team nooit op stoom komt",
        "waarom werkt het niet met ons team, terwijl iedereen hard werkt?",
        "why did this go wrong in the first place?",
    ):
        assert asks_for_list(question), question
    for question in ("why keep customer service in-house?", "waarom is onze marketing zo duur?"):
        assert not asks_for_list(question), question
    answer = assistant.ask("hoe kan het dat ons webshopteam maar niet goed loopt?").answer
    assert len(set(re.findall(r"Oorzaak \d", answer))) == 5, answer


def test_what_their_job_is_asks_for_the_roles_work(assistant):
    """ "What's their job?" asks what the role does, as "what does X do?"; with "and when do I hire one" the
    answer gives both, the work first, as it is asked first."""
    for question in (
        "our copywriter: what's her job, really?",
        "wat is zijn taak eigenlijk, die logistiek medewerker?",
    ):
        assert "duties" in question_facets(question), question
    answer = assistant.ask("The customer service person: what is their job, and when should I take one on?").answer
    assert answer.startswith("**What a customer service"), answer
