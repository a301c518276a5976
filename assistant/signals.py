"""What the scope decision looks at, measured while searching (retrieval.py) and judged in scope.py.

No single signal separates owners' questions from off-topic ones on a small knowledge base. Dense
similarity puts "kpi contentmaker" and "what vat rate do i charge" both at 0.1–0.25. Words help: terms that
only make sense in this domain (roles, hiring, freelance, KPIs, e-commerce) point in, and a question made
mostly of words the guidance never uses ("lease", "plugin", "dierenarts") points out. Vocabulary alone cannot
see that "my coffee machine at the shop is leaking" is about a coffee machine rather than the coffee-shop
case, so each question is also compared with examples of what the guidance does not cover
(`OFF_TOPIC_EXAMPLES`: everyday life and the other business topics owners have — tax, legal, hosting,
payments). The examples describe whole categories, so a new question about a plumber lands near them
without being listed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

TOPICS_FILE = Path(__file__).with_name("scope_topics.yaml")
BANK_FILE = Path(__file__).with_name("scope_bank.yaml")
BANK_K = 3  # nearest examples averaged per side: one stray example cannot decide alone

_STRONG = re.compile(
    r"\b("
    r"roles?|rol|rollen|functies?|positions?|vacanc|vacature|hire|hiring|huur|inhur|aanne|recruit|werv|"
    r"sollicit|interview|staff|personeel|assistent|assistant|freelanc|zzp|outsourc|uitbeste|in-?house|"
    r"in huis|agency|bureau|hybrid|hybride|kpi|metrics?|conversi|aov|cac|csat|roi\b|e-?commerce|ecom|"
    r"webshop|web shop|online shop|online store|webflow|marketing|marketeer|marketer|seo\b|sem\b|sea\b|"
    r"google ads|facebook ads|social media|copywrit|tekstschrijv|contentmaker|content creator|ux|ui\b|"
    r"webdesign|merchandis|voorraad|stock|inventory|klantenservice|customer service|customer support|"
    r"klantervaring|customer experience|logist|fulfil|magazijn|warehouse|verzend|shipping|inpak|packing|"
    r"orderpick|strateg|vision|visie|werkcultuur|culture|cultuur|overleg|slack|checklist|stappenplan|"
    r"prioriteit|priorit|eigenaar|owner|alles zelf|everything myself|overwhelm|overweldig|burn-?out|"
    r"skills?|vaardig|competen|assess|beoordel|responsib|verantwoordelijk|workload|werkdruk|imago|reputati|"
    r"job ads?|job posts?|job boards?|vacatures|structu|team\w{3,}|koffiezaak|coffee shop|presteer|prestatie|"
    r"perform|z'n (2|twee|3|drie)|met z'n|tweeën|(2|twee|3|drie) man\b|\bcs\b|inpakker|packer|"
    r"part-?timer|parttimer|scholier|werkstudent|stagiair|bijbaan|"
    r"just me and|me and my|who (do|should) (i|we) (hire|get)|eerst aannemen|first hire|"
    # the owner's own brand (what a messy team damages), not a brand of laptop
    r"(my|our|your|mijn|mn|m'n|ons|onze|je|jouw) (merk|brand)\b|merkimago|brand image|"
    # a question about the guidance itself: "does the guide say …", "in that piece about the consequences"
    r"the guide\b|this guide|de gids\b|deze gids|(dat|het|dit) (stuk|artikel|hoofdstuk) over|"
    r"(that|the|this) (piece|article|section|chapter) (about|on)\b|"
    # building the team up over time, the guide's own advice ("mag het rustig opgebouwd worden?")
    r"opbouw|opgebouwd|geleidelijk|build(ing)? (it|them|the team|a team|my team|our team) up|"
    # the guide's case and its own words for a first hire and for a team that keeps learning
    r"case stud(y|ies)|casestud|casus|helper|hulpkracht|"
    # the case asked informally: "die koffietent", "that coffee roaster story"
    r"koffie(tent|bar|zaakje|brander|boer)|coffee (place|roaster|company|guys|example|story)|"
    r"blijven leren|blijft leren|keeps? learning|leercultuur|bijscholing|nieuwe vaardigheden|new skills"
    r")",
    re.IGNORECASE,
)

OFF_TOPIC_EXAMPLES: tuple[str, ...] = (
    # Everyday life
    "what's the weather forecast for tomorrow",
    "wat voor weer wordt het morgen",
    "a recipe for dinner, how long do I bake or cook it",
    "een recept voor het avondeten, hoe lang moet het in de oven",
    "how do I make good coffee, espresso or cappuccino at home",
    "hoe zet ik lekkere koffie, espresso of cappuccino",
    "how do I clean, descale or repair my coffee machine or other appliance",
    "hoe ontkalk of repareer ik mijn koffiezetapparaat of ander apparaat",
    "sports results: who won the match, the league table, training my sports team",
    "sport: wie heeft de wedstrijd gewonnen, de stand in de competitie, training van mijn voetbalteam",
    "cheap flights, trains and hotels for a holiday or a trip",
    "goedkope vliegtickets, treinen en hotels voor een vakantie of uitje",
    "health: pain, illness or sleeping problems, what medicine or exercise should I take",
    "gezondheid: pijn, ziek of slecht slapen, welk medicijn of welke oefening moet ik nemen",
    "how do I train, feed or care for my dog or cat",
    "hoe voed ik mijn hond of kat op en wat geef ik ze te eten",
    "my car makes a noise, car repair and maintenance",
    "mijn auto maakt een geluid, auto reparatie en onderhoud",
    "home and building repairs: a leak, a plumber, an electrician, what do they cost per hour",
    "reparaties in huis of pand: een lekkage, een loodgieter, een elektricien, wat kosten die per uur",
    "buying or renting a house or a building: mortgage, rent and ending a lease",
    "een huis of pand kopen of huren: hypotheek, huur en een huurcontract opzeggen",
    "general knowledge: capitals, history and geography",
    "algemene kennis: hoofdsteden, geschiedenis en aardrijkskunde",
    "traffic: a jam on the motorway, road works, a delayed train, which route is faster",
    "verkeer: file op de snelweg, wegwerkzaamheden, vertraging van de trein, welke route is sneller",
    "tell me a joke, a poem or a story",
    "vertel een grap, een gedicht of een verhaal",
    "which shop sells cheap shoes, clothes or bikes near me",
    "welke winkel verkoopt goedkope schoenen, kleding of fietsen in de buurt",
    "which laptop, phone or printer should I buy, my computer does not work",
    "welke laptop, telefoon of printer moet ik kopen, mijn computer doet het niet",
    # Business topics the guidance does not cover
    "what VAT rate do I charge and how do I file my tax return",
    "welk btw-tarief reken ik en hoe doe ik mijn belastingaangifte",
    "how do I do my bookkeeping, invoices and accounting",
    "hoe doe ik mijn boekhouding, facturen en administratie",
    "how do I register a company, a trademark or a brand name at the chamber of commerce",
    "hoe registreer ik een bedrijf, een merk of een merknaam bij de kamer van koophandel",
    "employment law: sick leave, holidays, dismissal, minimum wage and contract rules",
    "arbeidsrecht: ziekteverlof, vakantiedagen, ontslag, minimumloon en regels voor contracten",
    "business loans, investors, subsidies and insurance",
    "zakelijke lening, investeerders, subsidie en verzekering",
    "which payment provider has the lowest transaction fees",
    "welke betaalprovider heeft de laagste transactiekosten",
    "which web hosting, domain name, plugin or theme is the fastest and cheapest",
    "welke hosting, domeinnaam, plugin of thema is het snelst en goedkoopst",
    "how do I fix an error in my code, Python or JavaScript programming",
    "hoe los ik een foutmelding in mijn code op, programmeren in Python of JavaScript",
    "how do I set up a VPN, wifi, email or a password",
    "hoe stel ik een VPN, wifi, e-mail of een wachtwoord in",
    "GDPR, privacy policy, cookies and terms and conditions for my website",
    "AVG, privacyverklaring, cookies en algemene voorwaarden voor mijn website",
)


@dataclass(frozen=True)
class ScopeSignals:
    """What the scope decision looks at, kept on each retrieval so it can be inspected and refitted."""

    dense: float  # nearest passage (cosine)
    heading: float  # nearest section heading
    off_topic: float  # nearest off-topic example
    coverage: float  # share of content words the guidance uses (LexicalIndex.coverage)
    domain_word: bool  # names a role, hiring, KPIs, e-commerce …
    topic: float = 0.0  # nearest covered-topic description minus nearest uncovered one (scope_topics.yaml)
    bank: float = 0.0  # nearer to in-scope example questions than to out-of-scope ones (scope_bank.yaml)
    bank_nearest: str = ""  # the single nearest example question, to explain a decision the bank signal made
    uncovered_word: str = ""  # "topic: word" when the question uses an unmistakable uncovered-topic word
    team_question: bool = False  # clearly about who does the work (hire, freelance, in-house, a role)
    asks: bool = False  # asks for a rule, an amount, a formula, an app or a set-up, not the team (Topics.asks_task)

    def vector(self) -> list[float]:
        return [
            self.dense,
            self.heading,
            self.off_topic,
            self.coverage,
            float(self.domain_word),
            self.topic,
            self.bank,
            float(self.asks),
        ]


@dataclass(frozen=True)
class Topics:
    """scope_topics.yaml: what the guidance is about, and the near-domain topics it does not cover."""

    covered: tuple[str, ...]
    uncovered: tuple[str, ...]  # descriptions, all topics
    words: tuple[tuple[str, bool, re.Pattern[str]], ...]  # (topic, team_override, pattern)
    team_words: re.Pattern[str]
    context: re.Pattern[str] | None = None  # where a topic word is context, not the subject (scope_topics.yaml)
    asks: re.Pattern[str] | None = None  # what a question asks for: a rule, an amount, an app … (scope_topics.yaml)
    team_subject: re.Pattern[str] | None = None  # the team asked about as well: hiring, KPIs, meeting …

    def uncovered_word(self, question: str) -> tuple[str, str, bool] | None:
        """The uncovered topic the question names unmistakably as its subject: (topic, word, team_override); the
        first one the team override never lifts, else the first one.

        A word inside a `context` phrase is not the subject: it names who says or wants something ("our
        investor wants the team in place") or what the business is ("onze webshop hoort bij een
        groothandel"). Such a question is left to the model, which judges what it asks."""
        spans = [m.span() for m in self.context.finditer(question)] if self.context else []
        first: tuple[str, str, bool] | None = None
        for topic, override, pattern in self.words:
            # Every start is tried, not only where the last match ended: in "i sell on etsy, what are their fees?"
            # the fees match starts inside the context phrase ("i sell on etsy") and runs out of it.
            position = 0
            while found := pattern.search(question, position):
                if not any(start <= found.start() and found.end() <= end for start, end in spans):
                    # A topic the team words never lift (law, pay, tax …) wins over one they do: in "which clauses
                    # in a contract with our freelance SEO specialist so I own the backlinks?" the contract is asked.
                    if not override:
                        return topic, found.group(0).strip().lower(), override
                    first = first or (topic, found.group(0).strip().lower(), override)
                    break
                position = found.start() + 1
        return first

    def is_team_question(self, question: str) -> bool:
        return bool(self.team_words.search(question))

    def asks_task(self, question: str) -> bool:
        """Whether the question asks for a rule, what something is worth or costs per m2, a formula, an app, how
        to set a thing up or how often to send something, and not also about the team. Whatever its topic: the
        subject need not be in any list ("what are the rules when my packer is ill?")."""
        if self.asks is None or not self.asks.search(question):
            return False
        return not (self.team_subject and self.team_subject.search(question))


def _alternation(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(words) + ")", re.IGNORECASE)


def _read_yaml(path: Path) -> Any:
    """libyaml's safe loader when PyYAML has it: 2 ms instead of 25 for the topics on every start (same result)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def load_topics(path: Path = TOPICS_FILE) -> Topics:
    data = _read_yaml(path)
    uncovered = data["uncovered"]
    return Topics(
        covered=tuple(data["covered"]),
        uncovered=tuple(d for spec in uncovered.values() for d in spec["descriptions"]),
        words=tuple(
            (name, bool(spec.get("team_override")), _alternation(spec["words"])) for name, spec in uncovered.items()
        ),
        team_words=_alternation(data["team_words"]),
        context=_alternation(data["context"]) if data.get("context") else None,
        asks=_alternation(data["asks"]) if data.get("asks") else None,
        team_subject=_alternation(data["team_subject"]) if data.get("team_subject") else None,
    )


@dataclass(frozen=True)
class Bank:
    """scope_bank.yaml: example questions the guidance answers (who does the work) and ones it does not
    (how to do a business task, which tool, vendor, law or price, everyday life)."""

    in_scope: tuple[str, ...]
    out_of_scope: tuple[str, ...]


@functools.cache
def load_bank(path: Path = BANK_FILE) -> Bank:
    data = _read_yaml(path)
    return Bank(in_scope=tuple(data["in_scope"]), out_of_scope=tuple(data["out_of_scope"]))


def scope_texts() -> tuple[tuple[str, ...], ...]:
    """Every text a question is compared with, in groups: off-topic examples, covered and uncovered topic
    descriptions, in-scope and out-of-scope example questions. The ingest stores their vectors with the
    version (indexer.py) and the search reads them from there (retrieval.py): one list for both."""
    topics, bank = load_topics(), load_bank()
    return OFF_TOPIC_EXAMPLES, topics.covered, topics.uncovered, bank.in_scope, bank.out_of_scope


def bank_signal(
    qvec: np.ndarray, in_vecs: np.ndarray, out_vecs: np.ndarray, bank: Bank, skip_self: bool = False
) -> tuple[float, str]:
    """Mean similarity to the BANK_K nearest in-scope examples minus that to the nearest out-of-scope ones,
    and the nearest example of all (quoted in the decision's reason).

    `skip_self` leaves out an example identical to the question: the fit scores the bank's own questions
    as if they were new, so the weight it learns is that of a question the bank has not seen.
    """
    sides = []
    for vecs in (in_vecs, out_vecs):
        sims = vecs @ qvec
        if skip_self:
            sims = np.where(sims > 0.9999, -1.0, sims)
        sides.append(sims)
    means = [float(np.sort(s)[-BANK_K:].mean()) for s in sides]
    nearest = (
        bank.in_scope[int(sides[0].argmax())]
        if sides[0].max() >= sides[1].max()
        else bank.out_of_scope[int(sides[1].argmax())]
    )
    return means[0] - means[1], nearest


def uses_domain_words(question: str) -> bool:
    return bool(_STRONG.search(question))


FILLER = set(
    """ok okay so well now then please just really a an the this that it these those what which how where when
    do does can could should would will i me my we us our you your is are be to with for of and or first next
    hoe wat welke waar wanneer ik mij mijn me mn we wij ons onze je jij u dit dat die deze het de een is zijn
    moet moeten kan kun kunt zal doe doen nu dan eerst graag even toch eigenlijk en of met voor op bij aan""".split()
)
# Chat shorthand and fillers: neither known nor unknown to the guidance, so they do not count for coverage.
INFORMAL = FILLER | set(
    """dont doesnt isnt arent cant wont didnt im ive id youre thats whats hows lol rn tbh btw bc pls plz thx
    thanks hi hello hey kinda sorta gonna wanna gotta thru ppl guy guys gal dev devs ecom biz info
    actually honestly basically literally anyway stuff thing things like
    mn zn gwn ff vh nou precies eigenlijk gewoon echt beetje soort zo'n hoi hallo dank bedankt iets
    allemaal zeg maar niks niets iets alles nothing something anything everything all
    regelt regelen handles handle straks binnenkort later soon""".split()  # "wie regelt …": who does it, loosely
)
