"""What-if (moderators and auditors): GET /whatif (a form for a draft policy, typed, uploaded
or started from a recorded version), POST /whatif (checks the draft and starts a run in the
background), GET /whatif/runs/{id} (its progress, then what would change) and
/whatif/runs/{id}/accounts/{account} (one account before and after). Nothing is published
and the live projections are only read."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from goodstanding.service import backend
from goodstanding.service.console.errors import PageError
from goodstanding.service.console.render import page
from goodstanding.service.console.routing import PageRoute
from goodstanding.service.console.session import Viewer, check_csrf, role
from goodstanding.service.console.whatif_jobs import Busy, Job, jobs_of
from goodstanding.service.context import Service, service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
staff = role("moderator", "auditor")
MAX_DRAFT = 256 * 1024
"""The largest draft policy accepted, in bytes."""
LISTED = 100
"""How many changed accounts and sanctions a result page lists (all are counted)."""


def _form(
    request: Request,
    seen: Viewer,
    svc: Service,
    draft: str = "",
    status: int = 200,
    problems: list[backend.Problem] | None = None,
    message: str = "",
) -> Response:
    return page(
        request,
        "whatif_form.html",
        seen,
        status,
        draft=draft,
        problems=problems or [],
        message=message,
        versions=backend.policy_versions(svc.policies, svc.now()),
        runs=jobs_of(request.app.state).recent(),
        max_draft=MAX_DRAFT,
    )


@router.get("/whatif")
def whatif_form(
    request: Request,
    start: str | None = Query(None, max_length=100),
    seen: Viewer = Depends(staff),
    svc: Service = Depends(service),
) -> Response:
    """The draft form; `start` fills it with a recorded version's text to edit."""
    draft = ""
    if start:
        found = backend.recorded_policy_text(svc.store, start)
        if found is None:
            raise PageError(404, f"No recorded policy version {start!r}.")
        draft = found
    return _form(request, seen, svc, draft)


async def _draft_text(draft: str, upload: UploadFile | None) -> tuple[str, str]:
    """The draft's text and the name it goes by: the uploaded file's when one was chosen,
    else the typed text. PageError (413, 422) when too large or not UTF-8 text."""
    if upload is not None and upload.filename:
        raw = await upload.read(MAX_DRAFT + 1)
        name = upload.filename[-100:]
    else:
        raw, name = draft.encode(), "draft.toml"
    if len(raw) > MAX_DRAFT:
        raise PageError(413, f"The draft is larger than {MAX_DRAFT // 1024} KiB.")
    try:
        return raw.decode("utf-8"), name
    except UnicodeDecodeError:
        raise PageError(422, "The draft is not UTF-8 text.") from None


@router.post("/whatif")
async def whatif_start(
    request: Request,
    csrf: str = Form("", max_length=200),
    draft: str = Form("", max_length=MAX_DRAFT),
    upload: UploadFile | None = File(None),
    seen: Viewer = Depends(staff),
    svc: Service = Depends(service),
) -> Response:
    """Checks the draft (problems shown with their line and key) and starts a run of it."""
    check_csrf(seen, csrf)
    text, name = await _draft_text(draft, upload)
    if not text.strip():
        return _form(request, seen, svc, text, 422, message="Type, upload or start from a draft.")
    problems = backend.check_policy_draft(text, name)
    if problems:
        return _form(request, seen, svc, text, 422, problems)
    try:
        job = jobs_of(request.app.state).start(svc.store, text, name, seen.subject, svc.now())
    except Busy:
        message = "Another what-if is running; try again when it has finished."
        return _form(request, seen, svc, text, 409, message=message)
    return RedirectResponse(f"/whatif/runs/{job.id}", status_code=303)


def _job(request: Request, job_id: str) -> Job:
    found = jobs_of(request.app.state).get(job_id[:40])
    if found is None:
        raise PageError(404, "No such what-if run (runs are kept only while the service runs).")
    return found


@router.get("/whatif/runs/{job_id}")
def whatif_run(request: Request, job_id: str, seen: Viewer = Depends(staff)) -> Response:
    """A run's progress while it runs (the page reloads itself), then its result."""
    job = _job(request, job_id)
    return page(request, "whatif_run.html", seen, job=job, listed=LISTED)


@router.get("/whatif/runs/{job_id}/accounts/{account_id}")
def whatif_account(
    request: Request, job_id: str, account_id: str, seen: Viewer = Depends(staff)
) -> Response:
    """One changed account as the live projections have it and as the draft would leave it."""
    job = _job(request, job_id)
    found = backend.what_if_account(job.result, account_id[:200]) if job.result else None
    if found is None:
        raise PageError(404, "The draft does not change this account.")
    return page(request, "whatif_account.html", seen, job=job, change=found)
