"""Tell Dutch from English.

Owners write short, informal questions ("2 man webshop wat eerst?"), so a statistical detector trained on
long text is unreliable here; counting characteristic function words works for the two languages we
serve and needs no model download.
"""

from __future__ import annotations

import re

SUPPORTED = ("en", "nl")

_WORD = re.compile(r"[a-zA-Zàáâäèéêëïíîóôöúûü']+")

_NL = set(
    """de het een en van ik je jij u uw we wij ons onze mijn is zijn was wat welke wie hoe waarom waar wanneer
    niet geen met voor op aan bij naar uit om dat dit die deze er ook maar of als dan nog al wel heb hebt heeft
    hebben kan kun kunt kunnen moet moeten wil wilt willen zou zal ga gaat doen doe eerst alleen klein kleine
    team winkel webshop medewerker medewerkers klanten klantenservice inhuren uitbesteden zelf nodig beter
    goed meten per rol rollen welk hoeveel mensen bedrijf eigenaar wij zijn tips advies waarmee beginnen
    moet ik zonder wordt worden tussen over tot na sinds zo veel meer minder omzet groei begin starten
    freelancer personeel functie functies""".split()
)
_EN = set(
    """the a an and of i you your we our my is are was what which who how why where when not no with for on at
    to from by that this these those there also but or if then still do does did have has had can could
    should would will shall want need first only small tiny team shop store staff hire hiring outsource
    in-house better good measure per role roles much many people business owner tips advice start
    without be been between about until after since so more less revenue growth customer customers service
    person two three kind get make it me do""".split()
)
# Dutch-only letter patterns, useful when a question is one or two words long.
_NL_PATTERNS = re.compile(r"(ij|oe|aa|uu|sch|cht|heid|lijk|tje|tjes|'s\b)")


def detect_language(text: str, default: str = "en") -> str:
    """Return 'nl' or 'en' for a question or a document."""
    words = [w.lower().strip("'") for w in _WORD.findall(text or "")]
    if not words:
        return default
    nl = sum(1 for w in words if w in _NL)
    en = sum(1 for w in words if w in _EN)
    if nl == en:
        nl_hint = len(_NL_PATTERNS.findall(" ".join(words)))
        if nl_hint >= max(1, len(words) // 3):
            return "nl"
        return default if nl == 0 else default
    return "nl" if nl > en else "en"
