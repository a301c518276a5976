"""BM25 over the same chunks as the vector index, with Snowball stemming per language.

Built in memory from the active Chroma version when a reader opens it, so the lexical and the dense
index can never disagree about which chunks exist.
"""

from __future__ import annotations

import difflib
import re
import threading
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

_TOKEN = re.compile(r"[0-9a-zà-ÿ]+(?:['’][a-z]+)?", re.IGNORECASE)
_STEMMERS = {"en": "english", "nl": "dutch"}
_QUESTION_WORDS = {
    "en": "what which who how why when where do does did i me my we our us you your can could should would "
    "have has had need needs want get from about do any some me so one".split(),
    "nl": "wat welke wie hoe waarom wanneer waar ik mij mijn we wij ons onze je jij jouw u uw kan kun kunt "
    "moet moeten heb hebben wil wilt nodig over iets graag".split(),
}
_STOP = {
    "en": set(STOPWORDS_EN) | set(_QUESTION_WORDS["en"]),
    "nl": set(STOPWORDS_DUTCH) | set(_QUESTION_WORDS["nl"]),
}
# Words that are in every passage of this knowledge base carry no signal.
_DOMAIN_STOP = {"e", "commerce", "ecommerce", "shop", "webshop", "winkel"}


# Team sizes and words as owners type them ("met z'n 2en", "2 man", "a 2 person shop", "team comms"), spelt out
# as the guidance writes them; on both sides of the index, so a figure like "3-6 months" still matches itself.
_SHORTHAND = {
    "en": {"2": "two", "3": "three", "comms": "communication", "ppl": "people"},
    "nl": {"2en": "tweeën", "3en": "drieën", "4en": "vieren", "2": "twee", "3": "drie"},
}


def _words(text: str) -> list[str]:
    words = [w.lower().replace("’", "'") for w in _TOKEN.findall(text)]
    return [w[:-2] if w.endswith("'s") else w for w in words]  # KPI's -> kpi


def split_compound(word: str, vocabulary: set[str], head_only: bool = True) -> list[str]:
    """Dutch glues nouns together ("teamcommunicatie"); split into known words so either half matches.

    When only the first word is known ("magazijnmens"), that word alone is returned if `head_only`.
    """
    if len(word) < 8:
        return []
    for i in range(len(word) - 4, 3, -1):
        left, right = word[:i], word[i:]
        if right in vocabulary:
            for head in (left, left[:-1] if left.endswith("s") else None):  # linking -s-
                if head and len(head) >= 3 and head in vocabulary:
                    return [head, right]
    if head_only:
        # "magazijnmens", "koffiebranderij": a known first word of 5+ letters still says what it is about.
        for i in range(len(word) - 3, 4, -1):
            if word[:i] in vocabulary:
                return [word[:i]]
    return []


_local = threading.local()


def _stemmer(lang: str) -> Stemmer.Stemmer:
    """One stemmer per thread and language: PyStemmer objects must not be shared between threads."""
    cache = _local.__dict__.setdefault("stemmers", {})
    if lang not in cache:
        cache[lang] = Stemmer.Stemmer(_STEMMERS.get(lang, "english"))
    return cache[lang]


@lru_cache(maxsize=8)
def _stopwords(lang: str) -> frozenset[str]:
    return frozenset(_STOP.get(lang, set()) | _DOMAIN_STOP)


def tokenize(text: str, lang: str, vocabulary: set[str] | None = None) -> list[str]:
    """Built once per chunk at load and once per language per question: stemmer and stop list are cached."""
    return _tokens(_words(text), lang, vocabulary)


def _tokens(words: list[str], lang: str, vocabulary: set[str] | None) -> list[str]:
    """`tokenize` from the text's words (the index splits each chunk into words once, for both uses)."""
    stemmer = _stemmer(lang)
    stop = _stopwords(lang)
    spelt = _SHORTHAND.get(lang, {})
    words = [spelt.get(w, w) for w in words]
    words = [w for w in words if w not in stop and (len(w) > 1 or w.isdigit())]
    if vocabulary and lang == "nl":
        words += [part for w in words for part in split_compound(w, vocabulary) if part not in stop]
    return stemmer.stemWords(words)


def stem_lists(text: str) -> list[list[str]]:
    """The text's words in order, stemmed in each language, stop words kept ("no visitors": the "no" is the point).

    For matching short phrases (a role's `symptoms`, roles.py) in either language and any word form."""
    words = _words(text)
    return [_stemmer(lang).stemWords(words) for lang in _STEMMERS]


class LexicalIndex:
    """One BM25 index per language; a question is stemmed in each index's language."""

    def __init__(self, texts: list[str], langs: list[str]) -> None:
        self.size = len(texts)
        self._by_lang: dict[str, tuple[bm25s.BM25, np.ndarray]] = {}
        self._vocabulary: dict[str, set[str]] = {}
        for lang in sorted(set(langs)):
            positions = np.array([i for i, lg in enumerate(langs) if lg == lang])
            words = [_words(texts[i]) for i in positions]
            vocabulary = {w for chunk in words for w in chunk if len(w) >= 3}
            self._vocabulary[lang] = vocabulary
            corpus = [_tokens(chunk, lang, vocabulary) for chunk in words]
            retriever = bm25s.BM25()
            retriever.index(corpus, show_progress=False)
            self._by_lang[lang] = (retriever, positions)
        self._by_initial: dict[str, list[str]] = {}  # vocabulary by first letter, for typo tolerance
        for vocabulary in self._vocabulary.values():
            for known in vocabulary:
                self._by_initial.setdefault(known[0], []).append(known)

    def coverage(self, text: str, ignore: set[str]) -> float:
        """Share of the text's content words the guidance knows, in any language (stemmed, or as compound parts).

        Off-topic questions are mostly made of words the guidance never uses ("lease", "plugin", "dierenarts");
        owners' questions, however loosely phrased, mostly reuse its words.
        """
        stop = set(ignore) | _STOP["en"] | _STOP["nl"]

        def stem_known(word: str) -> bool:
            return any(_stemmer(lang).stemWord(word) in index.vocab_dict for lang, (index, _) in self._by_lang.items())

        words = [w for w in _words(text) if not w.isdigit() and w not in stop]
        # two-letter words count only when the guidance uses them ("ux", "cs"); otherwise they are noise
        words = [w for w in words if len(w) >= 3 or (len(w) == 2 and stem_known(w))]
        if not words:
            return 0.0  # "12345", "what now?": nothing the guidance could be about
        known = 0
        for word in words:
            if any(word in vocabulary for vocabulary in self._vocabulary.values()):
                known += 1
            elif stem_known(word):
                known += 1
            elif any(split_compound(word, vocabulary, head_only=False) for vocabulary in self._vocabulary.values()):
                known += 1
            elif self._misspelt(word):
                known += 1
        return known / len(words)

    def _misspelt(self, word: str) -> bool:
        """ "custmer", "ecomerce", "pesoneel": one slip of the keyboard from a word the guidance uses."""
        if len(word) < 6:
            return False
        return bool(difflib.get_close_matches(word, self._by_initial.get(word[0], []), n=1, cutoff=0.85))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk (0 where no term matches), in corpus order."""
        out = np.zeros(self.size, dtype=np.float32)
        for lang, (retriever, positions) in self._by_lang.items():
            tokens = tokenize(query, lang, self._vocabulary.get(lang))
            if not tokens:
                continue
            vocab = retriever.vocab_dict
            known = [t for t in tokens if t in vocab]
            if not known:
                continue
            out[positions] = retriever.get_scores(known)
        return out
