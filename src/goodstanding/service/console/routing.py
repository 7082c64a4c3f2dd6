"""The console's route class: errors a page raises (PageError, SignInNeeded, a form that does
not validate) answer with an HTML page or a redirect instead of the API's problem JSON."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from goodstanding.service.console.errors import PageError, SignInNeeded
from goodstanding.service.console.render import page
from goodstanding.service.console.session import Viewer


def _field(location: tuple[object, ...] | list[object]) -> str:
    return str(location[-1]) if location else "form"


def _viewer(request: Request) -> Viewer | None:
    """The viewer the request was signed in as, when the session was checked before the error."""
    seen = getattr(request.state, "viewer", None)
    return seen if isinstance(seen, Viewer) else None


class PageRoute(APIRoute):
    """A console route: its errors are pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped so that errors render as pages."""
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInNeeded as needed:
                return RedirectResponse(f"/sign-in?next={quote(needed.after)}", status_code=303)
            except PageError as error:
                seen = _viewer(request)
                return page(request, "error.html", seen, error.status, message=error.message)
            except RequestValidationError as error:
                problems = [
                    f"{_field(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in error.errors()
                ]
                seen = _viewer(request)
                return page(request, "error.html", seen, 422, message="; ".join(problems))

        return handle
