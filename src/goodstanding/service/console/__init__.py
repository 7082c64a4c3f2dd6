"""The console: server-rendered pages for moderators, auditors and members over the service.
`router` holds every page; the app includes it at /."""

from __future__ import annotations

from fastapi import APIRouter

from goodstanding.service.console import (
    pages_groups,
    pages_member,
    pages_policy,
    pages_records,
    pages_search,
    pages_signin,
    pages_static,
    pages_transparency,
    pages_whatif,
)

router = APIRouter(include_in_schema=False)
for _module in (pages_signin, pages_static, pages_member):
    router.include_router(_module.router)
for _module in (
    pages_policy,
    pages_whatif,
    pages_search,
    pages_groups,
    pages_records,
    pages_transparency,
):
    router.include_router(_module.router)

__all__ = ["router"]
