"""Group-chat records (auditors only): GET /records (legal holds and the export form) and
POST /records/export (a group's records for a period as JSON Lines, with a required reason,
recorded in the audit log)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from goodstanding.service import backend
from goodstanding.service.console.dates import day
from goodstanding.service.console.errors import PageError
from goodstanding.service.console.render import page
from goodstanding.service.console.routing import PageRoute
from goodstanding.service.console.session import Viewer, check_csrf, role
from goodstanding.service.context import Service, service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
auditor = role("auditor")


@router.get("/records")
def records(
    request: Request, seen: Viewer = Depends(auditor), svc: Service = Depends(service)
) -> Response:
    """Legal holds, active and lifted, and the form to export a group's records."""
    return page(request, "records.html", seen, holds=backend.holds(svc.store), now=svc.now())


@router.post("/records/export")
def export(
    request: Request,
    csrf: str = Form("", max_length=200),
    group: str = Form(min_length=1, max_length=200),
    start: str = Form(min_length=10, max_length=10),
    end: str = Form(min_length=10, max_length=10),
    reason: str = Form("", max_length=500),
    seen: Viewer = Depends(auditor),
    svc: Service = Depends(service),
) -> Response:
    """The group's records with start <= at < end, decrypted, as a JSON Lines download; the
    export is recorded in the audit log with its reason under the auditor's token."""
    check_csrf(seen, csrf)
    period = (day(start, "from"), day(end, "to"))
    if period[0] >= period[1]:
        raise PageError(422, "The period must end after it starts.")
    try:
        body, _ = backend.export_group_records(
            svc.store, group, period, reason, seen.subject, svc.now()
        )
    except backend.ExportRefused as error:
        raise PageError(422, f"Cannot export: {error}. Nothing was exported.") from None
    except backend.RecordsError as error:
        raise PageError(503, f"Cannot read the records: {error}.") from None
    name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in group)[:100]
    return Response(
        body,
        media_type="application/x-ndjson",
        headers={
            "Content-Disposition": f'attachment; filename="records-{name}-{start}-{end}.jsonl"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
