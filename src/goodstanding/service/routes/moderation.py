"""Content, the review queue, and the writes people make through the API: reports, reviews,
sanctions imposed and lifted by moderators, appeals and appeal decisions. Each write is an
event through ingest, made as the token's own account (never one named in the body)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from goodstanding.service import backend
from goodstanding.service.auth import acting_account, require
from goodstanding.service.context import Refused, Service, service
from goodstanding.service.problems import Problem
from goodstanding.service.routes.common import problems
from goodstanding.service.tokens import Token

router = APIRouter(prefix="/v1", tags=["moderation"])
Id = Field(min_length=1, max_length=200)
Note = Field(default=None, max_length=2000)
Statement = Field(min_length=1, max_length=2000, description="The facts, for the statement.")
moderator = require("moderator")


@router.get("/content/{content_id}", responses=problems(404))
def get_content(
    content_id: str = Path(min_length=1, max_length=200),
    _: Token = Depends(moderator),
    svc: Service = Depends(service),
) -> dict[str, Any]:
    """A content item's labels, reports and the decisions on it."""
    found = backend.content_record(svc.store, content_id)
    if found is None:
        raise Problem(404, f"unknown content {content_id!r}", "unknown-content")
    return found


@router.get("/queue", responses=problems())
def get_queue(
    limit: int = Query(20, ge=1, le=500, description="How many items."),
    _: Token = Depends(moderator),
    svc: Service = Depends(service),
) -> list[dict[str, Any]]:
    """Open review items, highest priority first, with the evidence behind each."""
    return backend.queue(svc.store, svc.policies, limit)


@dataclass(frozen=True)
class _Writer:
    """Ingests events made now by a token's account."""

    svc: Service
    token: Token

    def __call__(self, kind: str, fields: dict[str, Any]) -> JSONResponse:
        """Ingests one event of this kind; 201 with its id, or a problem naming why the
        engine refused it (nothing is written then)."""
        try:
            event = self.svc.write(self.token, acting_account(self.token), kind, fields)
        except Refused as error:
            raise Problem(422, str(error), "refused", reason=str(error)) from None
        return JSONResponse({"event": event["id"], "type": kind, **fields}, status_code=201)


def _writes(*roles: str) -> Callable[..., _Writer]:
    """A dependency: a writer for a token of one of these roles (403 for another role)."""

    def writer(token: Token = Depends(require(*roles)), svc: Service = Depends(service)) -> _Writer:
        return _Writer(svc, token)

    return writer


moderator_writes = _writes("moderator")


class ReportRequest(BaseModel):
    """A report that content breaks a rule."""

    content_id: str = Id
    rule: str = Id
    note: str | None = Note


@router.post("/reports", status_code=201, responses=problems(503))
def post_report(
    request: ReportRequest,
    write: _Writer = Depends(_writes("member", "moderator")),
) -> JSONResponse:
    """Reports content under a rule, as the token's account."""
    return write("content.reported", request.model_dump())


class ReviewRequest(BaseModel):
    """A moderator's verdict on content under a rule."""

    content_id: str = Id
    rule: str = Id
    verdict: Literal["violates", "clear"]
    note: str | None = Note


@router.post("/reviews", status_code=201, responses=problems(503))
def post_review(
    request: ReviewRequest,
    write: _Writer = Depends(moderator_writes),
) -> JSONResponse:
    """Decides a review, as the token's moderator."""
    return write("review.decided", request.model_dump())


class SanctionRequest(BaseModel):
    """A step of the published ladder a moderator imposes on an account directly."""

    action: backend.SanctionAction
    rule: str = Id
    note: str = Statement
    days: float | None = Field(default=None, gt=0, le=3650)


@router.post("/accounts/{account_id}/sanctions", status_code=201, responses=problems(503))
def post_sanction(
    request: SanctionRequest,
    account_id: str = Path(min_length=1, max_length=200),
    write: _Writer = Depends(moderator_writes),
) -> JSONResponse:
    """Imposes a step of the ladder on the account for a rule, stating the facts, as the
    token's moderator (an `account.sanctioned` event; the account may appeal it)."""
    fields = {"account": account_id, **request.model_dump(exclude_none=True)}
    return write("account.sanctioned", fields)


class LiftRequest(BaseModel):
    """A binding sanction to lift, and why."""

    sanction_id: str = Field(min_length=1, max_length=500)
    note: str = Statement


@router.post("/accounts/{account_id}/sanctions/lift", status_code=201, responses=problems(503))
def post_lift(
    request: LiftRequest,
    account_id: str = Path(min_length=1, max_length=200),
    write: _Writer = Depends(moderator_writes),
) -> JSONResponse:
    """Lifts a sanction binding the account before its end, as the token's moderator (an
    `account.sanction_lifted` event)."""
    fields = {"account": account_id, **request.model_dump()}
    return write("account.sanction_lifted", fields)


class AppealRequest(BaseModel):
    """An appeal against a decision (the review event's id)."""

    decision_id: str = Id
    reason: str = Field(default="", max_length=2000)


@router.post("/appeals", status_code=201, responses=problems(503))
def post_appeal(
    request: AppealRequest,
    write: _Writer = Depends(_writes("member")),
) -> JSONResponse:
    """Files an appeal against a decision on the member's own account or content."""
    fields = {"appeal_id": f"appeal-{uuid.uuid4().hex}", **request.model_dump()}
    return write("appeal.filed", fields)


class AppealDecision(BaseModel):
    """A moderator's decision on an appeal."""

    outcome: Literal["upheld", "reversed"]
    note: str | None = Note


@router.post("/appeals/{appeal_id}/decision", status_code=201, responses=problems(503))
def post_appeal_decision(
    request: AppealDecision,
    appeal_id: str = Path(min_length=1, max_length=200),
    write: _Writer = Depends(moderator_writes),
) -> JSONResponse:
    """Decides an appeal, as the token's moderator."""
    return write("appeal.decided", {"appeal_id": appeal_id, **request.model_dump()})
