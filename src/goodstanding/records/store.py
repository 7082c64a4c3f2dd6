"""The record store: group-chat messages kept encrypted under per-group, per-period data
keys, read back one by one or exported for an auditor; holds and purge go through it too."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, insert, select, tuple_
from sqlalchemy.exc import IntegrityError

from goodstanding.policy.retention import Hold, Retention, Scope, period_of
from goodstanding.records.checks import check_id, check_time, iso
from goodstanding.records.crypto import MasterKey, MasterKeyError, RecordsError, record_aad
from goodstanding.records.holds import lift_hold, list_holds, place_hold
from goodstanding.records.keys import DataKeys
from goodstanding.records.purge import Census, PurgeProgress, PurgeReport, census, purge
from goodstanding.records.tables import RECORD_TABLES, record_keys, record_records
from goodstanding.store.schema import metadata

_ATTEMPTS = 3
_RECORD_COLUMNS = (
    record_records.c.content_id,
    record_records.c.group_id,
    record_records.c.author_id,
    record_records.c.at,
    record_records.c.period,
    record_records.c.nonce,
    record_records.c.ciphertext,
    record_records.c.key_id,
    record_keys.c.wrapped_key,
    record_keys.c.master_key_id,
    record_keys.c.group_id.label("key_group"),
    record_keys.c.period.label("key_period"),
)
"""What decrypting a record needs: the record, its data key and the key's binding."""


class RecordNotFoundError(RecordsError, LookupError):
    """No record has this content id (never stored, or deleted by a purge)."""


class RecordShreddedError(RecordNotFoundError):
    """The record's row is still there but its data key was destroyed: it is unreadable."""


class DuplicateRecordError(RecordsError):
    """A record with this content id is already stored (a stored body is never replaced)."""


class Message(NamedTuple):
    """One group message to store."""

    content_id: str
    group_id: str
    author_id: str
    at: float
    text: str


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
        self.keys = DataKeys(master, previous_masters)

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
        check_id(m.content_id, "content_id")
        check_id(m.group_id, "group_id")
        check_id(m.author_id, "author_id")
        at = check_time(m.at, "at")
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
                self.keys.keep(key)
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
        keys, created = self.keys.for_pairs(conn, pairs)
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
                select(*_RECORD_COLUMNS, k.destroyed_at)
                .join(record_keys, k.id == r.key_id)
                .where(r.content_id == content_id)
            ).first()
        if row is None:
            raise RecordNotFoundError(f"no record {content_id!r}")
        if row.destroyed_at is not None or row.wrapped_key is None:
            raise RecordShreddedError(
                f"record {content_id!r} was purged: its data key {row.key_id} was destroyed "
                f"at {iso(float(row.destroyed_at or 0.0))}"
            )
        return self._decrypt(row)

    def readable(self, conn: Connection, content_ids: Sequence[str]) -> dict[str, str]:
        """The decrypted bodies of those of these records that can still be read (not purged,
        and their keys at hand), by content id, read through `conn` (for replaying many)."""
        r, k = record_records.c, record_keys.c
        found: dict[str, str] = {}
        for start in range(0, len(content_ids), 500):
            rows = conn.execute(
                select(*_RECORD_COLUMNS, k.destroyed_at)
                .join(record_keys, k.id == r.key_id)
                .where(r.content_id.in_(content_ids[start : start + 500]))
            )
            for row in rows:
                if row.destroyed_at is None and row.wrapped_key is not None:
                    try:
                        found[row.content_id] = self._decrypt(row)
                    except RecordsError:
                        continue
        return found

    def _decrypt(self, row: Any) -> str:
        key = self.keys.unwrap(
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
        start, end = check_time(start, "start"), check_time(end, "end")
        r, k = record_records.c, record_keys.c
        cursor: tuple[float, str] | None = None
        while True:
            query = (
                select(*_RECORD_COLUMNS)
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
                    "time": iso(at),
                    "period": row.period,
                    "text": self._decrypt(row),
                }
            if len(rows) < chunk:
                return
            cursor = (float(rows[-1].at), rows[-1].content_id)

    # -- holds, retention, master keys ----------------------------------------------------

    def place_hold(self, scope: Scope, target: str, reason: str, by: str, at: float) -> Hold:
        """Places a legal hold on a group's or an account's records; returns it (with its id)."""
        return place_hold(self.engine, scope, target, reason, by, at)

    def lift_hold(self, hold_id: int, by: str, at: float) -> Hold:
        """Lifts a hold (records it covered become deletable again); returns it as lifted.
        A hold is lifted once: `HoldError` if it is unknown or already lifted."""
        return lift_hold(self.engine, hold_id, by, at)

    def holds(self, *, active_at: float | None = None) -> list[Hold]:
        """Every hold in id order, or only those active at `active_at`."""
        return list_holds(self.engine, active_at=active_at)

    def census(self, now: float) -> Census:
        """How many records are under the minimum, retained, held past the maximum or due
        for deletion at `now`, and how many data keys are live, destroyed or kept for holds."""
        return census(self.engine, self.retention, now)

    def purge(
        self,
        now: float,
        batch: int = 10_000,
        *,
        progress: Callable[[PurgeProgress], None] | None = None,
    ) -> PurgeReport:
        """Deletes every record past the maximum and not on hold, and destroys the data keys
        of periods entirely past the maximum with no held record. Idempotent; killed at any
        point, a rerun finishes the work (see `goodstanding.records.purge`)."""
        return purge(self.engine, self.keys, self.retention, now, batch, progress=progress)

    def rewrap_keys(self, batch: int = 1000) -> int:
        """Rewraps every live data key not wrapped by the current master key (after a master
        key rotation; the previous keys must be loaded); returns how many. Idempotent."""
        return self.keys.rewrap(self.engine, batch)
