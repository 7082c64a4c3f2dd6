"""Who a request speaks for: its bearer token, the roles allowed on each route, members
confined to their own account, and failed authentications rate-limited per address."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from goodstanding.service.context import Service, service
from goodstanding.service.problems import Problem
from goodstanding.service.tokens import Token, TokenError

bearer = HTTPBearer(auto_error=False, description="A token from `goodstanding token create`.")


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


async def current_token(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    svc: Service = Depends(service),
) -> Token:
    """The active token the request presents; 401 without one or with a bad one, 429 after
    too many failures from the same address. A token verified within the refresh interval
    is trusted without reading the store again (revocations count within the interval)."""
    client, now = _client(request), svc.now()
    wait = svc.limiter.retry_after(client, now)
    if wait is not None:
        raise Problem(
            429,
            f"too many failed authentications from this address; retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        svc.limiter.failed(client, now)
        raise Problem(401, "send a bearer token: Authorization: Bearer <token>", headers=challenge)
    try:
        token = svc.tokens.cached(credentials.credentials, now)
        if token is None:
            token = await run_in_threadpool(svc.tokens.verify, credentials.credentials, now)
        return token
    except TokenError as error:
        svc.limiter.failed(client, now)
        raise Problem(401, str(error), headers=challenge) from None


def require(*roles: str) -> Callable[..., Awaitable[Token]]:
    """A dependency admitting tokens of these roles only (403 for another role)."""

    async def allowed(token: Token = Depends(current_token)) -> Token:
        if token.role not in roles:
            raise Problem(
                403, f"a {token.role} token may not do this; it needs: {', '.join(roles)}"
            )
        return token

    return allowed


def own_account(token: Token, account_id: str) -> None:
    """A member sees only their own account: any other is answered as unknown (404)."""
    if token.role == "member" and token.account_id != account_id:
        raise Problem(404, f"unknown account {account_id!r}", "unknown-account")


def acting_account(token: Token) -> str:
    """The account a write is made as: the token's own (never one named in the body)."""
    if token.account_id is None:
        raise Problem(
            403,
            "this token speaks for no account; create one with --account to act",
            "no-account",
        )
    return token.account_id
