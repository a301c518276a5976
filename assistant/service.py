"""The assistant as one object, for the CLI, the web app and the eval: it runs the question path in order.

clean the question → make a follow-up stand alone (conversation.py) → retrieve (retrieval.py) → decide
"in my guidance or not" before any model is called (scope.py) → answer with the LLM (llm.py) or offline
(compose.py), turning every model failure into the offline answer with a one-line notice. Channels render
the resulting `Answer` themselves (render.py).
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncGenerator, Iterator
from contextlib import aclosing
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from . import aio
from .breaker import CircuitBreaker
from .compose import compose_offline
from .config import Settings
from .conversation import condense_offline, owner_history, standalone_question
from .embeddings import make_embeddings
from .errors import AssistantError, InvalidQuestionError, LLMUnavailableError
from .language import detect_language
from .lists import document_sections
from .llm import (
    Deadline,
    ModelClients,
    ModelRateLimitedError,
    ModelStream,
    ainvoke_with_deadline,
    chat_messages,
    cited_numbers,
    format_sources,
    history_messages,
    strip_bad_citations,
)
from .plan_intent import plan_pointer
from .prompts import LANGUAGE_NAMES, SYSTEM_PROMPT, USER_TURN
from .retrieval import Hit, HybridSearch, IndexReader, Retrieval
from .scope import decide, is_vague_request
from .store import IndexStore
from .texts import t

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Source:
    n: int
    source: str
    title: str
    section: str
    text: str
    lang: str
    score: float


@dataclass
class Answer:
    id: str
    question: str
    answer: str
    sources: list[Source]
    mode: str  # "llm" or "offline"
    fallback: bool
    declined: bool
    lang: str
    notice: str = ""
    standalone_question: str = ""
    version: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    # What the answer was built from, for callers in this process (the eval); never serialised.
    retrieval: Retrieval | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(replace(self, retrieval=None))
        del data["retrieval"]
        return data


@dataclass
class Event:
    kind: str  # "token", "reset" (discard the streamed text so far) or "final"
    text: str = ""
    answer: Answer | None = None


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
    if not re.search(r"\w", _without_markup(text)):
        raise InvalidQuestionError(t(lang, "not_text"))  # nothing but symbols, or only HTML tags
    return text


def _without_markup(text: str) -> str:
    """Search with the words, not pasted HTML: "<img onerror=…> KPIs for customer service?" asks about KPIs.

    The question itself is kept as typed (and rendered as inert text); only the search ignores the tags.
    """
    stripped = re.sub(r"<script\b.*?(</script\s*>|$)|</?[a-zA-Z][^>]{0,500}>", " ", text, flags=re.I | re.S)
    return re.sub(r"\s+", " ", stripped).strip()


class Assistant:
    """One per process: holds the embedding model, the index reader and the optional LLM; thread-safe.

    The question path is asynchronous (`astream`), so a web worker waits on the model without a thread per
    question; `stream` and `ask` drive it for sync callers (aio.py).
    """

    def __init__(self, settings: Settings, store: IndexStore | None = None) -> None:
        self.settings = settings
        self.store = store or IndexStore(settings)
        self.embeddings = make_embeddings(settings)
        self.reader = IndexReader(settings, self.store, self.embeddings)
        self.search_engine = HybridSearch(settings, self.reader, self.embeddings)
        self._models = ModelClients(settings) if settings.llm_enabled else None
        self.breaker = CircuitBreaker(settings.llm_breaker_failures, settings.llm_breaker_cooldown)

    @property
    def mode(self) -> str:
        return "llm" if self._models is not None else "offline"

    def llm_status(self) -> dict[str, Any]:
        """For /healthz: the mode and, in LLM mode, the breaker's state; never asks the model."""
        return {"mode": self.mode, **(self.breaker.state() if self._models is not None else {})}

    async def side_reply(self, messages: list[BaseMessage], timeout: float) -> str | None:
        """One whole model reply for a side task (the plan's summary), under the same breaker as answers.

        None offline, while the breaker is open, or on any model failure: the caller keeps its offline text.
        """
        if self._models is None or not self.breaker.allow():
            return None
        try:
            text = await ainvoke_with_deadline(self._models.answer_model(), messages, timeout)
        except LLMUnavailableError as exc:
            self._failed(exc)
            return None
        self.breaker.success()
        return text

    def search(self, question: str, k: int | None = None, lang: str | None = None) -> Retrieval:
        """Retrieve, then decide: the passages for `question` and whether they answer it."""
        return decide(self.search_engine.search(question, k=k, lang=lang), self.settings.scope_bias)

    def _language(self, question: str, history: list[dict[str, str]], lang: str | None) -> str:
        if lang in LANGUAGE_NAMES:
            return lang
        try:
            vocabulary = self.reader.snapshot(recheck=False).languages  # the search reads the pointer
        except AssistantError:
            vocabulary = None  # no index yet: the search right after says so
        previous = [m["content"] for m in history if m.get("role") == "user" and m.get("content")]
        default = detect_language(previous[-1], vocabulary=vocabulary) if previous else "en"
        return detect_language(question, default=default, vocabulary=vocabulary)

    def _failed(self, exc: LLMUnavailableError) -> None:
        self.breaker.failure(exc.retry_after if isinstance(exc, ModelRateLimitedError) else None)

    async def _standalone(self, text: str, history: list[dict[str, str]], lang: str, deadline: Deadline) -> str:
        """The follow-up rewrite gets at most half of what is left, so the answer still has time after it."""
        if not history:
            return text
        role_terms = self.reader.snapshot().role_terms
        model = self._models.rewrite_model() if self._models is not None and self.breaker.allow() else None
        timeout = min(self.settings.llm_rewrite_timeout, deadline.left() / 2)
        asked = time.monotonic()
        standalone, failure = await standalone_question(
            text, history, role_terms, lang, model, self.settings.history_turns, timeout
        )
        deadline.spend(asked)
        if failure is not None:
            self._failed(failure)
        return standalone

    def retrieve(
        self, question: str, history: list[dict[str, str]] | None = None, lang: str | None = None, k: int | None = None
    ) -> Retrieval:
        """What an answer to this question would be built from: the same steps as `stream`, without answering."""
        history = owner_history(history or [], self.settings.max_history_turns * 2)
        deadline = Deadline(self.settings.llm_first_token_timeout)
        return aio.run(self._retrieve(question, history, self._language(question, history, lang), deadline, k))[1]

    async def _retrieve(
        self, text: str, history: list[dict[str, str]], lang: str, deadline: Deadline, k: int | None = None
    ) -> tuple[str, Retrieval]:
        text = _without_markup(text)
        standalone = await self._standalone(text, history, lang, deadline)
        return await asyncio.to_thread(self._search_standalone, text, standalone, history, lang, k)

    def _search_standalone(
        self, text: str, standalone: str, history: list[dict[str, str]], lang: str, k: int | None
    ) -> tuple[str, Retrieval]:
        if standalone == text and is_vague_request(text):
            standalone = t(lang, "overview_query")  # nothing to carry forward: show where to start
        retrieval = self.search(standalone, k=k, lang=lang)
        if not retrieval.relevant and history and standalone != text:
            # A model's rewrite can lose the topic; the rule-based one keeps the owner's own words.
            standalone = condense_offline(text, history, self.reader.snapshot().role_terms)
            retrieval = self.search(standalone, k=k, lang=lang)
        return standalone, retrieval

    def ask(self, question: object, history: list[dict[str, str]] | None = None, lang: str | None = None) -> Answer:
        return aio.run(self.aask(question, history, lang))

    async def aask(self, question: object, history: list[Any] | None = None, lang: str | None = None) -> Answer:
        final: Answer | None = None
        async with aclosing(self.astream(question, history, lang)) as events:
            async for event in events:
                if event.kind == "final":
                    final = event.answer
        assert final is not None
        return final

    def stream(self, question: object, history: list[Any] | None = None, lang: str | None = None) -> Iterator[Event]:
        """`astream` for sync callers."""
        return aio.iterate(self.astream(question, history, lang))

    async def astream(
        self, question: object, history: list[Any] | None = None, lang: str | None = None
    ) -> AsyncGenerator[Event, None]:
        """The answer as events: text as it is written, maybe a reset, then the final `Answer`.

        One deadline (`llm_first_token_timeout`) covers the follow-up rewrite and the answer's first token.
        """
        started = time.perf_counter()
        deadline = Deadline(self.settings.llm_first_token_timeout)
        history = owner_history(history or [], self.settings.max_history_turns * 2)
        text = clean_question(question, self.settings.max_message_chars, lang or "en")
        lang = await asyncio.to_thread(self._language, text, history, lang)
        standalone, retrieval = await self._retrieve(text, history, lang, deadline)
        timings = {"retrieval": (time.perf_counter() - started) * 1000}
        base: dict[str, Any] = dict(
            id=uuid.uuid4().hex,
            question=text,
            lang=lang,
            standalone_question=standalone,
            version=retrieval.version,
            retrieval=retrieval,
        )
        if not retrieval.relevant or not retrieval.hits:
            declined = Answer(
                **base, answer=t(lang, "decline"), sources=[], mode=self.mode, fallback=False, declined=True
            )
            for event in _finish(declined, started, timings):
                yield event
            return
        if self._models is not None:
            async with aclosing(self._llm_answer(standalone, history, retrieval, base, deadline)) as events:
                async for event in events:
                    if event.answer is not None:
                        for done in _finish(event.answer, started, timings, streamed=event.kind == "final"):
                            yield done
                    else:
                        yield event
            return
        offline = await asyncio.to_thread(self._offline, retrieval, base, False)
        for event in _finish(offline, started, timings):
            yield event

    async def _llm_answer(
        self,
        question: str,
        history: list[dict[str, str]],
        retrieval: Retrieval,
        base: dict[str, Any],
        deadline: Deadline,
    ) -> AsyncGenerator[Event, None]:
        """Tokens, then the answer as a "final" event, or (after a "reset" if text went out) the offline answer
        as an "offline" event: the model failed, was cut off, ran out of time or is known to be failing."""
        lang = base["lang"]
        streamed: list[str] = []
        if not self.breaker.allow():  # known to be failing: the offline answer at once
            yield Event("offline", answer=await asyncio.to_thread(self._offline, retrieval, base, True))
            return
        try:
            if deadline.left() <= 0:
                raise LLMUnavailableError("no time left for the AI model")
            user_turn = USER_TURN.format(sources=format_sources(retrieval.hits), question=question)
            messages = chat_messages(
                SYSTEM_PROMPT.format(language_name=LANGUAGE_NAMES.get(lang, "English")),
                history_messages(history, self.settings.history_turns, self.settings.history_token_budget),
                user_turn,
            )
            stream = ModelStream(
                self._models.answer_model(),  # type: ignore[union-attr]  # only called in LLM mode
                messages,
                deadline.left(),
                self.settings.llm_read_timeout,
            )
            async with aclosing(stream.pieces()) as pieces:
                async for piece in pieces:
                    streamed.append(piece)
                    yield Event("token", piece)
            if stream.finish_reason not in ("stop", "length"):
                raise LLMUnavailableError("the AI model stopped before finishing its answer")
            full = strip_bad_citations("".join(streamed).strip(), len(retrieval.hits))
            if not full:
                raise LLMUnavailableError("the AI model returned an empty answer")
        except LLMUnavailableError as exc:
            self._failed(exc)
            if streamed:
                yield Event("reset")
            yield Event("offline", answer=await asyncio.to_thread(self._offline, retrieval, base, True))
            return
        self.breaker.success()
        notice = ""
        if stream.finish_reason == "length":  # keep what was written, and say it stops short
            notice = t(lang, "cut_off")
            yield Event("token", f"\n\n_{notice}_")
            full = f"{full}\n\n_{notice}_"
        numbers = cited_numbers(full, len(retrieval.hits)) or list(range(1, len(retrieval.hits) + 1))
        sources = [_source(retrieval, n) for n in numbers]
        answer = Answer(**base, answer=full, sources=sources, mode="llm", fallback=False, declined=False, notice=notice)
        yield Event("final", answer=answer)

    def _offline(self, retrieval: Retrieval, base: dict[str, Any], fallback: bool) -> Answer:
        snap = self.reader.snapshot(recheck=False)  # the version the search just used
        siblings = document_sections(snap.ids, snap.texts, snap.metadatas, retrieval.hits, retrieval.question)
        text, cited = compose_offline(
            retrieval.query_vector,
            retrieval.hits,
            retrieval.lang,
            self.reader.unit_vectors,
            retrieval.question,
            siblings=siblings,
            role_terms=snap.role_terms,
        )
        notice = t(retrieval.lang, "llm_down") if fallback else ""
        pool = retrieval.hits + siblings
        sources = [_source_of(pool[i], n) for n, i in enumerate(cited, start=1)]
        return Answer(
            **base,
            answer=f"_{notice}_\n\n{text}" if notice else text,
            sources=sources,
            mode="offline",
            fallback=fallback,
            declined=False,
            notice=notice,
        )


def _finish(answer: Answer, started: float, timings: dict[str, float], streamed: bool = False) -> Iterator[Event]:
    """Every answer ends the same way: timed, its text as one token unless it was streamed, then final."""
    pointer = plan_pointer(answer.question, answer.lang)  # "make me a plan": point to the builder too
    answer.answer = f"{answer.answer}\n\n{pointer}" if pointer else answer.answer
    answer.timings_ms = {**timings, "total": (time.perf_counter() - started) * 1000}
    if not streamed:
        yield Event("token", answer.answer)
    elif pointer:
        yield Event("token", f"\n\n{pointer}")
    yield Event("final", answer=answer)


def _source(retrieval: Retrieval, n: int) -> Source:
    return _source_of(retrieval.hits[n - 1], n)


def _source_of(hit: Hit, n: int) -> Source:
    meta = hit.metadata
    return Source(
        n=n,
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        section=str(meta.get("section", "")),
        text=hit.text,
        lang=hit.lang,
        score=round(hit.score, 4),
    )
