"""A member's own pages: GET /me shows their standing in plain words (what they may and may
not do and why, each statement of reasons, how the score recovers, their appeals); POST
/me/appeals files an appeal against a decision within the policy's window."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from goodstanding.service import backend
from goodstanding.service.console.errors import PageError
from goodstanding.service.console.render import page
from goodstanding.service.console.routing import PageRoute
from goodstanding.service.console.session import Viewer, check_csrf, role
from goodstanding.service.context import Refused, Service, service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
member = role("member")
DAY = 86400.0


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


@router.get("/me")
def my_standing(
    request: Request, seen: Viewer = Depends(member), svc: Service = Depends(service)
) -> Response:
    """The member's standing, why, how it recovers, and their appeals."""
    account, now = seen.account or "", svc.now()
    standing = backend.standing(svc.store, svc.policies, account, now)
    policy = backend.policy_at(svc.policies, now)
    band = next(b for b in policy.bands if b.name == standing["band"])
    higher = [b for b in policy.bands if b.min > band.min]
    window = policy.appeals.window_days * DAY
    open_to_appeal = [
        d | {"until": d["at"] + window}
        for d in backend.appealable_decisions(svc.store, account)
        if d["at"] + window > now
    ]
    strikes = sorted(standing["strikes"], key=lambda s: s["expires_at"])
    return page(
        request,
        "me.html",
        seen,
        standing=standing,
        band=band,
        next_band=min(higher, key=lambda b: b.min) if higher else None,
        may_not=[p for p in backend.PRIVILEGES if p not in standing["privileges"]],
        half_life=policy.scoring.half_life_days,
        next_strike=strikes[0] if strikes else None,
        returns=max(
            (_epoch(s["until"]) for s in standing["sanctions"] if s["until"]), default=None
        ),
        statements=backend.account_statements(svc.store, svc.policies, account),
        appealable=open_to_appeal,
        appeals=backend.account_appeals(svc.store, account),
    )


@router.post("/me/appeals")
def file_appeal(
    decision: str = Form(min_length=1, max_length=200),
    reason: str = Form("", max_length=2000),
    csrf: str = Form("", max_length=200),
    seen: Viewer = Depends(member),
    svc: Service = Depends(service),
) -> Response:
    """Files the member's appeal against a decision (an `appeal.filed` event, as POST
    /v1/appeals writes it); the engine refuses one outside the window or already appealed."""
    check_csrf(seen, csrf)
    fields = {"appeal_id": f"appeal-{uuid.uuid4().hex}", "decision_id": decision, "reason": reason}
    try:
        svc.write(seen.token, seen.account or "", "appeal.filed", fields)
    except Refused as error:
        raise PageError(422, f"The appeal was refused: {error}") from None
    return RedirectResponse("/me#appeals", 303)
