"""Every error the HTTP API sends is `{"error": message}` with a status that says what to do about it."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse


class ApiError(Exception):
    """Raised in a route or a dependency; `create_app` turns it into the JSON error response."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def on_api_error(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001 - FastAPI's signature
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.headers)
