"""Rendering console pages: one Jinja2 environment with autoescape on for every template,
filters for times, and the headers every page is sent with."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse

from goodstanding.service.console.navigation import menu
from goodstanding.service.console.session import Viewer
from goodstanding.templating import package_templates

HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "connect-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


def when(t: float | None) -> str:
    """An epoch time as RFC 3339 UTC to the second ('' for none)."""
    if t is None:
        return ""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(text: str | None) -> str:
    """An RFC 3339 time from a query, to the second ('' for none)."""
    return when(datetime.fromisoformat(text).timestamp()) if text else ""


def age(seconds: float) -> str:
    """A duration in the largest whole unit that fits (45 s, 12 min, 3 h, 5 d)."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{max(0, int(seconds))} s"


environment = package_templates("goodstanding.service.console", when=when, age=age, stamp=stamp)


def page(
    request: Request,
    template: str,
    seen: Viewer | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A template rendered for a viewer (None before sign-in), with the menu their role sees
    and the session's CSRF secret for its forms."""
    html = environment.get_template(template).render(
        request_path=request.url.path,
        viewer=seen,
        menu=menu(seen.role) if seen else [],
        csrf=seen.csrf if seen else context.pop("csrf", ""),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)
