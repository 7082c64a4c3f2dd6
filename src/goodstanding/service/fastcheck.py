"""The platform's hot path, POST /v1/check, answered in front of the framework: a well-formed
check about now (no `at`), by a platform token verified within the refresh interval, about an
account the read model holds, is answered here from the same read model and token cache the
route uses. Every other request, including every one that ends in an error, goes on to the
application, which answers it as documented (docs/api.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any

import msgspec

from goodstanding.service.context import Service
from goodstanding.service.routes.check import Action
from goodstanding.service.tokens import TokenError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
BODY_LIMIT = 16 * 1024
"""A check body is a few dozen bytes; a larger one is left to the application."""


class _Check(msgspec.Struct):
    """A check about now, as the route's model validates it (an `at` goes to the route)."""

    account: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    action: Action
    at: None = None


_decode = msgspec.json.Decoder(_Check).decode
_encode = msgspec.json.Encoder().encode


def _header(scope: Scope, name: bytes) -> bytes:
    """The first value of a header (as the framework reads it), empty when absent."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return b""


def _answer(svc: Service, scope: Scope, body: bytes) -> bytes | None:
    """The answer's JSON, or None when the application must answer the request."""
    media = _header(scope, b"content-type").split(b";", 1)[0].strip().lower()
    scheme, _, secret = _header(scope, b"authorization").partition(b" ")
    if media != b"application/json" or scheme.lower() != b"bearer" or not secret:
        return None
    now = svc.now()
    client = scope.get("client")
    if svc.limiter.retry_after(client[0] if client else "unknown", now) is not None:
        return None
    try:
        token = svc.tokens.cached(secret.decode("latin-1"), now)
        check = _decode(body)
    except (TokenError, msgspec.DecodeError, msgspec.ValidationError):
        return None
    if token is None or token.role != "platform":
        return None
    answer = svc.checks.cached(check.account, check.action, now)
    return None if answer is None else _encode(answer)


class FastCheck:
    """ASGI middleware answering the hot path of POST /v1/check (module docstring)."""

    def __init__(self, app: App):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/v1/check":
            await self.app(scope, receive, send)
            return
        read: list[Message] = []
        size, more = 0, True
        while more and size <= BODY_LIMIT:
            message = await receive()
            read.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            more = bool(message.get("more_body", False))
        answer = None
        if not more and read[-1]["type"] == "http.request":
            body = b"".join(m.get("body", b"") for m in read)
            answer = _answer(scope["app"].state.service, scope, body)
        if answer is None:
            await self.app(scope, _replay(read, receive), send)
            return
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})


def _replay(read: list[Message], receive: Receive) -> Receive:
    """A receive that gives the messages already read, then the rest."""
    pending = list(read)

    async def again() -> Message:
        return pending.pop(0) if pending else await receive()

    return again
