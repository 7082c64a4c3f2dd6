"""GET /accounts/{id} (moderators): an account's standing, its score over time, the
explanation line by line, strikes, sanctions with their statements of reasons, appeals,
identity checks, groups and notes; POST /notes adds a note, POST /sanctions imposes a step
of the ladder and POST /sanctions/lift lifts a binding sanction. A member reaches only their
own account (as /me); any other is answered as unknown."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from goodstanding.service import backend
from goodstanding.service.console.charts import line_chart
from goodstanding.service.console.errors import PageError
from goodstanding.service.console.render import page
from goodstanding.service.console.routing import PageRoute
from goodstanding.service.console.session import Viewer, acting, check_csrf, role
from goodstanding.service.context import Refused, Service, service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
NOTE_CHARS = 2000
LEDGER_SHOWN = 200


def unknown(account_id: str) -> PageError:
    """The 404 page for an account that does not exist, or that the viewer may not see."""
    return PageError(404, f"No account {account_id!r}.")


@router.get("/accounts/{account_id:path}")
def account(
    request: Request,
    account_id: str = Path(min_length=1, max_length=200),
    seen: Viewer = Depends(role("moderator", "member")),
    svc: Service = Depends(service),
) -> Response:
    """Everything a moderator needs to know about one account."""
    if seen.role == "member":
        if account_id != seen.account:
            raise unknown(account_id)
        return RedirectResponse("/me", 303)
    if not backend.account_exists(svc.store, account_id):
        raise unknown(account_id)
    now = svc.now()
    explained, ledger_lines, series = backend.score_history(
        svc.store, svc.policies, account_id, now, LEDGER_SHOWN
    )
    policy = backend.policy_at(svc.policies, now)
    today = datetime.fromtimestamp(now, UTC)
    low, high = explained["range"]
    return page(
        request,
        "account.html",
        seen,
        account=account_id,
        explained=explained,
        lines=explained["ledger"][::-1],
        ledger_lines=ledger_lines,
        chart=line_chart(series, low, high, [(b.name, b.min) for b in policy.bands]),
        sanctions=backend.account_sanctions(svc.store, account_id),
        statements=backend.account_statements(svc.store, svc.policies, account_id),
        appeals=backend.account_appeals(svc.store, account_id),
        identities=backend.identity_checks(svc.store, account_id),
        groups=backend.account_groups(svc.store, account_id),
        notes=backend.account_notes(svc.store, account_id),
        note_chars=NOTE_CHARS,
        steps=[a for a in backend.ACTIONS if any(s.action == a for s in policy.sanctions.ladder)],
        rules=[r for r in policy.rules if r.in_force(today)],
    )


@router.post("/notes")
def add_note(
    account: str = Form(min_length=1, max_length=200),
    text: str = Form(min_length=1, max_length=NOTE_CHARS),
    csrf: str = Form("", max_length=200),
    seen: Viewer = Depends(role("moderator")),
    svc: Service = Depends(service),
) -> Response:
    """Adds the moderator's note to an account and shows the account again."""
    check_csrf(seen, csrf)
    if not backend.account_exists(svc.store, account):
        raise unknown(account)
    author = seen.account or seen.token.subject
    backend.add_note(svc.store, account, author, svc.now(), text.strip() or text)
    return RedirectResponse(f"/accounts/{quote(account)}#notes", 303)


@router.post("/sanctions")
def impose(
    account: str = Form(min_length=1, max_length=200),
    action: backend.SanctionAction = Form(),
    rule: str = Form(min_length=1, max_length=100),
    note: str = Form(min_length=1, max_length=NOTE_CHARS),
    days: str = Form("", max_length=20),
    csrf: str = Form("", max_length=200),
    seen: Viewer = Depends(role("moderator")),
    svc: Service = Depends(service),
) -> Response:
    """Imposes a step of the ladder on the account as the signed-in moderator (an
    `account.sanctioned` event, as POST /v1/accounts/{id}/sanctions writes it)."""
    check_csrf(seen, csrf)
    fields: dict[str, Any] = {"account": account, "action": action, "rule": rule, "note": note}
    if days.strip():
        try:
            fields["days"] = float(days)
        except ValueError:
            raise PageError(422, f"Days must be a number, not {days!r}.") from None
    _write(svc, seen, "account.sanctioned", fields)
    return RedirectResponse(f"/accounts/{quote(account)}#sanctions", 303)


@router.post("/sanctions/lift")
def lift(
    account: str = Form(min_length=1, max_length=200),
    sanction_id: str = Form(min_length=1, max_length=500),
    note: str = Form(min_length=1, max_length=NOTE_CHARS),
    csrf: str = Form("", max_length=200),
    seen: Viewer = Depends(role("moderator")),
    svc: Service = Depends(service),
) -> Response:
    """Lifts a binding sanction as the signed-in moderator (an `account.sanction_lifted`
    event, as POST /v1/accounts/{id}/sanctions/lift writes it)."""
    check_csrf(seen, csrf)
    fields = {"account": account, "sanction_id": sanction_id, "note": note}
    _write(svc, seen, "account.sanction_lifted", fields)
    return RedirectResponse(f"/accounts/{quote(account)}#sanctions", 303)


def _write(svc: Service, seen: Viewer, kind: str, fields: dict[str, Any]) -> None:
    """Writes the moderator's event; a 422 page with the engine's reason when refused."""
    try:
        svc.write(seen.token, acting(seen), kind, fields)
    except Refused as error:
        raise PageError(422, f"Refused: {error}") from None
