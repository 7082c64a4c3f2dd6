"""GET /dashboard (moderators, auditors): the queue's size and age, decisions per day,
the most upheld rules, sanctions by step, appeals and decisions per moderator, for a period
(by default the 30 days up to the latest event)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from goodstanding.service import backend
from goodstanding.service.console.charts import bar_chart, day_columns
from goodstanding.service.console.errors import PageError
from goodstanding.service.console.render import page
from goodstanding.service.console.routing import PageRoute
from goodstanding.service.console.session import Viewer, role
from goodstanding.service.context import Service, service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
DEFAULT_DAYS = 30
BAR_CHARTS = {
    "ages": "open_by_age",
    "rules": "top_rules",
    "sanctions": "sanctions_by_step",
    "appeals": "appeals_by_outcome",
    "moderators": "decisions_by_moderator",
}
"""The dashboard's bar charts: the template's name for each, and the figure it draws."""


def _day_start(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


@router.get("/dashboard")
def dashboard(
    request: Request,
    start: date | None = Query(None, alias="from"),
    end: date | None = Query(None, alias="to"),
    seen: Viewer = Depends(role("moderator", "auditor")),
    svc: Service = Depends(service),
) -> Response:
    """The dashboard for the days from `from` to `to` (both included)."""
    now = svc.now()
    latest = datetime.fromtimestamp(backend.latest_event_time(svc.store) or now, UTC).date()
    end = end or latest
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise PageError(422, "The period's first day comes after its last day.")
    figures = backend.dashboard(
        svc.store, _day_start(start), _day_start(end + timedelta(days=1)), now
    )
    charts: dict[str, Any] = {name: bar_chart(figures[key]) for name, key in BAR_CHARTS.items()}
    return page(
        request,
        "dashboard.html",
        seen,
        start=start.isoformat(),
        end=end.isoformat(),
        figures=figures,
        per_day=day_columns(figures["decisions_per_day"]),
        **charts,
    )
