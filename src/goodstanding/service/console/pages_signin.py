"""Signing in and out, and where each role lands: GET/POST /sign-in, POST /sign-out, / and
/start (a token whose role has no console pages)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from goodstanding.service import backend
from goodstanding.service.console.navigation import home
from goodstanding.service.console.render import page
from goodstanding.service.console.routing import PageRoute
from goodstanding.service.console.session import (
    LIFETIME,
    MAX_SECRET,
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    Viewer,
    check_csrf,
    same,
    set_cookie,
    signin_secret,
    viewer,
)
from goodstanding.service.context import Service, service
from goodstanding.service.tokens import TokenError, authenticate

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _safe_next(target: str | None) -> str | None:
    """A path on this site to go to after signing in (never another site)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target[:500]
    return None


def _sign_in_page(
    request: Request, status: int = 200, message: str = "", after: str = ""
) -> Response:
    secret = signin_secret(request)
    response = page(
        request, "sign_in.html", None, status, csrf=secret, message=message, after=after
    )
    set_cookie(request, response, SIGNIN_COOKIE, secret, 3600)
    return response


@router.get("/sign-in")
def sign_in_form(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    return _sign_in_page(request, after=_safe_next(next) or "")


@router.post("/sign-in")
def sign_in(
    request: Request,
    token: str = Form(min_length=1, max_length=MAX_SECRET),
    csrf: str = Form("", max_length=200),
    after: str = Form("", max_length=500),
    svc: Service = Depends(service),
) -> Response:
    """Exchanges a token for a session cookie; a wrong token shows the form again, and too
    many failures from one address wait as the API's do."""
    if not same(request.cookies.get(SIGNIN_COOKIE, ""), csrf):
        return _sign_in_page(request, 403, "The form expired. Sign in again.", after)
    client = request.client.host if request.client is not None else "unknown"
    now = svc.now()
    wait = svc.limiter.retry_after(client, now)
    if wait is not None:
        return _sign_in_page(
            request, 429, f"Too many failed sign-ins. Try again in {wait} s.", after
        )
    try:
        found = authenticate(svc.store.engine, token.strip(), now)
    except TokenError as error:
        svc.limiter.failed(client, now)
        return _sign_in_page(request, 401, f"Cannot sign in: {error}.", after)
    session_id, _ = backend.open_session(svc.store, found.id, now, LIFETIME)
    response = RedirectResponse(_safe_next(after) or home(found.role), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, session_id, LIFETIME)
    response.delete_cookie(SIGNIN_COOKIE, path="/")
    return response


@router.post("/sign-out")
def sign_out(
    request: Request,
    csrf: str = Form("", max_length=200),
    seen: Viewer = Depends(viewer),
    svc: Service = Depends(service),
) -> Response:
    """Ends the session."""
    check_csrf(seen, csrf)
    backend.close_session(svc.store, seen.session_id)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def start(seen: Viewer = Depends(viewer)) -> Response:
    """Sends the viewer to their role's first page."""
    return RedirectResponse(home(seen.role), status_code=303)


@router.get("/start")
def no_pages(request: Request, seen: Viewer = Depends(viewer)) -> Response:
    """The page of a role without console pages (platform tokens use the API)."""
    return page(request, "start.html", seen)
