"""Is a question about building an e-commerce team at all?

Dense similarity alone does not separate short owner questions ("kpi contentmaker") from off-topic ones
("what vat rate do i charge") well enough on a small knowledge base. So a question is in scope when it is
clearly similar to the guidance, or when it is somewhat similar and uses the vocabulary of the domain
(roles, hiring, team, KPIs, the shop's operations) in Dutch or English.
"""

from __future__ import annotations

import re

# Word beginnings of the domain, both languages. Deliberately about the product's scope (team, roles,
# hiring, performance, shop operations), not about any one test question.
_DOMAIN = re.compile(
    r"\b("
    r"team|teams|role|roles|rol|rollen|functie|position|job|vacanc|vacature|hire|hiring|huur|inhur|aanne|"
    r"recruit|werv|sollicit|interview|staff|personeel|employee|werknemer|medewerker|collega|assistent|assistant|"
    r"freelanc|zzp|outsourc|uitbested|uitbeste|in-house|inhouse|in huis|agency|bureau|hybrid|hybride|"
    r"kpi|metric|meten|measure|conversi|omzet|revenue|sales|verkoop|groei|growth|aov|cac|csat|roi|"
    r"e-?commerce|ecom|webshop|web shop|online shop|online store|winkel|shop|store|webflow|website|site|"
    r"market|seo|sem|sea|ads|advert|advertent|social media|content|copywrit|tekstschrijv|schrijver|"
    r"ux|ui|design|ontwerp|merchandis|product|voorraad|stock|inventory|prijs|pricing|categor|"
    r"klantenservice|customer service|customer support|support|klantervaring|customer experience|"
    r"logist|fulfil|magazijn|warehouse|verzend|shipping|inpak|packing|bezorg|deliver|lever|"
    r"manager|strateg|doel|goal|vision|visie|budget|investe|culture|cultuur|werkcultuur|overleg|meeting|"
    r"communic|slack|checklist|stappenplan|step|stap|prioriteit|priorit|eigenaar|owner|zelf doen|alles zelf|"
    r"overwhelm|overweldig|burn-?out|stress|koffie|coffee|case"
    r")",
    re.IGNORECASE,
)

CLEARLY_SIMILAR = 0.30  # dense similarity above which no domain word is needed
SOMEWHAT_SIMILAR = 0.05  # below this even a domain word is not enough (gibberish that contains "shop")


def uses_domain_words(question: str) -> bool:
    return bool(_DOMAIN.search(question))


def in_scope(question: str, best_dense: float, clearly_similar: float = CLEARLY_SIMILAR) -> bool:
    if best_dense >= clearly_similar:
        return True
    return best_dense >= SOMEWHAT_SIMILAR and uses_domain_words(question)
