"""The record store: encrypted group-chat records, legal holds, auditor export and purge.

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

import math
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    CursorResult,
    Engine,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError

from goodstanding.policy.retention import SCOPES, Hold, Retention, Scope, period_of
from goodstanding.records.crypto import (
    DataKey,
    MasterKey,
    MasterKeyError,
    RecordsError,
    new_data_key,
    record_aad,
)
from goodstanding.records.tables import (
    RECORD_TABLES,
    record_holds,
    record_keys,
    record_purges,
    record_records,
)
from goodstanding.store.schema import metadata

_MAX_ID = 200
_PAIRS_PER_QUERY = 400
_KEY_CACHE = 4096
_ATTEMPTS = 3


class RecordNotFoundError(RecordsError, LookupError):
    """No record has this content id (never stored, or deleted by a purge)."""


class RecordShreddedError(RecordNotFoundError):
    """The record's row is still there but its data key was destroyed: it is unreadable."""


class DuplicateRecordError(RecordsError):
    """A record with this content id is already stored (a stored body is never replaced)."""


class HoldError(RecordsError):
    """A hold cannot be placed or lifted as asked, and why."""


class Message(NamedTuple):
    """One group message to store."""

    content_id: str
    group_id: str
    author_id: str
    at: float
    text: str


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


def _check_id(value: object, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > _MAX_ID:
        raise ValueError(f"{what} must be a non-empty string of at most {_MAX_ID} characters")
    return value


def _check_time(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number of epoch seconds, not {value!r}")
    return float(value)


def _active_targets(scope: Scope, now: float) -> Select[tuple[str]]:
    """The targets of the holds of a scope active at `now`."""
    h = record_holds.c
    return select(h.target).where(h.scope == scope, or_(h.lifted_at.is_(None), h.lifted_at > now))


def _held(now: float) -> ColumnElement[bool]:
    """Whether a `record_records` row is covered by a hold active at `now`."""
    r = record_records.c
    return or_(
        r.group_id.in_(_active_targets("group", now)),
        r.author_id.in_(_active_targets("account", now)),
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


def _inserted_id(result: CursorResult[Any]) -> int:
    """The integer primary key of the row an INSERT just made."""
    key = result.inserted_primary_key
    if key is None or key[0] is None:
        raise RecordsError("the database did not report the new row's id")
    return int(key[0])


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")


class RecordStore:
    """Group-chat records in a goodstanding database (SQLite or PostgreSQL).

    `master` wraps new data keys; `previous_masters` only unwrap keys not yet rewrapped
    (see `rewrap_keys`). `retention` is the policy's `[records]` retention.
    """

    def __init__(
        self,
        engine: Engine,
        master: MasterKey,
        *,
        retention: Retention | None = None,
        previous_masters: Sequence[MasterKey] = (),
    ):
        if not isinstance(master, MasterKey):
            raise MasterKeyError("a RecordStore needs a MasterKey; records are never plaintext")
        self.engine = engine
        self.master = master
        self.retention = retention if retention is not None else Retention()
        self._masters: dict[str, MasterKey] = {m.key_id: m for m in previous_masters}
        self._masters[master.key_id] = master
        self._keys: OrderedDict[int, DataKey] = OrderedDict()
        self._postgres = engine.dialect.name == "postgresql"
        self._sqlite = engine.dialect.name == "sqlite"

    @classmethod
    def from_env(
        cls,
        engine: Engine,
        *,
        retention: Retention | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> RecordStore:
        """A store with the master key from the environment (`MissingMasterKeyError` if none)."""
        return cls(engine, MasterKey.from_env(environ), retention=retention)

    def create_tables(self) -> None:
        """Creates this package's tables where missing (tests and tools; a goodstanding
        store gets them from its migrations)."""
        metadata.create_all(self.engine, tables=list(RECORD_TABLES))

    # -- data keys ------------------------------------------------------------------------

    def _data_key(
        self, key_id: int, group_id: str, period: str, wrapped: bytes, mk: str
    ) -> DataKey:
        cached = self._keys.get(key_id)
        if cached is not None:
            self._keys.move_to_end(key_id)
            return cached
        master = self._masters.get(mk)
        if master is None:
            raise MasterKeyError(
                f"data key {key_id} ({group_id} {period}) is wrapped by master key {mk!r}, "
                f"which is not loaded (loaded: {', '.join(sorted(self._masters))})"
            )
        key = DataKey(key_id, master.unwrap(bytes(wrapped), key_id, group_id, period))
        self._cache(key)
        return key

    def _cache(self, key: DataKey) -> None:
        """Keeps an unwrapped key of a committed row (ids of committed rows are never reused;
        every use checks in the database first that the key is still live)."""
        self._keys[key.id] = key
        if len(self._keys) > _KEY_CACHE:
            self._keys.popitem(last=False)

    def _live_keys(
        self, conn: Connection, pairs: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], DataKey]:
        k = record_keys.c
        found: dict[tuple[str, str], DataKey] = {}
        for start in range(0, len(pairs), _PAIRS_PER_QUERY):
            query = select(k.id, k.group_id, k.period, k.wrapped_key, k.master_key_id).where(
                k.destroyed_at.is_(None),
                tuple_(k.group_id, k.period).in_(pairs[start : start + _PAIRS_PER_QUERY]),
            )
            if self._postgres:
                query = query.with_for_update(read=True)
            for row in conn.execute(query):
                found[(row.group_id, row.period)] = self._data_key(
                    int(row.id), row.group_id, row.period, row.wrapped_key, row.master_key_id
                )
        return found

    def _keys_for(
        self, conn: Connection, pairs: Sequence[tuple[str, str]]
    ) -> tuple[dict[tuple[str, str], DataKey], list[DataKey]]:
        """The live key of each (group, period), creating those missing; and the created
        ones, to cache only once their transaction commits (a rolled-back id may be reused).
        A concurrent writer creating the same key makes this transaction fail with an
        IntegrityError (unique live key per group and period): the caller retries."""
        keys = self._live_keys(conn, pairs)
        missing = [pair for pair in pairs if pair not in keys]
        if not missing:
            return keys, []
        k = record_keys.c
        now = time.time()
        made = conn.execute(
            insert(record_keys).returning(k.id, k.group_id, k.period, sort_by_parameter_order=True),
            [
                {
                    "group_id": group_id,
                    "period": period,
                    "wrapped_key": None,
                    "master_key_id": self.master.key_id,
                    "created_at": now,
                }
                for group_id, period in missing
            ],
        ).all()
        created: list[DataKey] = []
        wrapped: list[dict[str, Any]] = []
        for row in made:
            raw = new_data_key()
            key = DataKey(int(row.id), raw)
            keys[(row.group_id, row.period)] = key
            created.append(key)
            wrapped.append(
                {
                    "b_id": key.id,
                    "b_wrapped": self.master.wrap(raw, key.id, row.group_id, row.period),
                }
            )
        conn.execute(
            update(record_keys)
            .where(k.id == bindparam("b_id"))
            .values(wrapped_key=bindparam("b_wrapped")),
            wrapped,
        )
        return keys, created

    # -- records --------------------------------------------------------------------------

    def put(self, content_id: str, group_id: str, author_id: str, at: float, text: str) -> None:
        """Stores one group message, encrypted (creating its period's data key on demand)."""
        self.put_many([Message(content_id, group_id, author_id, at, text)])

    def put_many(
        self, messages: Iterable[Message | tuple[str, str, str, float, str]], *, chunk: int = 1000
    ) -> int:
        """Stores messages, one transaction per `chunk`; returns how many were stored.
        `DuplicateRecordError` (and that chunk not stored) if a content id is already there."""
        if chunk < 1:
            raise ValueError("chunk must be at least 1")
        total = 0
        pending: list[Message] = []
        for item in messages:
            pending.append(self._checked(Message(*item)))
            if len(pending) >= chunk:
                total += self._store(pending)
                pending = []
        if pending:
            total += self._store(pending)
        return total

    @staticmethod
    def _checked(m: Message) -> Message:
        _check_id(m.content_id, "content_id")
        _check_id(m.group_id, "group_id")
        _check_id(m.author_id, "author_id")
        at = _check_time(m.at, "at")
        period_of(at)
        if not isinstance(m.text, str):
            raise ValueError("text must be a string")
        return m._replace(at=at)

    def _store(self, messages: list[Message]) -> int:
        ids = [m.content_id for m in messages]
        if len(set(ids)) != len(ids):
            twice = sorted(i for i, n in Counter(ids).items() if n > 1)
            raise DuplicateRecordError(f"content id(s) given twice: {', '.join(twice[:5])}")
        periods = [period_of(m.at) for m in messages]
        pairs = sorted({(m.group_id, p) for m, p in zip(messages, periods, strict=True)})
        for attempt in range(_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    rows, created = self._write(conn, messages, periods, pairs)
            except IntegrityError:
                with self.engine.connect() as conn:
                    there = sorted(
                        conn.execute(
                            select(record_records.c.content_id).where(
                                record_records.c.content_id.in_(ids)
                            )
                        ).scalars()
                    )
                if there:
                    raise DuplicateRecordError(
                        f"record(s) already stored: {', '.join(there[:5])}; a stored record is "
                        "never replaced"
                    ) from None
                if attempt == _ATTEMPTS - 1:
                    raise
                continue  # another writer created one of the keys meanwhile: use it
            for key in created:
                self._cache(key)
            return len(rows)
        raise AssertionError("unreachable")

    def _write(
        self,
        conn: Connection,
        messages: list[Message],
        periods: list[str],
        pairs: list[tuple[str, str]],
    ) -> tuple[list[dict[str, Any]], list[Any]]:
        """Encrypts and inserts messages on `conn`; the rows and the keys it created."""
        keys, created = self._keys_for(conn, pairs)
        rows = []
        for m, period in zip(messages, periods, strict=True):
            key = keys[(m.group_id, period)]
            aad = record_aad(m.content_id, m.group_id, m.author_id, m.at)
            nonce, ciphertext = key.encrypt(m.text, aad)
            rows.append(
                {
                    "content_id": m.content_id,
                    "group_id": m.group_id,
                    "author_id": m.author_id,
                    "at": m.at,
                    "period": period,
                    "key_id": key.id,
                    "nonce": nonce,
                    "ciphertext": ciphertext,
                }
            )
        if rows:
            conn.execute(insert(record_records), rows)
        return rows, created

    def put_into(self, conn: Connection, messages: Sequence[Message]) -> int:
        """Stores messages inside the caller's transaction (so a record and the event that
        carried it commit together); ones already stored are skipped (re-ingest is safe).
        Returns how many were stored."""
        checked = [self._checked(Message(*m)) for m in messages]
        ids = [m.content_id for m in checked]
        there = (
            set(
                conn.execute(
                    select(record_records.c.content_id).where(record_records.c.content_id.in_(ids))
                ).scalars()
            )
            if ids
            else set()
        )
        fresh = [m for m in checked if m.content_id not in there]
        periods = [period_of(m.at) for m in fresh]
        pairs = sorted({(m.group_id, p) for m, p in zip(fresh, periods, strict=True)})
        rows, _ = self._write(conn, fresh, periods, pairs)
        return len(rows)

    def get(self, content_id: str) -> str:
        """The decrypted body of a record; `RecordNotFoundError` if there is none,
        `RecordShreddedError` if its data key was destroyed."""
        r, k = record_records.c, record_keys.c
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    r.content_id,
                    r.group_id,
                    r.author_id,
                    r.at,
                    r.period,
                    r.nonce,
                    r.ciphertext,
                    r.key_id,
                    k.wrapped_key,
                    k.master_key_id,
                    k.destroyed_at,
                    k.group_id.label("key_group"),
                    k.period.label("key_period"),
                )
                .join(record_keys, k.id == r.key_id)
                .where(r.content_id == content_id)
            ).first()
        if row is None:
            raise RecordNotFoundError(f"no record {content_id!r}")
        if row.destroyed_at is not None or row.wrapped_key is None:
            raise RecordShreddedError(
                f"record {content_id!r} was purged: its data key {row.key_id} was destroyed "
                f"at {_iso(float(row.destroyed_at or 0.0))}"
            )
        return self._decrypt(row)

    def _decrypt(self, row: Any) -> str:
        key = self._data_key(
            int(row.key_id), row.key_group, row.key_period, row.wrapped_key, row.master_key_id
        )
        aad = record_aad(row.content_id, row.group_id, row.author_id, float(row.at))
        return key.decrypt(
            bytes(row.nonce), bytes(row.ciphertext), aad, what=f"record {row.content_id!r}"
        )

    def export(
        self, group_id: str, start: float, end: float, *, chunk: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """The readable records of a group with `start <= at < end`, oldest first, decrypted,
        for an auditor: dicts with content_id, group_id, author_id, at, time (ISO 8601 UTC),
        period and text. Records whose key was destroyed (purged, rows not yet deleted) are
        not readable and not exported. Streams in chunks (one short read each)."""
        start, end = _check_time(start, "start"), _check_time(end, "end")
        r, k = record_records.c, record_keys.c
        cursor: tuple[float, str] | None = None
        while True:
            query = (
                select(
                    r.content_id,
                    r.group_id,
                    r.author_id,
                    r.at,
                    r.period,
                    r.nonce,
                    r.ciphertext,
                    r.key_id,
                    k.wrapped_key,
                    k.master_key_id,
                    k.group_id.label("key_group"),
                    k.period.label("key_period"),
                )
                .join(record_keys, k.id == r.key_id)
                .where(r.group_id == group_id, r.at >= start, r.at < end, k.destroyed_at.is_(None))
                .order_by(r.at, r.content_id)
                .limit(chunk)
            )
            if cursor is not None:
                query = query.where(tuple_(r.at, r.content_id) > tuple_(*cursor))
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
            for row in rows:
                at = float(row.at)
                yield {
                    "content_id": row.content_id,
                    "group_id": row.group_id,
                    "author_id": row.author_id,
                    "at": at,
                    "time": _iso(at),
                    "period": row.period,
                    "text": self._decrypt(row),
                }
            if len(rows) < chunk:
                return
            cursor = (float(rows[-1].at), rows[-1].content_id)

    # -- holds ----------------------------------------------------------------------------

    def place_hold(self, scope: Scope, target: str, reason: str, by: str, at: float) -> Hold:
        """Places a legal hold on a group's or an account's records; returns it (with its id)."""
        if scope not in SCOPES:
            raise HoldError(f"a hold's scope is 'group' or 'account', not {scope!r}")
        _check_id(target, "a hold's target")
        _check_id(by, "who places a hold")
        if not isinstance(reason, str) or not reason.strip():
            raise HoldError("a hold needs a reason (the legal basis or case it serves)")
        at = _check_time(at, "a hold's time")
        with self.engine.begin() as conn:
            hold_id = _inserted_id(
                conn.execute(
                    insert(record_holds).values(
                        scope=scope, target=target, reason=reason, placed_by=by, placed_at=at
                    )
                )
            )
        return Hold(hold_id, scope, target, reason, by, at)

    def lift_hold(self, hold_id: int, by: str, at: float) -> Hold:
        """Lifts a hold (records it covered become deletable again); returns it as lifted.
        A hold is lifted once: `HoldError` if it is unknown or already lifted."""
        _check_id(by, "who lifts a hold")
        at = _check_time(at, "a hold's lifting time")
        h = record_holds.c
        with self.engine.begin() as conn:
            query = select(record_holds).where(h.id == hold_id)
            if self._postgres:
                query = query.with_for_update()
            row = conn.execute(query).first()
            if row is None:
                raise HoldError(f"no hold {hold_id}")
            hold = _hold(row)
            if hold.lifted_at is not None:
                raise HoldError(
                    f"hold {hold_id} was already lifted by {hold.lifted_by} at "
                    f"{_iso(hold.lifted_at)}"
                )
            if at < hold.placed_at:
                raise HoldError(
                    f"hold {hold_id} cannot be lifted at {_iso(at)}, before it was placed "
                    f"({_iso(hold.placed_at)})"
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

    def holds(self, *, active_at: float | None = None) -> list[Hold]:
        """Every hold in id order, or only those active at `active_at`."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(record_holds).order_by(record_holds.c.id)).all()
        found = [_hold(row) for row in rows]
        return found if active_at is None else [h for h in found if h.active(active_at)]

    # -- retention ------------------------------------------------------------------------

    def census(self, now: float) -> Census:
        """How many records are under the minimum, retained, held past the maximum or due
        for deletion at `now`, and how many data keys are live, destroyed or kept for holds."""
        now = _check_time(now, "now")
        with self.engine.connect() as conn:
            return self._census(conn, now)

    def _census(self, conn: Connection, now: float) -> Census:
        r, k = record_records.c, record_keys.c
        cutoff, floor = self.retention.cutoff(now), self.retention.floor(now)
        cutoff_period = self.retention.cutoff_period(now)

        def count(table: Any, *where: ColumnElement[bool]) -> int:
            return int(
                conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
            )

        records = count(record_records)
        under = count(record_records, r.at > floor)
        retained = count(record_records, r.at > cutoff, r.at <= floor)
        held = count(record_records, r.at <= cutoff, _held(now))
        live = count(record_keys, k.destroyed_at.is_(None))
        return Census(
            now=now,
            cutoff=cutoff,
            records=records,
            under_minimum=under,
            retained=retained,
            held_past_maximum=held,
            due=records - under - retained - held,
            keys_live=live,
            keys_destroyed=count(record_keys) - live,
            keys_kept_for_holds=count(
                record_keys, k.destroyed_at.is_(None), k.period < cutoff_period
            ),
        )

    def purge(
        self,
        now: float,
        batch: int = 10_000,
        *,
        progress: Callable[[PurgeProgress], None] | None = None,
    ) -> PurgeReport:
        """Deletes every record past the maximum and not on hold, and destroys the data keys
        of periods entirely past the maximum with no held record. Idempotent; killed at any
        point, a rerun finishes the work (see the module docstring)."""
        now = _check_time(now, "now")
        if batch < 1:
            raise ValueError("batch must be at least 1")
        started = time.perf_counter()
        cutoff = self.retention.cutoff(now)
        p = record_purges.c
        with self.engine.begin() as conn:
            interrupted = tuple(
                int(i)
                for i in conn.execute(
                    select(p.id).where(p.finished_at.is_(None)).order_by(p.id)
                ).scalars()
            )
            run_id = _inserted_id(
                conn.execute(
                    insert(record_purges).values(
                        now=now,
                        cutoff=cutoff,
                        min_days=float(self.retention.min_days),
                        max_days=float(self.retention.max_days),
                        started_at=time.time(),
                        records_deleted=0,
                        keys_destroyed=0,
                    )
                )
            )
        batches = keys = records = 0

        def report(phase: Literal["keys", "records"]) -> None:
            if progress is not None:
                progress(PurgeProgress(run_id, phase, batches, keys, records))

        for destroyed in self._destroy_keys(run_id, now, batch):
            batches += 1
            keys += destroyed
            report("keys")
        for deleted in self._delete_records(run_id, now, batch):
            batches += 1
            records += deleted
            report("records")
        with self.engine.begin() as conn:
            census = self._census(conn, now)
            conn.execute(
                update(record_purges).where(p.id == run_id).values(finished_at=time.time())
            )
        return PurgeReport(
            run_id=run_id,
            now=now,
            cutoff=cutoff,
            records_deleted=records,
            keys_destroyed=keys,
            skipped_held=census.held_past_maximum,
            kept_under_minimum=census.under_minimum,
            kept_retained=census.retained,
            keys_kept_for_holds=census.keys_kept_for_holds,
            batches=batches,
            interrupted_runs=interrupted,
            seconds=time.perf_counter() - started,
        )

    def _journal(self, conn: Connection, run_id: int, keys: int = 0, records: int = 0) -> None:
        p = record_purges.c
        conn.execute(
            update(record_purges)
            .where(p.id == run_id)
            .values(
                keys_destroyed=p.keys_destroyed + keys, records_deleted=p.records_deleted + records
            )
        )

    def _secure_delete(self, conn: Connection, mode: int) -> int:
        """On SQLite, sets whether deleted content is overwritten with zeros in the database
        file (1: so a deleted row or destroyed key does not linger in free space); returns
        the previous mode, to restore."""
        if not self._sqlite:
            return mode
        previous = int(conn.exec_driver_sql("PRAGMA secure_delete").scalar() or 0)
        if previous != mode:
            conn.exec_driver_sql(f"PRAGMA secure_delete = {int(mode)}")
        return previous

    def _destroy_keys(self, run_id: int, now: float, batch: int) -> Iterator[int]:
        """Phase 1: destroys, batch by batch, the live keys of entirely expired periods that
        no held record needs; yields how many each committed batch destroyed."""
        k, r = record_keys.c, record_records.c
        cutoff_period = self.retention.cutoff_period(now)
        last = 0
        while True:
            with self.engine.begin() as conn:
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
                        k.group_id.in_(_active_targets("group", now)),
                        exists().where(r.key_id == k.id),
                    ),
                    exists().where(
                        r.key_id == k.id, r.author_id.in_(_active_targets("account", now))
                    ),
                )
                previous = self._secure_delete(conn, 1)
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
                self._secure_delete(conn, previous)
                self._journal(conn, run_id, keys=destroyed)
            for key_id in candidates:
                self._keys.pop(key_id, None)
            last = candidates[-1]
            yield destroyed

    def _delete_records(self, run_id: int, now: float, batch: int) -> Iterator[int]:
        """Phase 2: deletes, batch by batch in time order, the records past the maximum not
        on hold; yields how many each committed batch deleted."""
        r = record_records.c
        cutoff = self.retention.cutoff(now)
        low: float | None = None
        while True:
            with self.engine.begin() as conn:
                due = [r.at <= cutoff, ~_held(now)]
                if low is not None:
                    due.append(r.at >= low)
                previous = self._secure_delete(conn, 1)
                edge = conn.execute(
                    select(r.at).where(*due).order_by(r.at).offset(batch - 1).limit(1)
                ).scalar()
                high = cutoff if edge is None else float(edge)
                deleted = conn.execute(delete(record_records).where(*due, r.at <= high)).rowcount
                self._secure_delete(conn, previous)
                if deleted:
                    self._journal(conn, run_id, records=deleted)
            if deleted:
                yield deleted
            if edge is None:
                return
            low = high

    def rewrap_keys(self, batch: int = 1000) -> int:
        """Rewraps every live data key not wrapped by the current master key (after a master
        key rotation; the previous keys must be loaded); returns how many. Idempotent."""
        k = record_keys.c
        total = 0
        while True:
            with self.engine.begin() as conn:
                rows = conn.execute(
                    select(k.id, k.group_id, k.period, k.wrapped_key, k.master_key_id)
                    .where(k.destroyed_at.is_(None), k.master_key_id != self.master.key_id)
                    .order_by(k.id)
                    .limit(batch)
                ).all()
                for row in rows:
                    key_id = int(row.id)
                    old = self._masters.get(row.master_key_id)
                    if old is None:
                        raise MasterKeyError(
                            f"data key {key_id} is wrapped by master key {row.master_key_id!r}, "
                            "which is not loaded: pass it in previous_masters"
                        )
                    raw = old.unwrap(bytes(row.wrapped_key), key_id, row.group_id, row.period)
                    conn.execute(
                        update(record_keys)
                        .where(k.id == key_id, k.destroyed_at.is_(None))
                        .values(
                            wrapped_key=self.master.wrap(raw, key_id, row.group_id, row.period),
                            master_key_id=self.master.key_id,
                        )
                    )
            total += len(rows)
            if len(rows) < batch:
                return total
