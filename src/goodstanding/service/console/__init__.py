"""The console: server-rendered pages for moderators, auditors and members over the service.
`router` holds every page; the app includes it at /."""

from __future__ import annotations

from fastapi import APIRouter

from goodstanding.service.console import (
    pages_accounts,
    pages_appeals,
    pages_dashboard,
    pages_member,
    pages_queue,
    pages_signin,
    pages_static,
)

router = APIRouter(include_in_schema=False)
for _module in (
    pages_signin,
    pages_static,
    pages_dashboard,
    pages_queue,
    pages_accounts,
    pages_appeals,
    pages_member,
):
    router.include_router(_module.router)

__all__ = ["router"]
