"""POST /v1/check (may this account do this now?), answered from the read model without
waiting for the writer, and POST /v1/identity/check (may this identity register?)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from goodstanding.service import backend
from goodstanding.service.auth import require
from goodstanding.service.context import Service, service
from goodstanding.service.problems import Problem
from goodstanding.service.routes.common import epoch, problems
from goodstanding.service.tokens import Token

router = APIRouter(prefix="/v1", tags=["checks"])
Action = Literal[
    "post",
    "comment",
    "message",
    "like",
    "share",
    "create_group",
    "administer_group",
    "post_links",
]


class CheckRequest(BaseModel):
    """May `account` do `action` at `at` (default: now)?"""

    account: str = Field(min_length=1, max_length=200)
    action: Action
    at: datetime | None = None


class CheckAnswer(BaseModel):
    """allow or deny, with the band and score, and for a denial what stands in the way."""

    account: str
    action: str
    decision: Literal["allow", "deny"]
    band: str
    score: float
    reason: str
    sanction: dict[str, Any] | None = None
    rule: dict[str, Any] | None = None
    statement: str | None = None


@router.post("/check", response_model=CheckAnswer, responses=problems(404))
async def check(
    request: CheckRequest,
    _: Token = Depends(require("platform")),
    svc: Service = Depends(service),
) -> CheckAnswer:
    """May account A do action X now? Answers from the read model of stored standings (at
    most the refresh interval behind the store) and the policy in force."""
    t = epoch(request.at, "at", svc.now())
    answer = svc.checks.cached(request.account, request.action, t)
    if answer is None:
        try:
            answer = await run_in_threadpool(svc.checks.answer, request.account, request.action, t)
        except backend.NotRegistered as missing:
            raise Problem(404, str(missing), "not-registered") from None
        except backend.NotFound as missing:
            raise Problem(404, str(missing), "unknown-account") from None
    return CheckAnswer(**answer)


class IdentityCheckRequest(BaseModel):
    """An identity value a person offers to register with (never stored or echoed)."""

    kind: str = Field(min_length=1, max_length=64)
    value: str = Field(min_length=1, max_length=200)
    region: str | None = Field(default=None, max_length=8)


class IdentityAnswer(BaseModel):
    """Whether the identity may register, and why not."""

    allowed: bool
    kind: str
    accounts_holding: int
    reason: str | None
    decision: str | None


@router.post("/identity/check", response_model=IdentityAnswer, responses=problems(503))
def identity_check(
    request: IdentityCheckRequest,
    _: Token = Depends(require("platform")),
    svc: Service = Depends(service),
) -> IdentityAnswer:
    """May this identity value register? It is sealed into keyed fingerprints on arrival
    and checked against blocks and the accounts-per-identity limit."""
    try:
        verdict = backend.identity_verdict(
            svc.store, svc.policies, request.kind, request.value, request.region, svc.now()
        )
    except backend.IdentifierError as error:
        raise Problem(
            422, f"value: {error.message}", "invalid-identity", field="value", reason=error.reason
        ) from None
    except backend.KeyRingError:
        raise Problem(503, "no identity key is configured on this server") from None
    return IdentityAnswer(**verdict)
