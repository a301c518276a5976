"""The team plan over HTTP (issue #14): JSON, a Markdown download and a printable page.

A thin layer over `TeamPlanner`: inputs arrive as a JSON body (POST) or query parameters (GET, so the chat
page can link to a download or a print view), problems come back as 400 `{"error": …}` naming the field,
and every route counts against the same per-client rate limit as the chat.
"""

from __future__ import annotations

import functools
import html
import json
import threading
import weakref
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..errors import AssistantError
from ..plan import PlanInputError, TeamPlan, TeamPlanner, to_markdown
from ..plan_polish import SummaryPolisher
from ..texts import t
from .lifecycle import AppState, app_state
from .responses import ApiError

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

router = APIRouter()
State = Annotated[AppState, Depends(app_state)]
FIELDS = ("people", "stage", "budget", "goals", "have", "lang")
LIST_FIELDS = ("goals", "have")
# Per app, and gone with it (an id() key could be reused by a later app in the same process).
_planners: weakref.WeakKeyDictionary[AppState, TeamPlanner] = weakref.WeakKeyDictionary()
_polishers: weakref.WeakKeyDictionary[AppState, SummaryPolisher] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def planner_for(state: AppState) -> TeamPlanner:
    """One planner per app (it caches the active version's facts), made on first use."""
    with _lock:
        if state not in _planners:
            _planners[state] = TeamPlanner(state.settings)
        return _planners[state]


def make_plan(state: AppState, inputs: dict[str, Any]) -> TeamPlan:
    """The plan, or an ApiError: 400 for input the plan cannot use, 503 when the index has no plan rules."""
    unknown = sorted(set(inputs) - set(FIELDS))
    if unknown:
        raise ApiError(400, f"{unknown[0]}: not a plan field (use {', '.join(FIELDS)})")
    for name in LIST_FIELDS:
        value = inputs.get(name)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ApiError(400, f'{name}: give a list of names, e.g. ["traffic", "conversion"]')
    for name in ("people", "budget", "stage", "lang"):
        if isinstance(inputs.get(name), dict | list | bool):
            raise ApiError(400, f"{name}: give a single value")
    try:
        plan = planner_for(state).plan(**inputs)
    except PlanInputError as exc:
        raise ApiError(400, str(exc)) from None
    except AssistantError as exc:
        raise ApiError(503, str(exc)) from None
    return _polisher_for(state).polish(plan) if state.assistant is not None else plan


def _polisher_for(state: AppState) -> SummaryPolisher:
    """In LLM mode the summary may come in the model's words (plan_polish.py); blocks the calling worker thread."""
    assert state.assistant is not None  # made once per app, never replaced
    with _lock:
        if state not in _polishers:
            _polishers[state] = SummaryPolisher(state.assistant, state.settings.llm_first_token_timeout)
        return _polishers[state]


def _limit(state: AppState, request: Request, lang: Any) -> None:
    wait = state.limiter.check("chat", state.limiter.client(request))  # plans share the chat allowance
    if wait:
        code = lang if lang in ("en", "nl") else "en"
        raise ApiError(429, t(code, "rate_limited", n=wait), headers={"Retry-After": str(wait)})


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, 'the request body must be a JSON object, e.g. {"people": 2, "stage": "starting"}')
    return data


def _query(request: Request) -> dict[str, Any]:
    """Query parameters as plan inputs: `goals` and `have` may repeat or be comma-separated."""
    params = request.query_params
    inputs: dict[str, Any] = {k: params.get(k) for k in params if k not in LIST_FIELDS}
    for name in LIST_FIELDS:
        if name in params:
            inputs[name] = params.getlist(name)
    return inputs


def plan_query(plan: TeamPlan) -> str:
    """The query string that makes this plan again (for the download and print links)."""
    inputs = {k: v for k, v in plan.inputs.items() if v not in (None, [], "")}
    return urlencode({**inputs, "lang": plan.lang}, doseq=True)


def _markdown_response(plan: TeamPlan) -> Response:
    name = "teamplan.md" if plan.lang == "nl" else "team-plan.md"
    return Response(
        to_markdown(plan),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/api/plan", tags=["plan"])
async def plan_json(request: Request, state: State) -> JSONResponse:
    """A team plan for the shop in the body: `{"people", "stage", "budget", "goals", "have", "lang"}`."""
    inputs = await _body(request)
    _limit(state, request, inputs.get("lang"))
    plan = await run_in_threadpool(make_plan, state, inputs)
    return JSONResponse(plan.as_dict())


@router.post("/api/plan/markdown", tags=["plan"])
async def plan_markdown_post(request: Request, state: State) -> Response:
    """The same plan as a Markdown download."""
    inputs = await _body(request)
    _limit(state, request, inputs.get("lang"))
    return _markdown_response(await run_in_threadpool(make_plan, state, inputs))


@router.get("/api/plan.md", tags=["plan"])
def plan_markdown_get(request: Request, state: State) -> Response:
    """The plan as a Markdown download, inputs as query parameters (`?people=2&goals=traffic&lang=nl`)."""
    inputs = _query(request)
    _limit(state, request, inputs.get("lang"))
    return _markdown_response(make_plan(state, inputs))


PRINT_CSS = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; max-width: 46rem;
       margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; } li { margin: .15rem 0; }
.noprint { margin-bottom: 1rem; }
@media print { .noprint { display: none; } body { margin: 0; max-width: none; font-size: 11pt; }
               h2 { break-after: avoid; } h3 { break-after: avoid; } li { break-inside: avoid; } }
"""


@functools.cache
def _markdown() -> MarkdownIt:
    """The print page's renderer; any HTML in the text is shown as text, never parsed. Made on first use:
    markdown-it's import (~0.025 s) is not needed before the first printed plan."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False})


@router.get("/plan/print", include_in_schema=False)
def plan_print(request: Request, state: State) -> HTMLResponse:
    """A clean page of the plan with print styles; the browser's print dialog makes a PDF."""
    inputs = _query(request)
    lang = "nl" if inputs.get("lang") == "nl" else "en"
    try:
        _limit(state, request, lang)
        plan = make_plan(state, inputs)
        body = _markdown().render(to_markdown(plan))
        status = 200
    except ApiError as exc:
        body, status = f"<h1>{html.escape(t(lang, 'plan_error'))}</h1><p>{html.escape(exc.message)}</p>", exc.status
    page = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(t(lang, 'plan_title'))}</title><style>{PRINT_CSS}</style></head><body>"
        f'<p class="noprint"><button onclick="window.print()">{html.escape(t(lang, "plan_print_button"))}</button></p>'
        f"{body}</body></html>"
    )
    return HTMLResponse(
        page,
        status_code=status,
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
            "X-Content-Type-Options": "nosniff",
        },
    )
