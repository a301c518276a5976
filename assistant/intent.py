"""What kind of answer a question asks for, and which sections give that kind.

Role guidance is written with the same sections for every role (what the role does, skills, when to hire,
KPIs, working with others). A question that clearly asks for one of these ("how do I know my marketer
does good work" = KPIs) should get that section of the role it names, not a neighbouring one that happens
to share more words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from .series import asks_why_in_general
from .situation import asks_sourcing, sees_hire_as_cost, sourcing_at, states_small_team

_DIFFERENCE = r"difference between|verschil tussen|differ|verschillen"
FACETS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    # facet: (question pattern, pattern on "doc_id: section heading")
    "kpis": (
        re.compile(
            r"\b(kpi|metric|measure|meten|meet ik|cijfers|numbers|targets?|doelen halen|goed werk|"
            r"good job|presteert|perform|beoordel|judge|evaluate|succes|afrekenen|"
            r"waarop reken|reken\w* .{0,25}\bop af\b|"
            r"how (do|can|could|would|will|should) (i|we|you) (know|tell|see|check|judge) (if|whether)\b|"
            r"(is|are) (\w+ ){0,3}(paying|paid) off|pays? off\b|"  # "is the designer's work paying off"
            r"worth what (we|i) (\w+ )?(pay|paying)|waard wat (we|ik|wij) (\w+ )?betal|"  # "… worth what we pay him"
            r"hoe (weet|zie|merk|controleer|check) (ik|je|we) of|hoe (kan|kun) (ik|je|we) (zien|meten|weten) of)",
            re.I,
        ),
        re.compile(r"\bkpi", re.I),
    ),
    "hiring": (
        re.compile(
            r"\b(when|wanneer|in dienst|inhuren|aannemen|neem ik .* aan|hire|hiring|freelance|zzp|"
            r"outsourc|uitbeste|in-?house|in (eigen )?huis\b|employ|vast contract|part-?time|parttime)",
            re.I,
        ),
        re.compile(r"\b(when to hire|wanneer neem je)", re.I),
    ),
    "skills": (
        re.compile(
            r"\b(skills?|vaardighed|competen|good at|goed in|profile|profiel|look for|letten op|let ik op|"
            r"what makes a good|kind of person|wat voor iemand|wat voor persoon|should .{0,30}\bknow|"
            r"moet .{0,40}\bkunnen|qualities|eigenschappen|interview|sollicitat)",
            re.I,
        ),
        re.compile(r"\b(skills|vaardigheden)", re.I),
    ),
    "duties": (
        re.compile(
            r"\b(what does|what do|wat doet|wat doen|taken|tasks|responsib|verantwoordelijk|do all day|"
            r"day[- ]to[- ]day|dagelijks\w*|"
            r"what (would|will) (they|he|she|that person) (\w+ ){0,2}(do|doing|work on)\b|"
            r"wat (gaat|zou|moet) (hij|zij|ze|die) (\w+ ){0,3}doen\b|"
            r"job description|functieomschrijving|"
            # "what is part of the marketer's role", "wat valt er onder die rol", "wat houdt die functie in": its work
            r"wat (hoort|valt) (er )?(\w+ ){0,2}(bij|onder) (de|het|een|die|dat) (rol|functie|werk|baan|taak|taken)\b|"
            r"wat (houdt|omvat) (\w+ ){1,5}in\b|what('s| is) (involved|part of) |what (falls|comes) under |"
            r"what('s| is) (their|his|her) (job|role)\b|wat is (hun|zijn|haar) (taak|job|werk)\b|"
            r"what (does|do) (\w+ ){1,5}(role|job|position) (involve|entail|include|cover)|" + _DIFFERENCE + ")",
            re.I,
        ),
        re.compile(r": (what an? |wat een )", re.I),
    ),
    "collaboration": (
        re.compile(
            r"\b(work together|works with|samenwerk|samen werk|werkt .* samen|werken .* samen|hand-?off|"
            r"overdracht|afstemmen|afstemming|stem(t|men|de|den)? (\w+ ){0,5}af\b|fit in with)",
            re.I,
        ),
        re.compile(r"(works with|samenwerkt)", re.I),
    ),
    "roster": (  # the whole set of roles a team has: the guide's overview of the roles, not one role's page
        re.compile(
            r"\b((which|what) (roles|functions|positions|jobs)\b|roles (does|do|are|exist|in)\b|"
            r"welke (rollen|functies|posities)\b|(rollen|functies) (zijn er|heeft|in)\b)",
            re.I,
        ),
        re.compile(r"\b(key roles|belangrijkste rollen)\b", re.I),
    ),
    "hires": (  # the order in which the coffee shop hired: the case's hires section
        re.compile(
            r"\b(hired first|hired (next|after|then)|who did (they|the \w+( \w+)?) hire|(?<!before )they hired|"
            r"the (owner|shop|coffee shop) hired|(die|wie) ze (hebben )?aan(namen|genomen)|"
            r"(welke|wie) (namen|hadden) (ze|zij|de \w+)\b.{0,30}\baan|eerst aangenomen|"
            r"(in )?(what|which|welke) (order|volgorde)\b.{0,40}\b(hire|hired|hiring|aangenomen|aannemen|aan)\b|"
            # a hire someone else already made ("which positions did the coffee shop fill", "welke functie heeft
            # die koffiebranderij als eerste ingevuld"): the past tense of a story, not the owner's own next hire
            r"\b(did|has|had|heeft|hebben|hadden) (they|ze|zij|(the|that|this|die|de|deze|dat|het) \w+( \w+)?) "
            r"(\w+ ){0,3}(fill|filled|ingevuld|hire|hired|aangenomen|take on|took on|bring in|brought in|ingehuurd)\b|"
            # and in the simple past: "die koffietent huurde eerst een freelancer in", "the roaster took on …"
            r"\b(they|ze|zij|(the|that|this|die|de|deze|dat|het) \w+( \w+)?) (first |eerst |then |toen |later )?"
            r"(filled|took on|brought in|huurde\w*|namen|nam (\w+ ){0,4}aan|vulde\w*)\b)",
            re.I,
        ),
        re.compile(r"\b(three hires|drie functies)\b", re.I),
    ),
    "communication": (  # keeping the team talking: the guide's communication and working-culture sections
        re.compile(
            r"\b(vergader\w*|meetings?|overleg\w*|communic\w*|comms|talk(s|ing)? (to|with) (each other|one another)|"
            r"(barely|hardly|never|don'?t|do not) talk|same page|stand-?ups?|slack|praten (\w+ ){0,3}met elkaar)",
            re.I,
        ),
        re.compile(r"(communication channels|communicatielijnen|working culture|werkcultuur)", re.I),
    ),
    "recruiting": (  # how to recruit: the checklist's recruiting step
        re.compile(
            r"\b(job (description|ad|advert|post\w*)|functieomschrijving|functiebeschrijving|vacature\w*|"
            r"post the job|recruit\w*|werven|werving\w*|vacanc\w*|job (opening|posting|listing|ad)s?|"
            r"interview\w*|sollicita\w*)",  # the recruiting step says what to look for in an interview
            re.I,
        ),
        re.compile(r"(start recruiting|begin met werven)", re.I),
    ),
    "first_hire": (  # which role comes first: the guide's step on the core team, not a role's "when to hire"
        re.compile(
            r"\b((hire|hiring|bring in|aannemen|aannam|invullen|aan) (\w+ ){0,3}(first|eerst\w*)|"
            r"first (hire|role|person|employee)|(eerste|1e) (aanname|functie|rol|medewerker|kracht)|"
            r"als eerste (aan|in)|"
            # and whether every role must be filled at once: the same step says "not from day one, grow gradually"
            r"(all|every|alle|allemaal)\b.{0,40}\b(at once|right away|immediately|from day one|meteen|direct|"
            r"tegelijk|in (één|een) keer)|(meteen|direct|tegelijk|in (één|een) keer) (alle|allemaal)\b|"
            r"stapje voor stapje|hoe snel .{0,30}\b(team|opbouwen|aannemen)|"
            r"how (fast|quickly) .{0,30}\b(team|build|hire))",
            re.I,
        ),
        re.compile(r"(start with the core|begin met het e-commercekernteam)", re.I),
    ),
    "pace": (  # how fast to build the team: the checklist's opening (no rush, a strong foundation)
        re.compile(
            r"\b(rush(ed|ing)?|hurry|haast\w*|overhaast\w*|"
            r"(how (fast|quickly)|hoe snel|too (fast|quickly)|te snel)\b.{0,40}\b"
            r"(team|build|hire|hiring|opbouw\w*|aanne\w*)|"
            r"(whole|entire|complete|full|hele|volledige|alle|alles)\b.{0,40}\b"
            r"(within|in|binnen) (a|one|een|één) (month|week|maand)\b)",
            re.I,
        ),
        re.compile(r"(how to use the e-commerce team checklist|zo gebruik je de checklist)", re.I),
    ),
    "problem": (  # what went wrong before a story's fix: the case's problem section (its 1.2% conversion)
        re.compile(
            r"\b(what went wrong|what was wrong|where did (it|they|things) go wrong|"
            r"what (was|were) (the|their|its) (\w+ )?problems?\b|"
            r"wat (ging|liep) er (\w+ ){0,2}mis|wat was er (\w+ ){0,2}mis|"
            r"wat was (\w+ ){0,2}(het|hun) (\w+ )?probleem)",
            re.I,
        ),
        re.compile(r": .*\b(problem|probleem)\b", re.I),
    ),
    "lessons": (
        re.compile(
            r"\b(learn|leren|lessons?|lessen|take ?aways?|take away|what can i (take|use)|"
            r"(wat|kan|kun) (ik|je|we) .{0,40}meenemen)",  # not "moet ik dat meenemen in mijn plan"
            re.I,
        ),
        re.compile(r"\b(lessons?|lessen)\b", re.I),
    ),
    "small_team": (  # what a very small shop needs: the FAQ on very small businesses (owner plus one assistant)
        re.compile(
            r"\b(tiny|very small|heel klein\w*|bare minimum|minimum team|minimal team|minimale? team)\b",
            re.I,
        ),
        re.compile(r"(very small business|heel klein bedrijf)", re.I),
    ),
    "budget": (  # what a team costs, whether it is affordable: the cause on seeing a hire as a cost (a hire
        # should pay for itself; start with the most important role, freelancers for specialist work)
        re.compile(
            r"\b(how much (does|do|will|would|did) .{0,50}\bcost|what (does|will|would) .{0,50}\bcost\b|"
            r"costs? (of|to) (build|building|set(ting)? up|start(ing)?|hir(e|ing)|grow(ing)?)|"
            r"(can|could) (i|we) (\w+ )?afford|affordable|worth the (money|investment|cost)|"
            r"wat kost|hoeveel kost|(wat|hoeveel) (gaat|zal|gaan|zullen) .{0,40}\bkosten\b|"
            r"kosten (van|voor) (een|het|zo'?n|mijn) (\w+ )?(team|e-?commerceteam)|betaalbaar|veroorlo\w*|"
            r"(de|het) investering waard)",
            re.I,
        ),
        re.compile(r"(limited budget|beperkt budget)", re.I),
    ),
    "existing_staff": (  # staff hired for other work doing the e-commerce on the side: the cause on the wrong people
        re.compile(
            r"\b(on the side|(existing|current) (staff|employees?|people)|in-?store (staff|sales|people|team)|"
            r"(warehouse|shop|store|winkel|magazijn) ?(guy|girl|man|jongen|meid)\b.{0,60}\b(run|do|handle|doen)\b|"
            r"naast (zijn|haar|hun) (gewone )?werk|er ?bij (doen|gezet)|"
            r"(doen|doet|regelen|regelt) (\w+ ){0,3}er (\w+ )?bij\b|'bij'|(uit|van) (de|onze|mijn) fysieke winkel|"
            r"(from|in) (the|our|my) (physical|brick[- ]and[- ]mortar|offline) (store|shop)|shop ?floor|"
            # "next to their normal work", "our sales reps just handle it": the English of "er ook bij doen"
            r"(next to|alongside|on top of|besides) (their|his|her|our|my) (\w+ )?(work|jobs?|tasks|duties)\b|"
            r"(sales|office|admin|warehouse) ?(reps?|staff|team|people|employees|colleagues)\b.{0,20}"
            r"\b(run|runs|running|handle\w*|manage\w*|look\w* after|(do|does|doing) (it|the|our))\b)",
            re.I,
        ),
        re.compile(r"(wrong people|verkeerde mensen)", re.I),
    ),
    "overload": (  # an owner worn out by doing everything: the consequence on the owner's stress and burnout
        re.compile(
            r"\b(burn(ing|t|ed)?[- ]?out|burn-?out|exhausted|uitgeput|overwerkt|overworked|gestrest|stressed|"
            r"overwhelmed|overloaded|overbelast|overspannen|opgebrand|uitgeblust|doodop|doodmoe|kapotgewerkt|"
            r"(ben|zijn) (echt |helemaal |compleet |totaal |zo )?op\b(?! \w)|"
            r"(alles|everything) (komt|valt|lands|falls) op mij|(alles|everything) (\w+ )?(lands|falls) on me)",
            re.I,
        ),
        re.compile(r"(stress|burn)", re.I),
    ),
    "start": (  # where to begin building a team: the first step of the where-to-start guide or the checklist
        re.compile(
            r"\b((where|how) (do|should|can|would) (i|we|you) (\w+ ){0,2}(start|begin)|"
            r"(waar|hoe) (begin|start) (ik|je|we|jij)\b(?! mee)|"  # "waar begin ik mee" picks one of two: not this
            r"(waar|hoe) (moet|kan|zou) (ik|je|we) (\w+ ){0,3}(beginnen|starten)\b)",
            re.I,
        ),
        re.compile(r"^(where-to-start|checklist): ((checklist )?(step|stap) 1)\b", re.I),
    ),
    "results": (
        re.compile(
            r"\b(before and after|voor en na|results?|resultaten|resultaat|how much|hoeveel|"
            r"went up|go up|gone up|increase|gestegen|toen (\w+ ){0,2}team er (eenmaal )?(stond|was)\b|"
            r"once (\w+ ){0,2}team was (in place|there|built)\b|"  # what the team made possible
            r"opgeleverd|opleverde|opbrengst|omhoog|in the end|end(ed)? up|uiteindelijk|"
            r"leverde (het|dat|dit|die) (\w+ ){0,3}op\b|what did (it|that|this|they) (bring|get|achieve|deliver))",
            re.I,
        ),
        re.compile(r"\b(results?|resultaten)\b", re.I),
    ),
    "causes": (
        re.compile(r"\b(why|waarom|how come|hoe komt|hoe kan het|cause|oorzaak|oorzaken|reason|reden)", re.I),
        re.compile(r"^causes:", re.I),
    ),
    "consequences": (
        re.compile(
            r"\b(what (\w+ )?happens|wat gebeurt|what if|wat als|consequen|gevolg|ignore|negeer|laat liggen|"
            r"worst[- ]case|ergste (geval|scenario)|"
            r"do nothing|niks doe|niets doe|long run|lange termijn)",
            re.I,
        ),
        re.compile(r"^consequences:", re.I),
    ),
}


# "is this a sign I should change something", "what do I do about it": the owner wants the way out too
_ASKS_REMEDY = re.compile(
    r"\b((should|must|do|can) (i|we) (\w+ ){0,2}change|change (something|anything|things)|"
    r"what (should|can|do|must) (i|we) do|how (do|can|should) (i|we) (fix|change|solve)|way out|"
    r"(moet|kan|zou) (ik|we|wij) (iets |wat )?(veranderen|anders doen)|wat (moet|kan) (ik|we) (nu )?doen|"
    r"hoe (los|kom) (ik|we)|oplossing|uitweg|wat nu\b|what now\b|now what\b|en nu\?)",
    re.I,
)
# the part of a guide that is the way out of another: the owner's burnout -> the very small business's first
# helper (owner plus one assistant, FAQ)
REMEDY_FOR = {"overload": "small_team"}
# a part that answers only half of a question that asks for both: what a team costs gets the smallest team to
# start with, and the cause on budgets (a hire should pay for itself) beside it; an owner worn out who asks
# what to do gets the way out first, and the guide's word on the burnout beside it
SHOWN_WITH = (("small_team", "budget"), ("small_team", "overload"))
# (shown part, part that joins it when the question asks for both): the search and the composer read these
PAIRED_PARTS = (*REMEDY_FOR.items(), *SHOWN_WITH)


# "what does it cost us if we don't build a team" asks for the consequences, which the guide does describe
_COST_OF_NOT = re.compile(r"\b(costs?|kost\w*)\b(\W+\w+){0,4}?\W+(if|when|unless|without|als|wanneer|zonder)\b", re.I)


def asks_what_it_costs(question: str) -> bool:
    """ "What does a team cost": the guide has no amounts to give, and the answer says so first."""
    return bool(FACETS["budget"][0].search(question)) and not _COST_OF_NOT.search(question)


_WHO_MISSING = re.compile(r"\b(kind of person|wat voor (iemand|persoon)) (\w+ ){0,3}(missing|lacking|mis|nodig)", re.I)


def question_facets(question: str) -> set[str]:
    facets = {name for name, (asks, _) in FACETS.items() if asks.search(question)}
    if _ASKS_REMEDY.search(question):
        facets |= {fix for part, fix in REMEDY_FOR.items() if part in facets}
    asks_when = re.search(
        r"\b(when (do|should|is|to|can)|wanneer (moet|heb|neem|is|kan)|at what point|op welk moment|time to|tijd om)",
        question,
        re.I,
    )
    if facets & {"skills", "duties", "kpis"} and not asks_when and not asks_sourcing(question):
        # "what to look for when hiring", "thinking of hiring X: what would they do", "is our freelance marketer
        # worth what we pay him": the hire, or how someone is hired, is the setting
        facets.discard("hiring")  # "what to look for when hiring" asks for skills, not for the right moment
    if _WHO_MISSING.search(question) and not FACETS["skills"][1].search(question):
        facets.discard("skills")  # "what kind of person am I missing?" asks which role, not its skills
    if "budget" in facets and not asks_what_it_costs(question):
        facets.discard("budget")  # what going on without a team costs: the consequences, not a budget
    if "first_hire" in facets and states_small_team(question):
        facets.add("small_team")  # "we're with the three of us: who do we hire first?"
    if "budget" in facets:
        facets.add("small_team")  # what a team costs: also the smallest team to start with (owner plus one)
    elif sees_hire_as_cost(question):
        facets.add("budget")  # "is a hire just an expense?": the cause on seeing a hire as a cost
    if asks_sourcing(question) and not asks_why_in_general(question):
        # "which roles are best kept in-house, and why": how to fill the roles and the why of that choice, not
        # the list of roles or the causes of an incomplete team
        facets -= {"causes", "roster"}
    if "causes" in facets:
        facets |= {"existing_staff", "budget"}  # the causes on the wrong people and the budget are causes too
    if "consequences" in facets:
        facets.add("overload")  # so is the consequence on the owner's stress and burnout
    if "duties" in facets and facets & {"kpis", "skills", "collaboration"}:
        # "the difference between the KPIs of X and Y" compares KPIs, not what X and Y do
        without = re.sub(rf"\b({_DIFFERENCE})", " ", question, flags=re.I)
        if not FACETS["duties"][0].search(without):
            facets.discard("duties")
    return facets


def first_asked(question: str, facets: set[str]) -> str:
    """Of the facets a question asks for, the one it asks first (where its words are, in the question)."""

    def where(facet: str) -> tuple[int, str]:
        found = FACETS[facet][0].search(question) if facet in FACETS else None
        at = found.start() if found else len(question)
        sourcing = sourcing_at(question) if facet == "hiring" else None
        return (at if sourcing is None else sourcing, facet)

    return min(facets, key=where)


def passage_facet(metadata: Mapping[str, Any]) -> str | None:
    """The facet of a passage, from its metadata (see section_facet)."""
    return section_facet(str(metadata.get("doc_id", "")), str(metadata.get("section", "")))


@lru_cache(maxsize=1024)
def section_facet(doc_id: str, section: str) -> str | None:
    """The facet a section's heading names; cached, as every search asks it of each of its candidate passages."""
    label = f"{doc_id}: {section}"
    for name, (_, heading) in FACETS.items():
        if heading.search(label):
            return name
    return None


# facets that name a part of a guide, which may lead an answer in place of the best hit (lists.primary_index)
GUIDE_PARTS = {
    "pace",
    "budget",
    "problem",
    "overload",
    "start",
    "small_team",
    "existing_staff",
    "results",
    "causes",
    "lessons",
    "consequences",
    "roster",
    "hires",
    "communication",
    "recruiting",
    "first_hire",
}
# "why" and the cause on the wrong people it brings open many questions that ask one thing, and the owner's
# burnout comes with every question on the consequences: never a second part
ONE_THING_PARTS = {"causes", "existing_staff", "budget", "overload"}
PART_MARGIN = 0.25  # a section of the asked part counts when it scores about as well as the best hit


class _Scored(Protocol):
    metadata: dict[str, Any]
    score: float


H = TypeVar("H", bound=_Scored)


def with_asked_part(ranked: Sequence[H], k: int, facets: set[str]) -> list[H]:
    """The top k, with the best section of the guide part the question asks for in the last place when none
    of the k is one ("team comms keep falling apart": the step on communication channels, though causes
    that share more words rank above it), as long as it scores within PART_MARGIN of the best hit. Only for a
    question that asks for that one thing: in "which roles, and which can a freelancer do" the best hit
    answers a part the guide part does not."""
    top = list(ranked[:k])
    wanted = facets & GUIDE_PARTS
    kind = [passage_facet(h.metadata) for h in ranked]
    fixes = {fix for part, fix in PAIRED_PARTS if part in kind[:k] and fix in wanted - set(kind[:k])}
    if fixes and top:
        # the burnout is shown and the owner asks what to change: the way out too (and so on, PAIRED_PARTS)
        for hit, facet in zip(ranked[k:], kind[k:], strict=True):
            if facet in fixes and hit.score >= top[0].score - PART_MARGIN:
                return top[:-1] + [hit]
    parts = wanted - ONE_THING_PARTS
    if len(parts) > 1 and top and any(f in parts for f in kind[:k]):
        # two parts asked ("in what order did they hire, and what did it bring") and one is shown: the other too
        missing = parts - set(kind[:k])
        for hit, facet in zip(ranked[k:], kind[k:], strict=True):
            if facet in missing and hit.score >= top[0].score - PART_MARGIN:
                return top[:-1] + [hit]
        return top
    if len(facets) != 1 or not wanted or not top or any(f in wanted for f in kind[:k]):
        return top
    for hit, facet in zip(ranked[k:], kind[k:], strict=True):
        if facet in wanted and hit.score >= top[0].score - PART_MARGIN:
            return top[:-1] + [hit]
    return top
