"""GET /v1/accounts/{id}/...: an account's standing, its explanation, its sanctions and the
statements of reasons sent to it. A member token sees only its own account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Path, Query

from goodstanding.service import backend
from goodstanding.service.auth import own_account, require
from goodstanding.service.context import Service, service
from goodstanding.service.problems import Problem
from goodstanding.service.routes.common import epoch, problems
from goodstanding.service.tokens import Token

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])
AccountId = Path(min_length=1, max_length=200, description="The account id.")
At = Query(None, description="When to evaluate (RFC 3339 with offset); default: now.")
readers = require("moderator", "member")


def _known(svc: Service, token: Token, account_id: str) -> None:
    own_account(token, account_id)
    if not backend.account_exists(svc.store, account_id):
        raise Problem(404, f"unknown account {account_id!r}", "unknown-account")


@dataclass(frozen=True)
class _AccountAt:
    """A known account the token may read, and the time to evaluate it at."""

    svc: Service
    account_id: str
    t: float


def _account_at(
    account_id: str = AccountId,
    at: datetime | None = At,
    token: Token = Depends(readers),
    svc: Service = Depends(service),
) -> _AccountAt:
    """The account asked about (404 for one it does not know) and when: `at`, or now."""
    _known(svc, token, account_id)
    return _AccountAt(svc, account_id, epoch(at, "at", svc.now()))


@router.get("/{account_id}/standing", responses=problems(404))
def get_standing(asked: _AccountAt = Depends(_account_at)) -> dict[str, Any]:
    """Score, band, privileges, binding sanctions and active strikes."""
    return backend.standing(asked.svc.store, asked.svc.policies, asked.account_id, asked.t)


@router.get("/{account_id}/explain", responses=problems(404))
def get_explanation(asked: _AccountAt = Depends(_account_at)) -> dict[str, Any]:
    """Every ledger line behind the score, with the rule text and evidence."""
    return backend.explain(asked.svc.store, asked.svc.policies, asked.account_id, asked.t)


@router.get("/{account_id}/sanctions", responses=problems(404))
def get_sanctions(
    account_id: str = AccountId,
    token: Token = Depends(readers),
    svc: Service = Depends(service),
) -> dict[str, Any]:
    """The sanctions imposed on the account and those lifted."""
    _known(svc, token, account_id)
    return backend.account_sanctions(svc.store, account_id)


@router.get("/{account_id}/statements", responses=problems(404))
def get_statements(
    account_id: str = AccountId,
    token: Token = Depends(require("moderator", "member", "auditor")),
    svc: Service = Depends(service),
) -> list[dict[str, Any]]:
    """The statements of reasons for the decisions that concern the account."""
    _known(svc, token, account_id)
    return backend.account_statements(svc.store, svc.policies, account_id)
