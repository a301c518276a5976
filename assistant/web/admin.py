"""Re-ingest and status for maintainers, behind a bearer token; off (404) when no token is configured."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..errors import AssistantError
from .lifecycle import AppState, app_state
from .responses import ApiError

State = Annotated[AppState, Depends(app_state)]


def admin_auth(request: Request, state: State) -> None:
    """Every admin route depends on this: no token configured → 404, wrong or missing token → 401."""
    token = state.settings.admin_token.get_secret_value() if state.settings.admin_token else ""
    if not token:
        raise ApiError(404, "admin endpoints are off (set ASSISTANT_ADMIN_TOKEN to turn them on)")
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise ApiError(401, "missing or wrong admin token", headers={"WWW-Authenticate": "Bearer"})


router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(admin_auth)])


@router.post("/reingest")
def reingest(state: State, rebuild: bool = False) -> JSONResponse:
    """Start a re-ingest of the knowledge base in the background; the chat keeps answering."""
    if not state.reingest.start(rebuild=rebuild):
        raise ApiError(409, "a re-ingest is already running")
    return JSONResponse({"started": True}, status_code=202)


@router.get("/status")
def status(state: State) -> JSONResponse:
    """The active index version, when it was built, its size, and the last ingest's outcome."""
    from ..store import IndexStore

    body: dict[str, Any] = {"reingest_running": state.reingest.running, "last_run_here": state.reingest.last}
    try:
        store = IndexStore(state.settings)
        info, _ = store.active()
        body.update(
            active_version=info.name,
            built_at=info.built_at,
            chunks=info.chunks,
            documents=info.documents,
            languages=info.languages,
            embedding=info.embedding,
            versions=store.published_versions(),
            unfinished=sorted(set(store.version_names()) - set(store.published_versions())),
            last_run=store.last_run(),
        )
    except AssistantError as exc:
        body.update(active_version=None, detail=str(exc))
    return JSONResponse(body)
