"""The assistant as one object, for the CLI, the web app and the eval: it runs the question path in order.

clean the question → make a follow-up stand alone (conversation.py) → retrieve (retrieval.py) → decide
"in my guidance or not" before any model is called (scope.py) → answer with the LLM (llm.py) or offline
(compose.py), turning every model failure into the offline answer with a one-line notice. Channels render
the resulting `Answer` themselves (render.py).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .compose import compose_offline
from .config import Settings
from .conversation import condense_offline, standalone_question
from .embeddings import make_embeddings
from .errors import AssistantError, InvalidQuestionError, LLMUnavailableError
from .language import detect_language
from .llm import (
    answer_chain,
    cited_numbers,
    format_sources,
    history_messages,
    make_llm,
    stream_with_deadlines,
    strip_bad_citations,
)
from .prompts import LANGUAGE_NAMES
from .retrieval import HybridSearch, IndexReader, Retrieval
from .scope import decide, is_vague_request
from .store import IndexStore
from .texts import t

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
    """One per process: holds the embedding model, the index reader and the optional LLM; thread-safe."""

    def __init__(self, settings: Settings, store: IndexStore | None = None) -> None:
        self.settings = settings
        self.store = store or IndexStore(settings)
        self.embeddings = make_embeddings(settings)
        self.reader = IndexReader(settings, self.store, self.embeddings)
        self.search_engine = HybridSearch(settings, self.reader, self.embeddings)
        self._llm = make_llm(settings) if settings.llm_enabled else None

    @property
    def mode(self) -> str:
        return "llm" if self._llm is not None else "offline"

    def search(self, question: str, k: int | None = None, lang: str | None = None) -> Retrieval:
        """Retrieve, then decide: the passages for `question` and whether they answer it."""
        return decide(self.search_engine.search(question, k=k, lang=lang), self.settings.scope_bias)

    def _language(self, question: str, history: list[dict[str, str]], lang: str | None) -> str:
        if lang in LANGUAGE_NAMES:
            return lang
        try:
            vocabulary = self.reader.snapshot().languages
        except AssistantError:
            vocabulary = None  # no index yet: the search right after says so
        previous = [m["content"] for m in history if m.get("role") == "user" and m.get("content")]
        default = detect_language(previous[-1], vocabulary=vocabulary) if previous else "en"
        return detect_language(question, default=default, vocabulary=vocabulary)

    def _standalone(self, question: str, history: list[dict[str, str]]) -> str:
        if not history:
            return question
        return standalone_question(
            question,
            history,
            self.reader.snapshot().role_terms,
            self._llm,
            self.settings.history_turns,
            self.settings.llm_first_token_timeout,
        )

    def retrieve(
        self, question: str, history: list[dict[str, str]] | None = None, lang: str | None = None, k: int | None = None
    ) -> Retrieval:
        """What an answer to this question would be built from: the same steps as `stream`, without answering."""
        history = history or []
        return self._retrieve(question, history, self._language(question, history, lang), k)[1]

    def _retrieve(
        self, text: str, history: list[dict[str, str]], lang: str, k: int | None = None
    ) -> tuple[str, Retrieval]:
        text = _without_markup(text)
        standalone = self._standalone(text, history)
        if standalone == text and is_vague_request(text):
            standalone = t(lang, "overview_query")  # nothing to carry forward: show where to start
        retrieval = self.search(standalone, k=k, lang=lang)
        if not retrieval.relevant and history and standalone != text:
            # A model's rewrite can lose the topic; the rule-based one keeps the owner's own words.
            standalone = condense_offline(text, history, self.reader.snapshot().role_terms)
            retrieval = self.search(standalone, k=k, lang=lang)
        return standalone, retrieval

    def ask(self, question: object, history: list[dict[str, str]] | None = None, lang: str | None = None) -> Answer:
        final: Answer | None = None
        for event in self.stream(question, history, lang):
            if event.kind == "final":
                final = event.answer
        assert final is not None
        return final

    def stream(
        self, question: object, history: list[dict[str, str]] | None = None, lang: str | None = None
    ) -> Iterator[Event]:
        """The answer as events: text as it is written, maybe a reset, then the final `Answer`."""
        started = time.perf_counter()
        history = [m for m in (history or []) if isinstance(m, dict)][-self.settings.max_history_turns * 2 :]
        text = clean_question(question, self.settings.max_message_chars, lang or "en")
        lang = self._language(text, history, lang)
        standalone, retrieval = self._retrieve(text, history, lang)
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
            yield from _finish(declined, started, timings)
            return

        if self._llm is not None:
            streamed: list[str] = []
            try:
                inputs = {
                    "language_name": LANGUAGE_NAMES.get(lang, "English"),
                    "sources": format_sources(retrieval.hits),
                    "history": history_messages(
                        history, self.settings.history_turns, self.settings.history_token_budget
                    ),
                    "question": text if standalone == text else f"{text}\n(Standalone question: {standalone})",
                }
                for piece in stream_with_deadlines(
                    answer_chain(self._llm),
                    inputs,
                    self.settings.llm_first_token_timeout,
                    self.settings.llm_read_timeout,
                ):
                    streamed.append(piece)
                    yield Event("token", piece)
                full = "".join(streamed).strip()
                if not full:
                    raise LLMUnavailableError("the AI model returned an empty answer")
                full = strip_bad_citations(full, len(retrieval.hits))
                numbers = cited_numbers(full, len(retrieval.hits)) or list(range(1, len(retrieval.hits) + 1))
                answer = Answer(
                    **base,
                    answer=full,
                    sources=[_source(retrieval, n) for n in numbers],
                    mode="llm",
                    fallback=False,
                    declined=False,
                )
                yield from _finish(answer, started, timings, streamed=True)
                return
            except LLMUnavailableError:
                if streamed:
                    yield Event("reset")
                yield from _finish(self._offline(retrieval, base, fallback=True), started, timings)
                return

        yield from _finish(self._offline(retrieval, base, fallback=False), started, timings)

    def _offline(self, retrieval: Retrieval, base: dict[str, Any], fallback: bool) -> Answer:
        text, cited = compose_offline(
            retrieval.query_vector, retrieval.hits, retrieval.lang, self.embeddings.embed_many
        )
        notice = t(retrieval.lang, "llm_down") if fallback else ""
        sources = []
        for n, hit_index in enumerate(cited, start=1):
            src = _source(retrieval, hit_index + 1)
            src.n = n
            sources.append(src)
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
    answer.timings_ms = {**timings, "total": (time.perf_counter() - started) * 1000}
    if not streamed:
        yield Event("token", answer.answer)
    yield Event("final", answer=answer)


def _source(retrieval: Retrieval, n: int) -> Source:
    hit = retrieval.hits[n - 1]
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
