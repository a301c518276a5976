"""Follow-ups: make "and for the marketer?" a question that stands on its own before anything is searched.

Two ways, one place: the LLM rewrites a follow-up when a model is configured; the rule-based rewrite carries
the previous question's topic forward when there is no model, when the model fails, and when the model's
rewrite lost the topic (the service searches again with it, see `Assistant._retrieve`).
"""

from __future__ import annotations

import re

from langchain_core.language_models import BaseChatModel

from .errors import LLMUnavailableError
from .llm import chat_chain, history_messages, invoke_with_deadline
from .prompts import CONDENSE_PROMPT

REWRITE_HISTORY_TOKENS = 600  # the rewrite needs the topic, not the whole conversation
_GENERIC_ROLE_WORDS = {"specialist", "manager", "e-commerce", "ecommerce", "medewerker", "head", "hoofd", "team"}


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


def condense_with_llm(
    llm: BaseChatModel, question: str, history: list[dict[str, str]], turns: int, timeout: float
) -> str | None:
    """The model's standalone version of a follow-up, or None when it fails or answers with something unusable."""
    try:
        rewritten = invoke_with_deadline(
            chat_chain(llm, CONDENSE_PROMPT),
            {"history": history_messages(history, turns, REWRITE_HISTORY_TOKENS), "question": question},
            timeout,
        ).strip()
    except LLMUnavailableError:
        return None
    return rewritten if rewritten and len(rewritten) < 500 else None


def standalone_question(
    question: str,
    history: list[dict[str, str]],
    role_terms: dict[str, list[str]],
    llm: BaseChatModel | None = None,
    turns: int = 6,
    timeout: float = 15.0,
) -> str:
    """The question to search with: as asked, rewritten by the model, or with the earlier topic carried forward."""
    if not history:
        return question
    if llm is not None and is_follow_up(question):
        rewritten = condense_with_llm(llm, question, history, turns, timeout)
        if rewritten is not None:
            return rewritten
    return condense_offline(question, history, role_terms)
