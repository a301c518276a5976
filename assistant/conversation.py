"""The conversation: what of it reaches the model, and follow-ups made to stand on their own.

History is the owner's words: only `user` turns, and the app's own earlier answers as clipped plain text, reach
the model; anything else a client sends (system or tool turns, markup) is dropped. A follow-up ("and for the
marketer?") is rewritten before anything is searched: by the LLM when a model is configured, checked, and by the
rule-based rewrite (which carries the previous question's topic forward) when there is no model, when the model
fails or runs out of time, and when its rewrite is not a short question in the owner's language on the topic.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

from .errors import LLMUnavailableError
from .language import detect_language
from .lexical import tokenize
from .llm import ainvoke_with_deadline, chat_messages, history_messages
from .prompts import CONDENSE_PROMPT

if TYPE_CHECKING:  # only named in annotations: importing it costs 0.5 s of start-up (langsmith)
    from langchain_core.language_models import BaseChatModel

REWRITE_HISTORY_TOKENS = 600  # the rewrite needs the topic, not the whole conversation
ANSWER_CLIP_CHARS = 600  # an earlier answer reaches the model as context, not in full
REWRITE_MAX_WORDS = 30
_STOP_WORDS = set(STOPWORDS_EN) | set(STOPWORDS_DUTCH)
_GENERIC_ROLE_WORDS = {"specialist", "manager", "e-commerce", "ecommerce", "medewerker", "head", "hoofd", "team"}
_QUESTION_START = re.compile(
    r"^(what|which|who|how|why|when|where|do|does|did|is|are|can|could|should|would|will|wat|welke|wie|hoe|"
    r"waarom|wanneer|waar|moet|moeten|kan|kun|kunnen|is|zijn|heb|hebben|wil|zou)\b",
    re.IGNORECASE,
)


def _plain(text: str) -> str:
    """An earlier answer as plain text: no HTML, Markdown emphasis, links, citation marks or italic notices."""
    text = re.sub(r"<[^>]{0,500}>", " ", text)
    text = re.sub(r"^_[^_\n]+_\s*$", " ", text, flags=re.MULTILINE)  # the fallback/cut-off notice line
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # [label](url) → label
    text = re.sub(r"\[\d{1,2}\]", "", text)
    text = re.sub(r"[*_`#>|]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def owner_history(history: list[Any], max_messages: int) -> list[dict[str, str]]:
    """The conversation as the model and the rewrite may see it: user turns, and earlier answers as plain text."""
    kept: list[dict[str, str]] = []
    for message in history[-max_messages:] if max_messages > 0 else []:
        if not isinstance(message, dict) or not isinstance(message.get("content"), str):
            continue
        role, content = message.get("role"), message["content"].strip()
        if role == "assistant":
            content = _plain(content)[:ANSWER_CLIP_CHARS]
        elif role != "user":
            continue  # system, tool or anything else a client might send is not the owner's
        if content:
            kept.append({"role": role, "content": content})
    return kept


def is_follow_up(question: str) -> bool:
    """Starts like a continuation ("and …", "wat dan …") or is too short to carry a topic of its own."""
    q = question.strip().lower()
    connective = re.match(
        r"^(and|also|what about|how about|same for|and for|and what|or|then|en|ook|en voor|en wat|"
        r"wat dan|hoe zit het met|idem|wat als|of)\b",
        q,
    )
    return bool(connective) or len(re.findall(r"\w+", q)) <= 3


def _role_words(role_terms: dict[str, list[str]]) -> set[str]:
    words = set()
    for terms in role_terms.values():
        for term in terms:
            words.add(term)
            words.update(w for w in re.findall(r"[\w-]+", term) if len(w) >= 4 and w not in _GENERIC_ROLE_WORDS)
    return words


def condense_offline(question: str, history: list[dict[str, str]], role_terms: dict[str, list[str]]) -> str:
    """Make a follow-up stand alone without an LLM: carry the previous question's topic forward.

    "and for the marketer?" after "which KPIs for customer service?" becomes a question about KPIs for the
    marketer: role names in the earlier question are dropped when the follow-up names another role.
    """
    previous = next((m["content"] for m in reversed(history) if m.get("role") == "user" and m.get("content")), "")
    if not previous or not is_follow_up(question):
        return question
    words = _role_words(role_terms)
    q_lower = question.lower()
    names_role = any(re.search(rf"\b{re.escape(w)}", q_lower) for w in words)
    carried = previous
    if names_role:
        for term in sorted(words, key=len, reverse=True):
            carried = re.sub(rf"\b{re.escape(term)}\w*", " ", carried, flags=re.IGNORECASE)
    carried = re.sub(r"\s+", " ", carried).strip()
    return f"{question.strip()} — {carried}"


def _content_words(text: str, lang: str) -> set[str]:
    """Stemmed words that carry meaning: stop words of either language ("for", "what", "de") never count."""
    words = [w for w in re.findall(r"[\w']+", text.lower()) if len(w) >= 3 and w not in _STOP_WORDS]
    return set(tokenize(" ".join(words), lang))


def acceptable_rewrite(
    rewrite: str, question: str, history: list[dict[str, str]], lang: str, role_terms: dict[str, list[str]]
) -> bool:
    """A usable rewrite is short, a question, in the owner's language, and keeps the topic.

    Keeping the topic: it shares a content word (stemmed) or a role name with the question and the owner's
    earlier questions. A model that answers instead of rewriting fails the first checks; one that drifts to
    another subject fails the last.
    """
    words = rewrite.split()
    if not words or len(words) > REWRITE_MAX_WORDS or "\n\n" in rewrite:
        return False
    if not (rewrite.rstrip().endswith("?") or _QUESTION_START.match(rewrite.strip())):
        return False
    if detect_language(rewrite, default=lang) != lang:
        return False
    context = " ".join([question, *(m["content"] for m in history if m.get("role") == "user")])
    if _content_words(rewrite, lang) & _content_words(context, lang):
        return True
    roles = _role_words(role_terms)
    lower_rewrite, lower_context = rewrite.lower(), context.lower()
    return any(r in lower_rewrite and r in lower_context for r in roles)


async def condense_with_llm(
    model: BaseChatModel, question: str, history: list[dict[str, str]], turns: int, timeout: float
) -> str:
    """The model's standalone version of a follow-up; LLMUnavailableError when it fails or runs out of time."""
    messages = chat_messages(CONDENSE_PROMPT, history_messages(history, turns, REWRITE_HISTORY_TOKENS), question)
    return (await ainvoke_with_deadline(model, messages, timeout)).strip()


async def standalone_question(
    question: str,
    history: list[dict[str, str]],
    role_terms: dict[str, list[str]],
    lang: str,
    model: BaseChatModel | None = None,
    turns: int = 6,
    timeout: float = 5.0,
) -> tuple[str, LLMUnavailableError | None]:
    """The question to search with (as asked, rewritten by the model, or with the earlier topic carried forward)
    and the model's failure, if it failed, so the caller can count it."""
    if not history:
        return question, None
    if model is not None and is_follow_up(question):
        try:
            rewritten = await condense_with_llm(model, question, history, turns, timeout)
        except LLMUnavailableError as exc:
            return condense_offline(question, history, role_terms), exc
        if acceptable_rewrite(rewritten, question, history, lang, role_terms):
            return rewritten, None
    return condense_offline(question, history, role_terms), None
