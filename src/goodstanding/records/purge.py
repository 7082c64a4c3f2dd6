"""Purge of group-chat records past the retention maximum, and the census of where records stand.

Purge is idempotent and safe to kill at any point. It runs in two phases, each a sequence of
committed batches whose every statement re-derives its work from the database (no plan is
kept in memory across batches), so a rerun simply finishes what is left:

1. **keys**: every live data key of a period entirely past the maximum is destroyed, unless
   a record it encrypts is on hold (a record on hold keeps its period's key alive). Every
   record under a destroyed key is unreadable from then on, in every copy of the database.
2. **records**: every record past the maximum and not on hold is deleted, row by row, in
   batches (the rows of shredded periods, and the unheld rows of periods kept alive by a
   hold or only partly past the maximum).

Nothing under the minimum is ever touched: only records at or before the cutoff
(``now - max_days``) are deleted, and only keys of periods ending at or before it destroyed.
Holds are read inside each batch's own transaction, so a hold placed while a purge runs
protects from the next batch on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)

from goodstanding.policy.retention import Retention
from goodstanding.records.checks import check_time, inserted_id
from goodstanding.records.holds import active_targets, held
from goodstanding.records.keys import DataKeys
from goodstanding.records.tables import record_keys, record_purges, record_records


@dataclass(frozen=True)
class PurgeProgress:
    """Where a running purge is, after each committed batch."""

    run_id: int
    phase: Literal["keys", "records"]
    batches: int
    keys_destroyed: int
    records_deleted: int


@dataclass(frozen=True)
class Census:
    """How many records stand where at a given time, and the state of the data keys."""

    now: float
    cutoff: float
    records: int
    under_minimum: int
    retained: int
    held_past_maximum: int
    due: int
    keys_live: int
    keys_destroyed: int
    keys_kept_for_holds: int


@dataclass(frozen=True)
class PurgeReport:
    """What one purge run did (`records_deleted`, `keys_destroyed`: by this run only) and
    what it left (`skipped_held`, `kept_under_minimum`, `kept_retained`: counted after it).

    - `skipped_held`: records past the maximum kept because a hold covers them;
    - `kept_under_minimum`: records under the minimum (never deleted);
    - `kept_retained`: records past the minimum and not yet past the maximum;
    - `keys_kept_for_holds`: data keys of entirely expired periods kept for held records;
    - `interrupted_runs`: earlier runs that never finished (killed); this run finished their
      work.
    """

    run_id: int
    now: float
    cutoff: float
    records_deleted: int
    keys_destroyed: int
    skipped_held: int
    kept_under_minimum: int
    kept_retained: int
    keys_kept_for_holds: int
    batches: int
    interrupted_runs: tuple[int, ...]
    seconds: float


def census(engine: Engine, retention: Retention, now: float) -> Census:
    """How many records are under the minimum, retained, held past the maximum or due
    for deletion at `now`, and how many data keys are live, destroyed or kept for holds."""
    now = check_time(now, "now")
    with engine.connect() as conn:
        return _census(conn, retention, now)


def _census(conn: Connection, retention: Retention, now: float) -> Census:
    r, k = record_records.c, record_keys.c
    cutoff, floor = retention.cutoff(now), retention.floor(now)
    cutoff_period = retention.cutoff_period(now)

    def count(table: Any, *where: ColumnElement[bool]) -> int:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

    records = count(record_records)
    under = count(record_records, r.at > floor)
    retained = count(record_records, r.at > cutoff, r.at <= floor)
    held_past = count(record_records, r.at <= cutoff, held(now))
    live = count(record_keys, k.destroyed_at.is_(None))
    return Census(
        now=now,
        cutoff=cutoff,
        records=records,
        under_minimum=under,
        retained=retained,
        held_past_maximum=held_past,
        due=records - under - retained - held_past,
        keys_live=live,
        keys_destroyed=count(record_keys) - live,
        keys_kept_for_holds=count(record_keys, k.destroyed_at.is_(None), k.period < cutoff_period),
    )


def purge(
    engine: Engine,
    keys: DataKeys,
    retention: Retention,
    now: float,
    batch: int = 10_000,
    *,
    progress: Callable[[PurgeProgress], None] | None = None,
) -> PurgeReport:
    """Deletes every record past the maximum and not on hold, and destroys the data keys
    of periods entirely past the maximum with no held record (dropping them from `keys`).
    Idempotent; killed at any point, a rerun finishes the work (see the module docstring)."""
    now = check_time(now, "now")
    if batch < 1:
        raise ValueError("batch must be at least 1")
    started = time.perf_counter()
    cutoff = retention.cutoff(now)
    p = record_purges.c
    with engine.begin() as conn:
        interrupted = tuple(
            int(i)
            for i in conn.execute(
                select(p.id).where(p.finished_at.is_(None)).order_by(p.id)
            ).scalars()
        )
        run_id = inserted_id(
            conn.execute(
                insert(record_purges).values(
                    now=now,
                    cutoff=cutoff,
                    min_days=float(retention.min_days),
                    max_days=float(retention.max_days),
                    started_at=time.time(),
                    records_deleted=0,
                    keys_destroyed=0,
                )
            )
        )
    batches = destroyed_keys = records = 0

    def report(phase: Literal["keys", "records"]) -> None:
        if progress is not None:
            progress(PurgeProgress(run_id, phase, batches, destroyed_keys, records))

    for destroyed in _destroy_keys(engine, keys, run_id, retention.cutoff_period(now), now, batch):
        batches += 1
        destroyed_keys += destroyed
        report("keys")
    for deleted in _delete_records(engine, run_id, cutoff, now, batch):
        batches += 1
        records += deleted
        report("records")
    with engine.begin() as conn:
        after = _census(conn, retention, now)
        conn.execute(update(record_purges).where(p.id == run_id).values(finished_at=time.time()))
    return PurgeReport(
        run_id=run_id,
        now=now,
        cutoff=cutoff,
        records_deleted=records,
        keys_destroyed=destroyed_keys,
        skipped_held=after.held_past_maximum,
        kept_under_minimum=after.under_minimum,
        kept_retained=after.retained,
        keys_kept_for_holds=after.keys_kept_for_holds,
        batches=batches,
        interrupted_runs=interrupted,
        seconds=time.perf_counter() - started,
    )


def _journal(conn: Connection, run_id: int, keys: int = 0, records: int = 0) -> None:
    p = record_purges.c
    conn.execute(
        update(record_purges)
        .where(p.id == run_id)
        .values(keys_destroyed=p.keys_destroyed + keys, records_deleted=p.records_deleted + records)
    )


def _secure_delete(conn: Connection, mode: int) -> int:
    """On SQLite, sets whether deleted content is overwritten with zeros in the database
    file (1: so a deleted row or destroyed key does not linger in free space); returns
    the previous mode, to restore."""
    if conn.dialect.name != "sqlite":
        return mode
    previous = int(conn.exec_driver_sql("PRAGMA secure_delete").scalar() or 0)
    if previous != mode:
        conn.exec_driver_sql(f"PRAGMA secure_delete = {int(mode)}")
    return previous


def _destroy_keys(
    engine: Engine, keys: DataKeys, run_id: int, cutoff_period: str, now: float, batch: int
) -> Iterator[int]:
    """Phase 1: destroys, batch by batch, the live keys of entirely expired periods that
    no held record needs; yields how many each committed batch destroyed."""
    k, r = record_keys.c, record_records.c
    last = 0
    while True:
        with engine.begin() as conn:
            candidates = [
                int(i)
                for i in conn.execute(
                    select(k.id)
                    .where(k.destroyed_at.is_(None), k.period < cutoff_period, k.id > last)
                    .order_by(k.id)
                    .limit(batch)
                ).scalars()
            ]
            if not candidates:
                return
            needed = or_(
                and_(
                    k.group_id.in_(active_targets("group", now)),
                    exists().where(r.key_id == k.id),
                ),
                exists().where(r.key_id == k.id, r.author_id.in_(active_targets("account", now))),
            )
            previous = _secure_delete(conn, 1)
            destroyed = conn.execute(
                update(record_keys)
                .where(
                    k.id > last,
                    k.id <= candidates[-1],
                    k.destroyed_at.is_(None),
                    k.period < cutoff_period,
                    ~needed,
                )
                .values(wrapped_key=None, destroyed_at=now)
            ).rowcount
            _secure_delete(conn, previous)
            _journal(conn, run_id, keys=destroyed)
        keys.forget(candidates)
        last = candidates[-1]
        yield destroyed


def _delete_records(
    engine: Engine, run_id: int, cutoff: float, now: float, batch: int
) -> Iterator[int]:
    """Phase 2: deletes, batch by batch in time order, the records past the maximum not
    on hold; yields how many each committed batch deleted."""
    r = record_records.c
    low: float | None = None
    while True:
        with engine.begin() as conn:
            due = [r.at <= cutoff, ~held(now)]
            if low is not None:
                due.append(r.at >= low)
            previous = _secure_delete(conn, 1)
            edge = conn.execute(
                select(r.at).where(*due).order_by(r.at).offset(batch - 1).limit(1)
            ).scalar()
            high = cutoff if edge is None else float(edge)
            deleted = conn.execute(delete(record_records).where(*due, r.at <= high)).rowcount
            _secure_delete(conn, previous)
            if deleted:
                _journal(conn, run_id, records=deleted)
        if deleted:
            yield deleted
        if edge is None:
            return
        low = high
