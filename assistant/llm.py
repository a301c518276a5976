"""The LLM plumbing: a chat model on any OpenAI-compatible server, called asynchronously, with deadlines.

A model server can be slow, silent, down or cut off mid-answer; every call here either completes in time or
raises LLMUnavailableError, and the service answers offline instead (compose.py). A stream counts as complete
only when the model says so (a `finish_reason`); when the deadline passes or the caller stops listening, the
request is cancelled and its connection closed, so nothing keeps waiting on the model. Nothing here decides
what to answer: the prompts are in prompts.py, the retrieved passages come in as numbered sources.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import weakref
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

import httpx

from .config import Settings
from .errors import LLMUnavailableError
from .retrieval import Hit

if TYPE_CHECKING:  # only named in annotations: importing it costs 0.5 s of start-up (langsmith)
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage  # imported where messages are made: 0.06 s with requests

CITE_RE = re.compile(r"\[(\d{1,2})\]")
_END = object()
REWRITE_MAX_TOKENS = 80  # a standalone question is one sentence; more is the model answering instead


class ModelRateLimitedError(LLMUnavailableError):
    """The server said 429; `retry_after` is its Retry-After in seconds, when it gave one."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Deadline:
    """One time budget for the model calls of a question: the rewrite and the answer's first token share it.

    Only time spent waiting on the model counts (`spend`), not the search between the calls, so a follow-up
    on a hung or rate-limited model takes at most one deadline in model time.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0

    def left(self) -> float:
        return max(0.0, self.seconds - self.spent)

    def spend(self, since: float) -> None:
        """Count the time from `since` (a `time.monotonic()` reading) to now against the budget."""
        self.spent += max(0.0, time.monotonic() - since)


class ModelClients:
    """The chat models, one set per event loop: an async HTTP connection belongs to the loop that opened it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[BaseChatModel, BaseChatModel]] = (
            weakref.WeakKeyDictionary()
        )

    def _models(self) -> tuple[BaseChatModel, BaseChatModel]:
        loop = asyncio.get_running_loop()
        models = self._by_loop.get(loop)
        if models is None:
            models = self._by_loop[loop] = self._make()
        return models

    def answer_model(self) -> BaseChatModel:
        """Streams; answers capped at `llm_max_answer_tokens`."""
        return self._models()[0]

    def rewrite_model(self) -> BaseChatModel:
        """One short non-streamed reply: the standalone question."""
        return self._models()[1]

    def _make(self) -> tuple[BaseChatModel, BaseChatModel]:
        from langchain_openai import ChatOpenAI

        s = self.settings
        timeout = httpx.Timeout(s.llm_read_timeout, connect=s.llm_connect_timeout)
        client = httpx.AsyncClient(timeout=timeout)  # not langchain-openai's process-wide one: see class docstring
        common: dict[str, Any] = dict(
            model=s.llm_model,
            api_key=s.openai_api_key or "not-needed",  # local servers accept any key
            base_url=s.openai_base_url,
            temperature=s.llm_temperature,
            timeout=timeout,
            max_retries=s.llm_max_retries,
            http_async_client=client,
        )
        answer = ChatOpenAI(**common, streaming=True, stream_usage=False, max_completion_tokens=s.llm_max_answer_tokens)
        rewrite = ChatOpenAI(**common, streaming=False, max_completion_tokens=REWRITE_MAX_TOKENS)
        return answer, rewrite


def format_sources(hits: list[Hit]) -> str:
    """The passages as the numbered sources the prompt cites: "[n] title — section" and the text."""
    blocks = []
    for n, hit in enumerate(hits, start=1):
        meta = hit.metadata
        blocks.append(f"[{n}] {meta.get('title', '')} — {meta.get('section', '')}\n{hit.text}")
    return "\n\n".join(blocks)


def history_messages(history: list[dict[str, str]], turns: int, token_budget: int) -> list[BaseMessage]:
    """The last `turns` exchanges, newest kept first, within a rough token budget (4 chars a token).

    `history` is the owner's conversation as conversation.owner_history leaves it: user and assistant turns only.
    """
    from langchain_core.messages import AIMessage, HumanMessage

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


def chat_messages(system: str, history: list[BaseMessage], user_turn: str) -> list[BaseMessage]:
    from langchain_core.messages import HumanMessage, SystemMessage

    return [SystemMessage(content=system), *history, HumanMessage(content=user_turn)]


def model_error(exc: BaseException) -> LLMUnavailableError:
    """Any failure of the client or the server as the one error the service handles (429s keep Retry-After)."""
    if isinstance(exc, LLMUnavailableError):
        return exc
    response = getattr(exc, "response", None)
    if getattr(response, "status_code", None) == 429 or getattr(exc, "status_code", None) == 429:
        retry_after = None
        try:
            retry_after = float(response.headers.get("retry-after"))  # type: ignore[union-attr]
        except (AttributeError, TypeError, ValueError):
            pass
        return ModelRateLimitedError("the AI model is rate limited", retry_after)
    return LLMUnavailableError(f"the AI model failed ({type(exc).__name__})")


class ModelStream:
    """A streamed answer: `async for piece in stream.pieces()`, then `finish_reason` says how it ended.

    Raises LLMUnavailableError when the first token (within `first_token_timeout`) or any later one (within
    `idle_timeout`) does not come, or when the stream fails. Leaving the loop early, a deadline or a cancelled
    caller closes the model's stream, which closes its HTTP connection.
    """

    def __init__(
        self, model: BaseChatModel, messages: list[BaseMessage], first_token_timeout: float, idle_timeout: float
    ) -> None:
        self.model = model
        self.messages = messages
        self.first_token_timeout = first_token_timeout
        self.idle_timeout = idle_timeout
        self.finish_reason: str | None = None

    async def pieces(self) -> AsyncGenerator[str, None]:
        # The model is read by a task of its own: cancelling it raises inside the innermost read, so every
        # layer (LangChain, openai, httpx) unwinds and the HTTP response is closed, whichever way we stop.
        chunks: asyncio.Queue[Any] = asyncio.Queue()

        async def pump() -> None:
            try:
                async for chunk in self.model.astream(self.messages):
                    chunks.put_nowait(chunk)
                chunks.put_nowait(_END)
            except Exception as exc:  # noqa: BLE001 - handed to the reader
                chunks.put_nowait(exc)

        task = asyncio.create_task(pump())
        timeout = self.first_token_timeout
        try:
            while True:
                try:
                    async with asyncio.timeout(timeout):
                        chunk = await chunks.get()
                except TimeoutError:
                    raise LLMUnavailableError("the AI model did not answer in time") from None
                if chunk is _END:
                    return
                if isinstance(chunk, BaseException):
                    raise model_error(chunk) from chunk
                # The key is absent (not None) on every chunk but the last of a complete answer.
                reason = chunk.response_metadata.get("finish_reason")
                if reason:
                    self.finish_reason = str(reason)
                text = chunk.content if isinstance(chunk.content, str) else ""
                if text:
                    timeout = self.idle_timeout
                    yield text
        finally:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


async def ainvoke_with_deadline(model: BaseChatModel, messages: list[BaseMessage], timeout: float) -> str:
    """One non-streamed reply within `timeout`, complete (finish_reason "stop") or LLMUnavailableError."""
    if timeout <= 0:
        raise LLMUnavailableError("no time left for the AI model")
    try:
        async with asyncio.timeout(timeout):
            message = await model.ainvoke(messages)
    except TimeoutError:
        raise LLMUnavailableError("the AI model did not answer in time") from None
    except Exception as exc:  # noqa: BLE001 - every client/server failure means "do without the model"
        raise model_error(exc) from exc
    if message.response_metadata.get("finish_reason") != "stop":
        raise LLMUnavailableError("the AI model's reply was incomplete")
    return message.content if isinstance(message.content, str) else ""


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
