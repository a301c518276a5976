"""Tell Dutch from English.

Owners write short, informal questions ("2 man webshop wat eerst?"), so a statistical detector trained on
long text is unreliable here; counting characteristic function words works for the two languages we
serve and needs no model download.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

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


def _words(text: str) -> list[str]:
    words = [w.lower().strip("'") for w in _WORD.findall(text)]
    return [w.removesuffix("'s") for w in words]  # "KPI's" is the Dutch plural of "KPI"


def exclusive_vocabulary(passages: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Words the guidance uses in only one of its languages ("magazijn", "afdelingen" vs "warehouse").

    Function words alone cannot place "afdelingen werken langs elkaar heen, marketing it en magazijn"; the
    knowledge base's own vocabulary can, and it follows the guidance as maintainers edit it. `passages` are
    (language, text) pairs: pass the written text, not alias lists that mix both languages on purpose.
    """
    vocabulary: dict[str, set[str]] = {}
    for lang, text in passages:
        bucket = vocabulary.setdefault(lang, set())
        bucket.update(w for w in _words(text) if len(w) >= 3)
    out: dict[str, frozenset[str]] = {}
    for lang in SUPPORTED:
        others = set().union(*(v for other, v in vocabulary.items() if other != lang))
        out[lang] = frozenset(
            w
            for w in vocabulary.get(lang, set()) - _NL - _EN
            if not {w, w + "s", w.removesuffix("s")} & others  # "kpis" (en) and "kpi's" (nl) are one word
        )
    return out


def detect_language(text: str, default: str = "en", vocabulary: Mapping[str, frozenset[str]] | None = None) -> str:
    """Return 'nl' or 'en' for a question or a document.

    `vocabulary` (from `exclusive_vocabulary`) adds one vote for each word only one language's guidance uses.
    """
    words = _words(text or "")
    if not words:
        return default
    nl = sum(1 for w in words if w in _NL)
    en = sum(1 for w in words if w in _EN)
    if vocabulary:
        nl += sum(1 for w in words if w in vocabulary.get("nl", ()))
        en += sum(1 for w in words if w in vocabulary.get("en", ()))
    if nl == en:
        # Nothing tips the balance: no known words, or only ones both languages use ("is", "team", "per").
        # Dutch spelling can still tell; otherwise the caller's default (the conversation's language) stands.
        nl_hint = len(_NL_PATTERNS.findall(" ".join(words)))
        if nl_hint >= max(1, len(words) // 3):
            return "nl"
        return default
    return "nl" if nl > en else "en"
