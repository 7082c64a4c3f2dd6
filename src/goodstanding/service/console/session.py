"""Signing in to the console: a token exchanged for an opaque session id in an HTTP-only,
SameSite=Strict cookie (the database keeps only its hash), a CSRF secret per session that
every form carries, and who the page speaks for."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from fastapi import Depends, Request
from fastapi.responses import Response

from goodstanding.service import backend
from goodstanding.service.console.errors import PageError, SignInNeeded
from goodstanding.service.context import Service, service
from goodstanding.service.tokens import Token, token_by_id

SESSION_COOKIE: Final = "gs_session"
SIGNIN_COOKIE: Final = "gs_signin"
LIFETIME: Final = 8 * 3600.0
MAX_SECRET: Final = 512


@dataclass(frozen=True)
class Viewer:
    """Who a console page is shown to: the token, the session's id and CSRF secret."""

    token: Token
    session_id: str
    csrf: str

    @property
    def role(self) -> str:
        """The token's role."""
        return self.token.role

    @property
    def account(self) -> str | None:
        """The account the token speaks for (moderators and members), if any."""
        return self.token.account_id

    @property
    def subject(self) -> str:
        """Whose settings these are: the account, or the token for one without an account."""
        return self.token.account_id or f"token:{self.token.id}"


def set_cookie(request: Request, response: Response, name: str, value: str, age: float) -> None:
    """Sets an HTTP-only, SameSite=Strict cookie (Secure when served over HTTPS)."""
    response.set_cookie(
        name,
        value,
        max_age=int(age),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def signin_secret(request: Request) -> str:
    """The sign-in form's CSRF secret: the one in the browser's sign-in cookie, or a new one."""
    found = request.cookies.get(SIGNIN_COOKIE, "")
    return found if 20 <= len(found) <= 100 else secrets.token_urlsafe(24)


def same(expected: str, presented: str | None) -> bool:
    """Whether a presented secret equals the expected one (in constant time)."""
    return bool(presented) and hmac.compare_digest(expected.encode(), str(presented).encode())


def viewer(request: Request, svc: Service = Depends(service)) -> Viewer:
    """The signed-in viewer; sends the browser to sign in when the session is missing, has
    ended, or its token was revoked or expired since."""
    session_id = request.cookies.get(SESSION_COOKIE, "")
    if not 20 <= len(session_id) <= 100:
        raise SignInNeeded(request.url.path)
    now = svc.now()
    found = backend.find_session(svc.store, session_id, now)
    token = token_by_id(svc.store.engine, found.token_id) if found else None
    if found is None or token is None or token.state(now) != "active":
        raise SignInNeeded(request.url.path)
    seen = Viewer(token, session_id, found.csrf)
    request.state.viewer = seen
    return seen


def role(*roles: str) -> Callable[..., Viewer]:
    """A dependency admitting viewers of these roles only (others get a 403 page)."""

    def allowed(seen: Viewer = Depends(viewer)) -> Viewer:
        if seen.role not in roles:
            raise PageError(403, f"A {seen.role} token cannot open this page.")
        return seen

    return allowed


def check_csrf(seen: Viewer, presented: str | None) -> None:
    """Refuses (403) a form whose CSRF field is not this session's secret."""
    if not same(seen.csrf, presented):
        raise PageError(403, "This form has expired or did not come from this console. Reload it.")


def acting(seen: Viewer) -> str:
    """The account a viewer's writes are made as (the token's own); 403 for a token that
    speaks for none."""
    if seen.account is None:
        raise PageError(403, "This token speaks for no account; create one with --account to act.")
    return seen.account
