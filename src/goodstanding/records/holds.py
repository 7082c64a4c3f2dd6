"""Legal holds on group-chat records: placing, lifting and listing them, and the SQL test of
whether a record is held."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, insert, or_, select, update

from goodstanding.policy.retention import SCOPES, Hold, Scope
from goodstanding.records.checks import check_id, check_time, inserted_id, iso
from goodstanding.records.crypto import RecordsError
from goodstanding.records.tables import record_holds, record_records


class HoldError(RecordsError):
    """A hold cannot be placed or lifted as asked, and why."""


def active_targets(scope: Scope, now: float) -> Select[tuple[str]]:
    """The targets of the holds of a scope active at `now`."""
    h = record_holds.c
    return select(h.target).where(h.scope == scope, or_(h.lifted_at.is_(None), h.lifted_at > now))


def held(now: float) -> ColumnElement[bool]:
    """Whether a `record_records` row is covered by a hold active at `now`."""
    r = record_records.c
    return or_(
        r.group_id.in_(active_targets("group", now)),
        r.author_id.in_(active_targets("account", now)),
    )


def _hold(row: Any) -> Hold:
    return Hold(
        id=int(row.id),
        scope=row.scope,
        target=row.target,
        reason=row.reason,
        placed_by=row.placed_by,
        placed_at=float(row.placed_at),
        lifted_by=row.lifted_by,
        lifted_at=None if row.lifted_at is None else float(row.lifted_at),
    )


def place_hold(engine: Engine, scope: Scope, target: str, reason: str, by: str, at: float) -> Hold:
    """Places a legal hold on a group's or an account's records; returns it (with its id)."""
    if scope not in SCOPES:
        raise HoldError(f"a hold's scope is 'group' or 'account', not {scope!r}")
    check_id(target, "a hold's target")
    check_id(by, "who places a hold")
    if not isinstance(reason, str) or not reason.strip():
        raise HoldError("a hold needs a reason (the legal basis or case it serves)")
    at = check_time(at, "a hold's time")
    with engine.begin() as conn:
        hold_id = inserted_id(
            conn.execute(
                insert(record_holds).values(
                    scope=scope, target=target, reason=reason, placed_by=by, placed_at=at
                )
            )
        )
    return Hold(hold_id, scope, target, reason, by, at)


def lift_hold(engine: Engine, hold_id: int, by: str, at: float) -> Hold:
    """Lifts a hold (records it covered become deletable again); returns it as lifted.
    A hold is lifted once: `HoldError` if it is unknown or already lifted."""
    check_id(by, "who lifts a hold")
    at = check_time(at, "a hold's lifting time")
    h = record_holds.c
    with engine.begin() as conn:
        query = select(record_holds).where(h.id == hold_id)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise HoldError(f"no hold {hold_id}")
        hold = _hold(row)
        if hold.lifted_at is not None:
            raise HoldError(
                f"hold {hold_id} was already lifted by {hold.lifted_by} at {iso(hold.lifted_at)}"
            )
        if at < hold.placed_at:
            raise HoldError(
                f"hold {hold_id} cannot be lifted at {iso(at)}, before it was placed "
                f"({iso(hold.placed_at)})"
            )
        done = conn.execute(
            update(record_holds)
            .where(h.id == hold_id, h.lifted_at.is_(None))
            .values(lifted_by=by, lifted_at=at)
        ).rowcount
        if done != 1:
            raise HoldError(f"hold {hold_id} was lifted by someone else meanwhile")
    return Hold(
        hold.id, hold.scope, hold.target, hold.reason, hold.placed_by, hold.placed_at, by, at
    )


def list_holds(engine: Engine, *, active_at: float | None = None) -> list[Hold]:
    """Every hold in id order, or only those active at `active_at`."""
    with engine.connect() as conn:
        rows = conn.execute(select(record_holds).order_by(record_holds.c.id)).all()
    found = [_hold(row) for row in rows]
    return found if active_at is None else [h for h in found if h.active(active_at)]
