"""In LLM mode, the team plan's summary in the model's words (issue #14); never the plan itself.

The plan is built offline (plan.py) and is the same with or without a model: roles, how, why, KPIs, sources,
90 days and job ads never pass through it. Only the summary on top may be reworded, because the offline one is
a list read out loud. The reply is checked before it is used (length, language, no new figures, every role to
hire now still named, nothing that looks like markup); otherwise, offline, or when the model is down, the owner
gets the offline summary. Reworded summaries are kept per offline summary, so the page, the download and the
print view of one plan say the same thing, and one plan costs one model call.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from . import aio
from .language import detect_language
from .plan import TeamPlan, polish
from .prompts import LANGUAGE_NAMES, PLAN_SUMMARY_PROMPT, PLAN_SUMMARY_TURN

if TYPE_CHECKING:
    from .service import Assistant

MAX_CACHED = 512
MIN_WORDS = 8
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_MARKUP = re.compile(r"https?://|www\.|[<>#*`\[\]|]")


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _names_role(text: str, title: str) -> bool:
    """A role counts as named when one of its title's longer words is there ("Customer service / …")."""
    low = text.lower()
    return any(word in low for word in re.findall(r"\w{5,}", title.lower()))


def acceptable_summary(text: str, plan: TeamPlan) -> bool:
    """Whether a model's summary may replace the offline one: same language, same facts, no more words."""
    words = _words(text)
    if words < MIN_WORDS or words > max(60, _words(plan.summary)):
        return False
    if _MARKUP.search(text):
        return False
    if not set(_NUMBER.findall(text)) <= set(_NUMBER.findall(plan.summary)):
        return False  # a figure the plan does not give
    if detect_language(text, default=plan.lang) != plan.lang:
        return False
    return all(_names_role(text, str(role.get("title", ""))) for role in plan.now)


class SummaryPolisher:
    """One per app: rewords plan summaries through the assistant's model, under its circuit breaker."""

    def __init__(self, assistant: Assistant, timeout: float) -> None:
        self.assistant = assistant
        self.timeout = timeout
        self._cache: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def _cached(self, key: tuple[str, str]) -> str | None:
        with self._lock:
            text = self._cache.get(key)
            if text is not None:
                self._cache.move_to_end(key)
            return text

    def _keep(self, key: tuple[str, str], text: str) -> None:
        with self._lock:
            self._cache[key] = text
            while len(self._cache) > MAX_CACHED:
                self._cache.popitem(last=False)

    async def apolish(self, plan: TeamPlan) -> TeamPlan:
        if self.assistant.mode != "llm":
            return plan
        key = (plan.lang, plan.summary)
        text = self._cached(key)
        if text is None:
            from langchain_core.messages import HumanMessage, SystemMessage

            limit = max(60, _words(plan.summary))
            system = PLAN_SUMMARY_PROMPT.format(language=LANGUAGE_NAMES[plan.lang], max_words=limit)
            turn = PLAN_SUMMARY_TURN.format(summary=plan.summary)
            reply = await self.assistant.side_reply(
                [SystemMessage(content=system), HumanMessage(content=turn)], self.timeout
            )
            text = " ".join((reply or "").split())
            if not acceptable_summary(text, plan):
                return plan
            self._keep(key, text)
        return polish(plan, lambda _: {"summary": text})

    def polish(self, plan: TeamPlan) -> TeamPlan:
        """For sync callers (the Gradio tab, the routes' worker threads): runs on the shared event loop."""
        if self.assistant.mode != "llm":
            return plan
        return aio.run(self.apolish(plan))
