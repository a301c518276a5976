"""The first step of the question path: what an owner typed, made into a question the search can use.

It turns away what is not a usable question (bytes that are not text, control characters, nothing but
symbols or HTML, too long) with a message in the asker's language, and strips pasted markup for the search.
"""

from __future__ import annotations

import re

from .errors import InvalidQuestionError
from .language import detect_language
from .texts import t

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_question(raw: object, max_chars: int, lang_hint: str = "en") -> str:
    """Reject what is not a usable question with a message in the asker's language."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidQuestionError(t(lang_hint, "not_text")) from None
    if not isinstance(raw, str):
        raise InvalidQuestionError(t(lang_hint, "not_text"))
    if "\x00" in raw or len(_CONTROL.findall(raw)) > max(3, len(raw) // 20):
        raise InvalidQuestionError(t(lang_hint, "not_text"))
    text = _CONTROL.sub(" ", raw).strip()
    lang = detect_language(text, default=lang_hint) if text else lang_hint
    if not text:
        raise InvalidQuestionError(t(lang, "empty"))
    if len(text) > max_chars:
        raise InvalidQuestionError(t(lang, "too_long", n=len(text), limit=max_chars))
    if not re.search(r"\w", without_markup(text)):
        raise InvalidQuestionError(t(lang, "not_text"))  # nothing but symbols, or only HTML tags
    return text


def without_markup(text: str) -> str:
    """Search with the words, not pasted HTML: "<img onerror=…> KPIs for customer service?" asks about KPIs.

    The question itself is kept as typed (and rendered as inert text); only the search ignores the tags.
    """
    stripped = re.sub(r"<script\b.*?(</script\s*>|$)|</?[a-zA-Z][^>]{0,500}>", " ", text, flags=re.I | re.S)
    return re.sub(r"\s+", " ", stripped).strip()
