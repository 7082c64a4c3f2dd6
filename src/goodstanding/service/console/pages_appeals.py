"""Appeals (moderators): GET /appeals lists the filed appeals with the decision each contests
and who took it; POST /appeals/decide writes the moderator's `appeal.decided` event. The
moderator who took the original decision is refused, here and by the engine."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from goodstanding.service import backend
from goodstanding.service.console.errors import PageError
from goodstanding.service.console.render import page
from goodstanding.service.console.routing import PageRoute
from goodstanding.service.console.session import Viewer, acting, check_csrf, role
from goodstanding.service.context import Refused, Service, service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
moderator = role("moderator")


def _own_decision(case: dict[str, Any]) -> str:
    return f"You took decision {case['decision']}; another moderator must decide its appeal."


@router.get("/appeals")
def appeals(
    request: Request,
    decided: str | None = Query(None, max_length=200),
    seen: Viewer = Depends(moderator),
    svc: Service = Depends(service),
) -> Response:
    """The appeals waiting for a decision, oldest first."""
    return page(
        request,
        "appeals.html",
        seen,
        cases=backend.appeals_open(svc.store),
        decided=backend.appeal(svc.store, decided) if decided else None,
        now=svc.now(),
    )


@router.post("/appeals/decide")
def decide(
    appeal: str = Form(min_length=1, max_length=200),
    outcome: Literal["upheld", "reversed"] = Form(),
    note: str = Form("", max_length=2000),
    csrf: str = Form("", max_length=200),
    seen: Viewer = Depends(moderator),
    svc: Service = Depends(service),
) -> Response:
    """Decides an appeal as the signed-in moderator."""
    check_csrf(seen, csrf)
    case = backend.appeal(svc.store, appeal)
    if case is None:
        raise PageError(404, f"No appeal {appeal!r}.")
    me = acting(seen)
    if case["original_moderator"] == me:
        raise PageError(403, _own_decision(case))
    fields = {"appeal_id": appeal, "outcome": outcome, "note": note.strip() or None}
    try:
        svc.write(seen.token, me, "appeal.decided", fields)
    except Refused as error:
        raise PageError(422, f"The appeal decision was refused: {error}") from None
    return RedirectResponse("/appeals?" + urlencode({"decided": appeal}), 303)
