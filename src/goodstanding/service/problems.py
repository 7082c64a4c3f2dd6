"""Errors as RFC 9457 problem details (`application/problem+json`): a stable `type` URI per
kind of problem, `title`, `status`, `detail`, and for bad input the field and the reason.
No stack trace ever reaches a client."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

BASE = "https://goodstanding.example/problems/"
MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("goodstanding.service")

TITLES: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed for this token's role"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid", "Invalid request"),
    429: ("too-many-requests", "Too many failed authentications"),
    500: ("internal", "Internal error"),
    503: ("unavailable", "Service unavailable"),
}


class Problem(Exception):
    """An error to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        slug: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug or TITLES.get(status, ("error", "Error"))[0]
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    status: int,
    detail: str,
    slug: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem document as a response."""
    default_slug, title = TITLES.get(status, ("error", "Error"))
    body = {
        "type": BASE + (slug or default_slug),
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


def _field(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


async def _on_problem(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Problem)
    return problem_response(error.status, error.detail, error.slug, error.headers, **error.extra)


async def _on_validation(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"field": _field(e.get("loc", ())), "reason": str(e.get("msg", "invalid"))}
        for e in error.errors()
    ]
    first = errors[0] if errors else {"field": "body", "reason": "invalid"}
    return problem_response(422, f"{first['field']}: {first['reason']}", "invalid", errors=errors)


async def _on_http(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    status = error.status_code
    detail = str(error.detail) if status != 404 else "no such resource"
    return problem_response(status, detail, headers=dict(error.headers or {}))


async def _on_unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(500, "the server could not complete the request; it was logged")


def install(app: FastAPI) -> None:
    """Registers a handler for every error path: our problems, validation, HTTP errors
    (404, 405...) and anything unexpected."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
