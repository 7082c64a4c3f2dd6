"""GET /me: a member's own standing in plain words."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from goodstanding.service import backend
from goodstanding.service.console.render import page
from goodstanding.service.console.routing import PageRoute
from goodstanding.service.console.session import Viewer, role
from goodstanding.service.context import Service, service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
member = role("member")


@router.get("/me")
def my_standing(
    request: Request, seen: Viewer = Depends(member), svc: Service = Depends(service)
) -> Response:
    """The member's score and band, what they may do, and why."""
    account = seen.account or ""
    standing = backend.standing(svc.store, svc.policies, account, svc.now())
    return page(request, "me.html", seen, standing=standing)
