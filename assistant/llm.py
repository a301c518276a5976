"""The LLM plumbing: a chat model on any OpenAI-compatible server, its LCEL chains, and deadlines around them.

A model server can be slow, silent or down; every call here either streams in time or raises
LLMUnavailableError, and the service answers offline instead (compose.py). Nothing here decides what to
answer: the prompts are in prompts.py, the retrieved passages come in as numbered sources.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator
from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables import Runnable

from .config import Settings
from .errors import LLMUnavailableError
from .prompts import SYSTEM_PROMPT
from .retrieval import Hit

CITE_RE = re.compile(r"\[(\d{1,2})\]")


def make_llm(settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model,
        api_key=settings.openai_api_key or "not-needed",  # type: ignore[arg-type]  # local servers accept any key
        base_url=settings.openai_base_url,
        temperature=settings.llm_temperature,
        timeout=httpx.Timeout(settings.llm_read_timeout, connect=settings.llm_connect_timeout),
        max_retries=settings.llm_max_retries,
        streaming=True,
        stream_usage=False,  # token counts are not used; skipping them saves work on every chunk
    )


def format_sources(hits: list[Hit]) -> str:
    """The passages as the numbered sources the system prompt cites: "[n] title — section" and the text."""
    blocks = []
    for n, hit in enumerate(hits, start=1):
        meta = hit.metadata
        blocks.append(f"[{n}] {meta.get('title', '')} — {meta.get('section', '')}\n{hit.text}")
    return "\n\n".join(blocks)


def history_messages(history: list[dict[str, str]], turns: int, token_budget: int) -> list[BaseMessage]:
    """The last `turns` exchanges, newest kept first, within a rough token budget (4 chars a token)."""
    kept: list[BaseMessage] = []
    budget = token_budget * 4
    for message in reversed(history[-turns * 2 :]):
        content = str(message.get("content") or "")
        if not content:
            continue
        if len(content) > budget:
            break
        budget -= len(content)
        cls = HumanMessage if message.get("role") == "user" else AIMessage
        kept.append(cls(content=content))
    return list(reversed(kept))


def chat_chain(llm: BaseChatModel, system_prompt: str) -> Runnable[dict[str, Any], str]:
    """system prompt → conversation so far → the owner's message, as plain text out."""
    prompt = ChatPromptTemplate.from_messages(
        [("system", system_prompt), MessagesPlaceholder("history"), ("human", "{question}")]
    )
    return prompt | llm | StrOutputParser()


def answer_chain(llm: BaseChatModel) -> Runnable[dict[str, Any], str]:
    """Inputs: language_name, sources (format_sources), history (history_messages), question."""
    return chat_chain(llm, SYSTEM_PROMPT)


def stream_with_deadlines(
    runnable: Runnable[dict[str, Any], str], inputs: dict[str, Any], first_token_timeout: float, idle_timeout: float
) -> Iterator[str]:
    """Stream a runnable from a worker thread so a silent or stalled server can't hang the caller.

    Raises LLMUnavailableError when the first token or any later one does not come in time, or when the
    stream fails. The worker is a daemon thread; the HTTP client's own read timeout ends it.
    """
    q: queue.Queue[object] = queue.Queue()
    done = object()

    def work() -> None:
        try:
            for piece in runnable.stream(inputs):
                q.put(piece)
            q.put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            q.put(exc)

    threading.Thread(target=work, daemon=True, name="llm-stream").start()
    timeout = first_token_timeout
    while True:
        try:
            item = q.get(timeout=timeout)
        except queue.Empty:
            raise LLMUnavailableError("the AI model did not answer in time") from None
        if item is done:
            return
        if isinstance(item, BaseException):
            raise LLMUnavailableError(f"the AI model failed ({type(item).__name__})") from item
        timeout = idle_timeout
        yield str(item)


def invoke_with_deadline(runnable: Runnable[dict[str, Any], str], inputs: dict[str, Any], timeout: float) -> str:
    return "".join(stream_with_deadlines(runnable, inputs, timeout, timeout))


def cited_numbers(text: str, available: int) -> list[int]:
    """The [n] marks in an answer that point at real sources, in order of first use."""
    seen: list[int] = []
    for m in CITE_RE.finditer(text):
        n = int(m.group(1))
        if 1 <= n <= available and n not in seen:
            seen.append(n)
    return seen


def strip_bad_citations(text: str, available: int) -> str:
    """Drop [n] marks that point at no source: a model sometimes cites a number it was not given."""
    return CITE_RE.sub(lambda m: m.group(0) if 1 <= int(m.group(1)) <= available else "", text)
