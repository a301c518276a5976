"""Is a question about building an e-commerce team at all?

Dense similarity alone does not separate short owner questions ("kpi contentmaker") from off-topic ones
("what vat rate do i charge") on a small knowledge base: both score 0.1–0.25. What separates them is
vocabulary. Words that only make sense in this domain (roles, hiring, freelance, KPIs, e-commerce) put a
question in scope; everyday words that also occur in off-topic questions (shop, team, problem, coffee)
only count together, or with a clearly higher similarity to the guidance.
"""

from __future__ import annotations

import re

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
    r"perform"
    r")",
    re.IGNORECASE,
)
# Everyday words: in scope only two together, or one with a clearly higher similarity.
_WEAK = re.compile(
    r"\b(shops?|stores?|winkels?|site|website|teams?|problems?|problemen|probleem|koffie|coffee|case|"
    r"products?|producten|steps?|stappen|stap|employees?|werknemers?|medewerkers?|people|ppl|mensen|"
    r"tasks|taken|goals?|doelen|doel|budget|growth|groei|sales|verkoop|omzet|revenue|prices?|pricing|"
    r"prijzen|support|design|ontwerp|content|management|manager|managen|measure|meten|meet|aanpak|approach|"
    r"voorbeeld|example|jobs?|stuck|vast|aanlopen|gebeurt|happens?|negeer|negeren|ignore|niks|nothing)\b",
    re.IGNORECASE,
)

CLEARLY_SIMILAR = 0.30  # no domain words needed above this
ONE_WEAK_WORD = 0.22
TWO_WEAK_WORDS = 0.12
STRONG_WORD = 0.05  # gibberish that happens to contain "kpi" still stays out


def uses_domain_words(question: str) -> bool:
    return bool(_STRONG.search(question))


def in_scope(question: str, best_dense: float, clearly_similar: float = CLEARLY_SIMILAR) -> bool:
    if best_dense >= clearly_similar:
        return True
    if _STRONG.search(question):
        return best_dense >= STRONG_WORD
    weak = len(_WEAK.findall(question))
    if weak >= 2:
        return best_dense >= TWO_WEAK_WORDS
    if weak == 1:
        return best_dense >= ONE_WEAK_WORD
    return False
