"""GET /v1/audit (who did what through goodstanding, for auditors, page by page) and
GET /v1/checkpoint (the latest signed checkpoint of the log, for anyone to keep)."""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, create_model

from goodstanding.service import backend
from goodstanding.service.auth import require
from goodstanding.service.context import Service, service
from goodstanding.service.problems import Problem, log
from goodstanding.service.routes.common import problems
from goodstanding.service.tokens import Token

router = APIRouter(prefix="/v1", tags=["log"])
MAX_PAGE = 1_000


class AuditEntry(BaseModel):
    """One audit entry: who (`actor`, a token's subject for writes through the API) did what
    (`action`) to what (`target`), when, why, and its hash in the audit log's chain."""

    seq: int
    id: str
    action: str
    at: str
    actor: str
    target: str
    reason: str
    details: dict[str, Any]
    hash: str


class AuditPage(BaseModel):
    """A page of the audit log, oldest first; `next` is the `after` of the next page (null
    when this page reached the end)."""

    entries: list[AuditEntry]
    next: int | None


@router.get("/audit", response_model=AuditPage, responses=problems())
def get_audit(
    after: int = Query(0, ge=0, le=2**62, description="Entries after this position."),
    limit: int = Query(100, ge=1, le=MAX_PAGE, description="How many entries at most."),
    _: Token = Depends(require("auditor")),
    svc: Service = Depends(service),
) -> AuditPage:
    """The audit log from a position on: every write through the API under its token's
    subject, and what operators did on the command line."""
    entries = [AuditEntry(**e) for e in backend.audit_entries(svc.store, after, limit)]
    return AuditPage(entries=entries, next=entries[-1].seq if len(entries) == limit else None)


_checkpoint_fields: dict[str, Any] = {
    f.name: (f.type, ...) for f in msgspec.structs.fields(backend.Checkpoint)
}
CheckpointAnswer = create_model(
    "CheckpointAnswer",
    __doc__="""A signed checkpoint of both logs' heads, as `goodstanding checkpoint` writes it:
    `verify --checkpoint` takes it as it is.""",
    **_checkpoint_fields,
)


@router.get(
    "/checkpoint", response_model=CheckpointAnswer, responses=problems(404, 503, public=True)
)
def get_checkpoint(svc: Service = Depends(service)) -> dict[str, Any]:
    """The latest signed checkpoint in the service's checkpoint folder (where `ingest
    --checkpoint-every` writes them); public: no token needed."""
    try:
        found = backend.latest_checkpoint(svc.checkpoints)
    except backend.CheckpointError as error:
        log.error("the latest checkpoint cannot be read: %s", error)
        raise Problem(503, "the latest checkpoint cannot be read; it was logged") from None
    if found is None:
        raise Problem(404, "no checkpoint has been written yet", "no-checkpoint")
    return msgspec.structs.asdict(found)
