"""Turn retrieved guidance into an answer: offline (composed from the passages) or with an LLM.

The offline answer picks the passages' sentences that are closest to the question and keeps lists whole,
so an owner gets a short, readable, cited answer without any model server. The LLM answer streams from
any OpenAI-compatible server and falls back to the offline answer when that server fails in any way.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import numpy as np
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables import Runnable

from .config import Settings
from .errors import LLMUnavailableError
from .prompts import CONDENSE_PROMPT, LANGUAGE_NAMES, SYSTEM_PROMPT, t
from .retrieval import Hit

PRIMARY_WHOLE_WORDS = 260  # a section this short is shown whole: it was written to be read as one
RUNNER_UP_MARGIN = 0.05  # a second passage scored within this of the first gets more room in the answer
RUNNER_UP_WORDS = 120
RUNNER_UP_WHOLE_WORDS = 170
ANSWER_WORDS = 330
CITE_RE = re.compile(r"\[(\d{1,2})\]")


@dataclass
class Unit:
    text: str
    hit: int  # index into hits
    order: int
    is_item: bool
    lead: int | None  # the sentence that introduces a list, kept with its items


def _units(text: str, hit: int) -> list[Unit]:
    out: list[Unit] = []
    lead: int | None = None
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        for line in lines:
            if re.match(r"^([-*•]|\d+[.)])\s+", line):
                out.append(Unit(line, hit, len(out), True, lead))
                continue
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])", line):
                if sentence.strip():
                    out.append(Unit(sentence.strip(), hit, len(out), False, None))
            lead = len(out) - 1 if line.endswith(":") else None
    return out


def _words(text: str) -> int:
    return len(text.split())


def _join(units: list[Unit], n: int) -> str:
    """Sentences of one source as prose, list items as a list, with the source's citation."""
    parts: list[str] = []
    prose: list[str] = []
    for unit in units:
        if unit.is_item:
            if prose:
                parts.append(" ".join(prose))
                prose = []
            item = re.sub(r"^([-*•]|\d+[.)])\s+", "", unit.text)
            parts.append(f"- {item}")
        else:
            prose.append(unit.text)
    if prose:
        parts.append(" ".join(prose))
    text = "\n".join(parts)
    return f"{text} [{n}]" if not text.endswith("\n") else f"{text}[{n}]"


def compose_offline(question_vec: np.ndarray | None, hits: list[Hit], lang: str, embed_many) -> tuple[str, list[int]]:
    """A short answer from the best passages. Returns the text and the hit indexes it cites."""
    if not hits:
        return t(lang, "decline"), []
    all_units = [u for i, h in enumerate(hits[:3]) for u in _units(h.text, i)]
    if question_vec is not None and all_units:
        vectors = embed_many([u.text for u in all_units])
        sims = vectors @ question_vec
    else:
        vectors = np.zeros((len(all_units), 1))
        sims = np.zeros(len(all_units))
    index_of = {id(u): i for i, u in enumerate(all_units)}
    by_hit: dict[int, list[tuple[Unit, float]]] = {}
    for unit, sim in zip(all_units, sims, strict=True):
        by_hit.setdefault(unit.hit, []).append((unit, float(sim)))

    sections: list[tuple[int, list[Unit]]] = []
    budget = ANSWER_WORDS
    primary = by_hit.get(0, [])
    if _words(hits[0].text) <= PRIMARY_WHOLE_WORDS:
        chosen = [u for u, _ in primary]
    else:
        chosen = _pick(primary, budget=150)
    sections.append((0, chosen))
    budget -= sum(_words(u.text) for u in chosen)
    best_primary = max((s for _, s in primary), default=0.0)

    for i in (1, 2):
        if i not in by_hit or budget < 25:
            continue
        if hits[i].metadata.get("section") == hits[0].metadata.get("section") and hits[i].metadata.get(
            "doc_id"
        ) == hits[0].metadata.get("doc_id"):
            continue
        shown = [index_of[id(u)] for _, units in sections for u in units]
        close = i == 1 and hits[1].score >= hits[0].score - RUNNER_UP_MARGIN
        candidates = [
            (u, s)
            for u, s in by_hit[i]
            if (close or s >= best_primary - 0.12)
            and not u.text.endswith(":")
            and not _repeats(vectors[index_of[id(u)]], vectors[shown])
        ]
        whole = [u for u, _ in by_hit[i]]
        if close and sum(_words(u.text) for u in whole) <= min(budget, RUNNER_UP_WHOLE_WORDS):
            picked = whole  # a close second that is short is shown whole, like the first: lists stay complete
        elif close:
            picked = _pick(candidates, budget=min(budget, RUNNER_UP_WORDS), max_units=6)
        else:
            picked = _pick(candidates, budget=min(budget, 60), max_units=2)
        if picked:
            sections.append((i, picked))
            budget -= sum(_words(u.text) for u in picked)

    cited = [i for i, _ in sections]
    numbers = {hit: n + 1 for n, hit in enumerate(cited)}
    title = hits[0].metadata.get("section") or hits[0].metadata.get("title", "")
    body = [f"**{title}**", _join(sections[0][1], numbers[0])]
    if len(sections) > 1:
        body.append(t(lang, "also"))
        for i, units in sections[1:]:
            body.append(_join(units, numbers[i]))
    return "\n\n".join(body), cited


def _repeats(vector: np.ndarray, shown: np.ndarray, limit: float = 0.8) -> bool:
    """A sentence that says what the answer already says adds length, not advice."""
    return bool(shown.size) and float((shown @ vector).max()) >= limit


def _pick(scored: list[tuple[Unit, float]], budget: int, max_units: int = 8) -> list[Unit]:
    """Best units by similarity within a word budget, shown in their original order.

    A list item brings its introducing sentence along, so a list never appears without context.
    """
    chosen: dict[int, Unit] = {}
    units = {u.order: u for u, _ in scored}
    used = 0
    for unit, _ in sorted(scored, key=lambda p: -p[1]):
        if len(chosen) >= max_units:
            break
        extra = [unit]
        if unit.is_item and unit.lead is not None and unit.lead in units and unit.lead not in chosen:
            extra.insert(0, units[unit.lead])
        cost = sum(_words(u.text) for u in extra if u.order not in chosen)
        if used + cost > budget and chosen:
            continue
        for u in extra:
            chosen[u.order] = u
        used += cost
    return [chosen[k] for k in sorted(chosen)]


# -- LLM mode ---------------------------------------------------------------------------------------------


def make_llm(settings: Settings, streaming: bool = True):
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model,
        api_key=settings.openai_api_key or "not-needed",  # local servers accept any key
        base_url=settings.openai_base_url,
        temperature=settings.llm_temperature,
        timeout=httpx.Timeout(settings.llm_read_timeout, connect=settings.llm_connect_timeout),
        max_retries=settings.llm_max_retries,
        streaming=streaming,
        stream_usage=False,  # token counts are not used; skipping them saves work on every chunk
    )


def format_sources(hits: list[Hit]) -> str:
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


def answer_chain(llm) -> Runnable:
    prompt = ChatPromptTemplate.from_messages(
        [("system", SYSTEM_PROMPT), MessagesPlaceholder("history"), ("human", "{question}")]
    )
    return prompt | llm | StrOutputParser()


def condense_chain(llm) -> Runnable:
    prompt = ChatPromptTemplate.from_messages(
        [("system", CONDENSE_PROMPT), MessagesPlaceholder("history"), ("human", "{question}")]
    )
    return prompt | llm | StrOutputParser()


def stream_with_deadlines(
    runnable: Runnable, inputs: dict, first_token_timeout: float, idle_timeout: float
) -> Iterator[str]:
    """Stream a runnable from a worker thread so a silent or stalled server can't hang the caller.

    Raises LLMUnavailableError when the first token or any later one does not come in time, or when the
    stream fails. The worker is a daemon thread; the HTTP client's own read timeout ends it.
    """
    q: queue.Queue = queue.Queue()
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
        yield item


def invoke_with_deadline(runnable: Runnable, inputs: dict, timeout: float) -> str:
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
    return CITE_RE.sub(lambda m: m.group(0) if 1 <= int(m.group(1)) <= available else "", text)


def system_prompt_for(hits: list[Hit], lang: str) -> str:
    return SYSTEM_PROMPT.format(language_name=LANGUAGE_NAMES.get(lang, "English"), sources=format_sources(hits))


def as_messages(system: str, history: list[BaseMessage], question: str) -> list[BaseMessage]:
    return [SystemMessage(content=system), *history, HumanMessage(content=question)]
