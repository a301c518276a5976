"""Sync callers (CLI, eval, benchmarks, the Gradio API) on the async question path, without a thread per call.

One event loop runs in one background thread for the whole process; a sync caller hands it an async generator
and reads the items as they come. Stopping early closes the async generator on that loop, so a model request
it holds is cancelled there.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, daemon=True, name="assistant-async").start()
            _loop = loop
        return _loop


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on the background loop and wait for its result."""
    return asyncio.run_coroutine_threadsafe(coro, _background_loop()).result()


_END = object()


async def _next(agen: AsyncIterator[T]) -> T | object:
    try:
        return await anext(agen)
    except StopAsyncIteration:
        return _END


def iterate(agen: AsyncIterator[T]) -> Iterator[T]:
    """An async generator as a plain iterator; closing the iterator closes the generator."""
    loop = _background_loop()
    try:
        while True:
            item = asyncio.run_coroutine_threadsafe(_next(agen), loop).result()
            if item is _END:
                return
            yield item  # type: ignore[misc]
    finally:
        aclose = getattr(agen, "aclose", None)
        if aclose is not None:
            asyncio.run_coroutine_threadsafe(aclose(), loop).result()
