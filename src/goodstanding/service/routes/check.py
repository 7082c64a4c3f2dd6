"""POST /v1/check (may this account do this now?) and POST /v1/identity/check (may this
identity register?), read from the stored projections, never through the writer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

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
def check(
    request: CheckRequest,
    _: Token = Depends(require("platform")),
    svc: Service = Depends(service),
) -> CheckAnswer:
    """May account A do action X now? Answers from the stored standing and the policy."""
    t = epoch(request.at, "at", svc.now())
    if not backend.account_exists(svc.store, request.account):
        raise Problem(404, f"unknown account {request.account!r}", "unknown-account")
    data = backend.standing(svc.store, svc.policies, request.account, t)
    allowed = request.action in data["privileges"]
    answer = CheckAnswer(
        account=request.account,
        action=request.action,
        decision="allow" if allowed else "deny",
        band=data["band"],
        score=data["score"],
        reason=data["privileges_reason"],
    )
    if allowed or not data["sanctions"]:
        return answer
    binding = next((s for s in data["sanctions"] if s["id"] in answer.reason), data["sanctions"][0])
    answer.sanction = binding
    rule = svc.policies.rule_text(data["policy_version"], binding["rule"] or "")
    if rule is not None:
        answer.rule = {"id": rule.id, "title": rule.title, "text": rule.text}
    stated = backend.account_sanctions(svc.store, request.account)["sanctions"]
    answer.statement = next(
        (s["reasons"] for s in stated if s["sanction_id"] == binding["id"]), None
    )
    return answer


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
