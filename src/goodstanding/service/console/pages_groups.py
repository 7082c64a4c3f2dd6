"""Groups (moderators and auditors): GET /groups (by id prefix, a page at a time) and
/groups/{id} (members by band, admins and whether they may act, open flags)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from goodstanding.queries.search import MAX_OFFSET, PAGE
from goodstanding.service import backend
from goodstanding.service.console.errors import PageError
from goodstanding.service.console.render import page
from goodstanding.service.console.routing import PageRoute
from goodstanding.service.console.session import Viewer, role
from goodstanding.service.context import Service, service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
staff = role("moderator", "auditor")


@router.get("/groups")
def groups(
    request: Request,
    prefix: str = Query("", max_length=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    seen: Viewer = Depends(staff),
    svc: Service = Depends(service),
) -> Response:
    """Groups by id, with owner, size and whether an admin may act."""
    found = backend.groups(svc.store, prefix or None, offset)
    return page(
        request, "groups_list.html", seen, found=found, size=PAGE, query=dict(request.query_params)
    )


@router.get("/groups/{group_id}")
def group(
    request: Request, group_id: str, seen: Viewer = Depends(staff), svc: Service = Depends(service)
) -> Response:
    """One group now: members by band, admins and their rights, open flags."""
    try:
        found = backend.group(svc.store, svc.policies, group_id[:200], svc.now())
    except backend.NotFound as error:
        raise PageError(404, str(error)) from None
    return page(request, "groups_group.html", seen, group=found)
