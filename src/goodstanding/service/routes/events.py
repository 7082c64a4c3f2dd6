"""POST /v1/events: one JSON event, or a batch as NDJSON, each line answered."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from goodstanding.service.auth import require
from goodstanding.service.context import Service, service
from goodstanding.service.problems import Problem
from goodstanding.service.routes.common import problems
from goodstanding.service.tokens import Token

router = APIRouter(prefix="/v1", tags=["events"])
JSON, NDJSON = "application/json", "application/x-ndjson"
_FIELD = re.compile(r"`([^`]+)`")


class _Id(msgspec.Struct):
    id: object = None


_peek = msgspec.json.Decoder(_Id).decode


def _id_of(line: bytes) -> str | None:
    try:
        found = _peek(line).id
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return found if isinstance(found, str) else None


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Problem(413, f"the body is over the limit of {limit} bytes", limit=limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, f"the body is over the limit of {limit} bytes", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _results(lines: list[bytes], report: Any) -> list[dict[str, Any]]:
    """One result per non-blank line: accepted, duplicate, conflict or refused (with the
    field and the reason)."""
    refused = {e.line: e for e in report.errors}
    duplicate, conflict = set(report.duplicate_lines), set(report.conflict_lines)
    results = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        result: dict[str, Any] = {"line": number, "id": _id_of(line)}
        if number in conflict:
            result["status"] = "conflict"
        elif number in refused:
            result["status"] = "refused"
        elif number in duplicate:
            result["status"] = "duplicate"
        else:
            result["status"] = "refused" if report.refused_all else "accepted"
        if number in refused:
            error = refused[number]
            field = _FIELD.search(error.message)
            result |= {"field": field[1] if field else None, "reason": error.message}
        results.append(result)
    return results


@router.post(
    "/events",
    summary="Append events (one JSON event, or an NDJSON batch)",
    responses={
        200: {"description": "the batch's per-line results, or a duplicate event"},
        201: {"description": "the event was accepted"},
        **problems(400, 409, 413, 415, 503),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                JSON: {"schema": {"type": "object"}},
                NDJSON: {"schema": {"type": "string"}},
            },
        }
    },
)
async def post_events(
    request: Request,
    strict: bool = Query(False, description="Refuse the whole batch if any line is bad."),
    token: Token = Depends(require("platform")),
    svc: Service = Depends(service),
) -> JSONResponse:
    """Appends events to the log, idempotently by event id; answers once they are durable.
    A batch answers each line (accepted, duplicate, conflict, refused with field and reason);
    with `strict=true` one bad line refuses the batch and nothing is written. A request is
    one transaction under the store's write lock: 503 with Retry-After, nothing written,
    when another writer holds it longer than the service waits."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in (JSON, NDJSON):
        raise Problem(415, f"send {JSON} (one event) or {NDJSON} (a batch), not {media or 'none'}")
    limits = svc.limits
    body = await _body(request, limits.event_bytes if media == JSON else limits.batch_bytes)
    lines = [body] if media == JSON else body.split(b"\n")
    if not any(line.strip() for line in lines):
        raise Problem(400, "the body holds no event", "empty-body")
    for number, line in enumerate(lines, start=1):
        if len(line) > limits.event_bytes:
            raise Problem(
                413, f"line {number} is over the limit of {limits.event_bytes} bytes per event"
            )
    report = await run_in_threadpool(svc.ingest, lines, strict or media == JSON)
    results = _results(lines, report)
    if report.accepted:
        await run_in_threadpool(
            svc.audit, token, "events.ingest", "events", {"accepted": report.accepted}
        )
    summary: dict[str, Any] = {
        "read": report.read,
        "accepted": report.accepted,
        "duplicates": report.duplicates,
        "refused": len(report.errors),
        "refused_all": report.refused_all,
        "results": results,
    }
    if media == JSON:
        only = results[0]
        if only["status"] == "conflict":
            raise Problem(409, only["reason"], "event-conflict", field="id", line=1)
        if only["status"] == "refused":
            raise Problem(
                422, only["reason"], "invalid-event", field=only["field"], reason=only["reason"]
            )
        return JSONResponse(summary, status_code=201 if only["status"] == "accepted" else 200)
    if report.refused_all:
        raise Problem(
            422, "the batch was refused (strict): nothing was written", "batch-refused", **summary
        )
    return JSONResponse(summary)
