"""GET /v1/transparency and GET /v1/statements: the public reports, for auditors."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from goodstanding.service import backend
from goodstanding.service.auth import require
from goodstanding.service.context import Service, service
from goodstanding.service.problems import Problem
from goodstanding.service.routes.common import epoch, problems
from goodstanding.service.tokens import Token

router = APIRouter(prefix="/v1", tags=["reports"])
From = Query(alias="from", description="From (RFC 3339, inclusive).")
To = Query(alias="to", description="To (RFC 3339, exclusive).")
auditor = require("auditor")


def _period(start: datetime, end: datetime) -> tuple[float, float]:
    lower, upper = epoch(start, "from", 0.0), epoch(end, "to", 0.0)
    if upper <= lower:
        raise Problem(422, "to: is not after from", "invalid", field="to")
    return lower, upper


@router.get("/transparency", responses=problems())
def get_transparency(
    start: datetime = From,
    end: datetime = To,
    _: Token = Depends(auditor),
    svc: Service = Depends(service),
) -> dict[str, Any]:
    """The transparency report's figures (DSA Arts. 15, 24) for the period."""
    return backend.transparency(svc.store, svc.policies, *_period(start, end))


@router.get(
    "/statements",
    responses={
        200: {
            "description": "statements of reasons, one JSON object a line",
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        },
        **problems(),
    },
)
def get_statements(
    start: datetime = From,
    end: datetime = To,
    _: Token = Depends(auditor),
    svc: Service = Depends(service),
) -> Response:
    """The DSA Transparency Database statements of reasons for the period, as JSON Lines."""
    try:
        items = backend.statements(svc.store, svc.policies, *_period(start, end))
    except ValueError as error:
        raise Problem(422, str(error), "statement-invalid") from None
    body = "".join(json.dumps(item) + "\n" for item in items)
    return Response(body, media_type="application/x-ndjson")
