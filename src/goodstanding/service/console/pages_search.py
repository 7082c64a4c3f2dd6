"""Search (moderators): GET /search/accounts (by id prefix, band, score range, a sanction in
the last days, a strike under a rule) and /search/content (by rule, label, reporter), a page
of at most 50 rows at a time."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from goodstanding.queries.search import MAX_OFFSET, PAGE, AccountFilter, ContentFilter
from goodstanding.service import backend
from goodstanding.service.console.render import page
from goodstanding.service.console.routing import PageRoute
from goodstanding.service.console.session import Viewer, role
from goodstanding.service.context import Service, service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
moderator = role("moderator")
ID = 200
"""The longest id or rule a filter accepts."""


def _rules(svc: Service) -> list[str]:
    """Every rule id of every recorded version, for the filters' choices."""
    return sorted({r.id for p in svc.policies.versions for r in p.rules})


@router.get("/search/accounts")
def search_accounts(
    request: Request,
    prefix: str = Query("", max_length=ID),
    band: str = Query("", max_length=100),
    score_min: float | None = Query(None, ge=-1e9, le=1e9),
    score_max: float | None = Query(None, ge=-1e9, le=1e9),
    sanctioned_days: int | None = Query(None, ge=1, le=3650),
    rule: str = Query("", max_length=ID),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    seen: Viewer = Depends(moderator),
    svc: Service = Depends(service),
) -> Response:
    """Accounts matching every filter given, by id."""
    since = svc.now() - sanctioned_days * 86400 if sanctioned_days else None
    where = AccountFilter(prefix or None, band or None, score_min, score_max, since, rule or None)
    found = backend.search_accounts(svc.store, where, offset)
    bands = sorted({b.name for p in svc.policies.versions for b in p.bands})
    return page(
        request,
        "search_accounts.html",
        seen,
        found=found,
        size=PAGE,
        bands=bands,
        rules=_rules(svc),
        query=dict(request.query_params),
    )


@router.get("/search/content")
def search_content(
    request: Request,
    rule: str = Query("", max_length=ID),
    label: str = Query("", max_length=32),
    reporter: str = Query("", max_length=ID),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    seen: Viewer = Depends(moderator),
    svc: Service = Depends(service),
) -> Response:
    """Content matching every filter given, newest first, with its labels."""
    where = ContentFilter(rule or None, label or None, reporter or None)
    found = backend.search_contents(svc.store, where, offset)
    return page(
        request,
        "search_content.html",
        seen,
        found=found,
        size=PAGE,
        rules=_rules(svc),
        labels=backend.label_statuses(svc.store),
        query=dict(request.query_params),
    )
