"""GET /transparency (moderators and auditors): the transparency report for a period, from
the template the command line's HTML export uses."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from goodstanding.service import backend
from goodstanding.service.console.dates import DAY, date_of, day
from goodstanding.service.console.errors import PageError
from goodstanding.service.console.render import page
from goodstanding.service.console.routing import PageRoute
from goodstanding.service.console.session import Viewer, role
from goodstanding.service.context import Service, service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
staff = role("moderator", "auditor")


@router.get("/transparency")
def transparency(
    request: Request,
    start: str = Query("", alias="from", max_length=10),
    end: str = Query("", alias="to", max_length=10),
    seen: Viewer = Depends(staff),
    svc: Service = Depends(service),
) -> Response:
    """The report for [from, to) (dates, UTC; by default the 30 days to today)."""
    now = svc.now()
    upper = day(end, "to") if end else (now // DAY + 1) * DAY
    lower = day(start, "from") if start else upper - 30 * DAY
    if lower >= upper:
        raise PageError(422, "The period must end after it starts.")
    report = backend.transparency(svc.store, svc.policies, lower, upper)
    body = Markup(backend.transparency_html(report, now, standalone=False))  # autoescaped
    return page(
        request, "transparency.html", seen, report=body, start=date_of(lower), end=date_of(upper)
    )
