"""The console: server-rendered pages for moderators, auditors and members over the service.
`router` holds every page; the app includes it at /.

A page module (`pages_<area>.py`) has its own `router` (with `route_class=PageRoute`, so its
errors are pages), renders templates through `render.page`, admits roles with
`session.role(...)`, checks every form's CSRF field with `session.check_csrf` and calls only
`service.backend`. A new module is added to PAGES and its menu entry to `navigation.NAV`."""

from __future__ import annotations

from fastapi import APIRouter

from goodstanding.service.console import (
    pages_accounts,
    pages_appeals,
    pages_dashboard,
    pages_groups,
    pages_member,
    pages_policy,
    pages_queue,
    pages_records,
    pages_search,
    pages_signin,
    pages_static,
    pages_transparency,
    pages_whatif,
)

PAGES = (
    pages_signin,
    pages_static,
    pages_dashboard,
    pages_queue,
    pages_accounts,
    pages_appeals,
    pages_member,
    pages_policy,
    pages_whatif,
    pages_search,
    pages_groups,
    pages_records,
    pages_transparency,
)

router = APIRouter(include_in_schema=False)
for _module in PAGES:
    router.include_router(_module.router)

__all__ = ["PAGES", "router"]
