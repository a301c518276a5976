"""The REST API: health, chat (whole answer or Server-Sent Events) and feedback on an answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from ..errors import AssistantError, InvalidQuestionError
from ..render import answer_payload
from ..service import Event
from ..texts import t
from .lifecycle import AppState, app_state
from .responses import ApiError

router = APIRouter()
State = Annotated[AppState, Depends(app_state)]


class ChatMessageIn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20000)


class ChatRequest(BaseModel):
    message: str
    history: list[ChatMessageIn] = Field(default_factory=list)
    lang: Literal["en", "nl"] | None = None


class FeedbackRequest(BaseModel):
    answer_id: str = Field(min_length=1, max_length=64)
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=2000)


@router.get("/healthz", tags=["health"])
def healthz(state: State) -> JSONResponse:
    status, body = state.health()
    return JSONResponse(body, status_code=status)


def _check(state: AppState, req: ChatRequest, request: Request) -> None:
    settings = state.settings
    wait = state.limiter.check("chat", state.limiter.client(request))
    if wait:
        raise ApiError(429, t(req.lang or "en", "rate_limited", n=wait), headers={"Retry-After": str(wait)})
    if len(req.history) > settings.max_history_turns * 2:
        raise ApiError(413, f"history is too long: at most {settings.max_history_turns * 2} messages")
    if len(req.message) > settings.max_message_chars:
        raise ApiError(413, f"message is too long: at most {settings.max_message_chars} characters")
    if state.assistant is None:
        raise ApiError(503, t(req.lang or "en", "index_missing"))


async def _start(state: AppState, req: ChatRequest, request: Request) -> AsyncGenerator[Event, None]:
    """Validate and start answering; input problems come back as a JSON error before any output."""
    _check(state, req, request)
    try:
        events = state.aanswer(req.message, [m.model_dump() for m in req.history], req.lang, channel="api")
        first = await anext(events)
    except InvalidQuestionError as exc:
        raise ApiError(400, str(exc)) from None
    except AssistantError as exc:
        raise ApiError(503, str(exc)) from None
    return _chain(first, events)


async def _chain(first: Event, rest: AsyncGenerator[Event, None]) -> AsyncGenerator[Event, None]:
    """The first event, then the rest; closing this closes the answer (and its model request) too."""
    try:
        yield first
        async for event in rest:
            yield event
    finally:
        await rest.aclose()


@router.post("/api/chat", tags=["chat"])
async def chat(req: ChatRequest, request: Request, state: State) -> Response:
    """Answer one message (with optional history); the whole answer at once.

    Nothing streams here, so the server would not notice a client that gave up: a watcher does, and the answer
    (with its model request) is cancelled instead of running on for nobody.
    """
    events = await _start(state, req, request)

    async def collect() -> dict:
        answer = None
        async with aclosing(events):
            async for event in events:
                if event.kind == "final" and event.answer is not None:
                    answer = event.answer
        assert answer is not None
        return answer_payload(answer)

    work = asyncio.ensure_future(collect())
    watch = asyncio.ensure_future(_until_disconnected(request))
    try:
        await asyncio.wait({work, watch}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watch.cancel()
    if not work.done():
        work.cancel()
        await asyncio.gather(work, return_exceptions=True)
        return Response(status_code=499)  # nginx's "client closed request": nobody is there to read it
    return JSONResponse(work.result())


async def _until_disconnected(request: Request, every: float = 0.25) -> None:
    while not await request.is_disconnected():
        await asyncio.sleep(every)


@router.post("/api/chat/stream", tags=["chat"])
async def chat_stream(req: ChatRequest, request: Request, state: State) -> StreamingResponse:
    """Server-Sent Events: `token` events with text, maybe a `reset`, then one `final` event.

    When the owner goes away the response is cancelled, and with it the model request.
    """
    events = await _start(state, req, request)

    async def sse() -> AsyncGenerator[str, None]:
        async with aclosing(events):
            async for event in events:
                if event.kind == "final" and event.answer is not None:
                    yield f"event: final\ndata: {json.dumps(answer_payload(event.answer), ensure_ascii=False)}\n\n"
                elif event.kind == "reset":
                    yield "event: reset\ndata: {}\n\n"
                else:
                    yield f"event: token\ndata: {json.dumps({'text': event.text}, ensure_ascii=False)}\n\n"

    return StreamingResponse(sse(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@router.post("/api/feedback", tags=["feedback"])
def feedback(req: FeedbackRequest, request: Request, state: State) -> JSONResponse:
    """Rate an answer; a client's new rating of the same answer replaces its old one."""
    if not state.feedback.enabled:
        raise ApiError(404, "feedback is turned off on this server")
    client = state.limiter.client(request)
    wait = state.limiter.check("feedback", client)
    if wait:
        raise ApiError(429, f"too many ratings: try again in {wait} s", headers={"Retry-After": str(wait)})
    stored = state.feedback.rate(req.answer_id, req.rating, req.comment, client=client)
    if stored is None:
        raise ApiError(503, "the rating could not be saved right now; please try again later")
    if not stored:
        raise ApiError(404, "unknown answer id")
    return JSONResponse({"ok": True})
