"""The hash-chained logs (the event log and the audit log): entry hashes, the head,
appending, the audit chain, and verifying a chain entry by entry."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection, select
from sqlalchemy.sql.schema import Table

from goodstanding.events import brief
from goodstanding.store import schema
from goodstanding.store.database import Database

GENESIS = "0" * 64
_dumps = msgspec.json.Encoder().encode


def entry_hash(seq: int, prev_hash: str, body: bytes) -> str:
    """The hash of a log entry: its position, the previous entry's hash and its body."""
    digest = hashlib.sha256(f"{seq}\n{prev_hash}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def head_key(table: Table) -> str:
    """The metadata key under which a chained log's head is recorded."""
    return "head" if table is schema.events else f"{table.name}_head"


@dataclass(frozen=True)
class LogEntry:
    """One entry of the event log as stored."""

    seq: int
    id: str
    type: str
    at: float
    actor: str
    body: bytes
    prev_hash: str
    hash: str


class Tail:
    """The end of a chained log while entries are added to it: the last position and hash."""

    def __init__(self, seq: int, hash: str):
        self.seq = seq
        self.hash = hash

    def link(self, id: str, type: str, at: float, actor: str, body: bytes) -> dict[str, Any]:
        """The row of the next entry (in the log's column order), chained to the last one."""
        self.seq += 1
        digest = entry_hash(self.seq, self.hash, body)
        row = {
            "seq": self.seq,
            "id": id,
            "type": type,
            "at": at,
            "actor": actor,
            "body": body,
            "prev_hash": self.hash,
            "hash": digest,
        }
        self.hash = digest
        return row


class ChainError(RuntimeError):
    """The log's hash chain is broken at a named entry."""

    def __init__(self, seq: int, event_id: str | None, message: str):
        self.seq = seq
        self.event_id = event_id
        super().__init__(
            f"entry {seq}" + (f" (id {event_id!r})" if event_id else "") + f": {message}"
        )


class LogBroken(RuntimeError):
    """The event log's head does not check: the same problem `verify` names."""


def _altered(name: str) -> str:
    return f"{name} was altered: its body does not match its hash"


def _removed_from_end(label: str, count: int, head_seq: int) -> str:
    return (
        f"the log ends at {label} {count} but its recorded "
        f"head is {label} {head_seq}: entries were removed from the end"
    )


class Log(Database):
    """The store's hash-chained logs."""

    def head(self, conn: Connection, table: Table = schema.events) -> tuple[int, str]:
        """The last entry's position and hash (0 and the genesis hash for an empty log)."""
        row = conn.execute(
            select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1)
        ).first()
        return (int(row[0]), str(row[1])) if row else (0, GENESIS)

    def tail(self, conn: Connection, table: Table = schema.events) -> Tail:
        """The end of a chained log, to link new entries to."""
        return Tail(*self.head(conn, table))

    def checked_tail(self, conn: Connection) -> Tail:
        """The end of the event log, once its head checks (LogBroken if not): the last entry's
        hash recomputed from its body, and the recorded head marker naming that entry. A
        cheap check before appending, not a full verify."""
        events = schema.events
        row = conn.execute(select(events).order_by(events.c.seq.desc()).limit(1)).first()
        marker = conn.execute(
            select(schema.meta.c.value).where(schema.meta.c.key == head_key(events))
        ).scalar()
        seq, last = (int(row.seq), str(row.hash)) if row else (0, GENESIS)
        if row is not None:
            body = row.body.encode() if isinstance(row.body, str) else bytes(row.body)
            if entry_hash(seq, row.prev_hash, body) != last:
                raise LogBroken(_altered(f"entry {seq} (id {row.id!r})"))
        if marker is not None:
            head_seq, _, head_hash = str(marker).partition(":")
            if int(head_seq) != seq:
                raise LogBroken(_removed_from_end("entry", seq, int(head_seq)))
            if head_hash != last:
                raise LogBroken(
                    f"entry {seq} (id {row.id if row else None!r}) is not the recorded head "
                    f"(hash {head_hash[:12]}..., found {last[:12]}...): it was replaced"
                )
        return Tail(seq, last)

    def logged_bodies(self, conn: Connection, ids: Sequence[str]) -> dict[str, bytes]:
        """The logged bodies of those of these event ids already in the log."""
        found: dict[str, bytes] = {}
        columns = [schema.events.c.id, schema.events.c.body]
        for row in self._matching(conn, columns, schema.events.c.id, ids):
            body = row[1]
            found[row[0]] = body.encode() if isinstance(body, str) else bytes(body)
        return found

    def append(
        self, conn: Connection, rows: list[dict[str, Any]], table: Table = schema.events
    ) -> None:
        """Appends chained entries (seq, id, type, at, actor, body, prev_hash, hash) and
        records the new head (so removing entries from the end is detected)."""
        if rows:
            self.insert_many(conn, table, [tuple(r.values()) for r in rows])
            self._set_meta(conn, head_key(table), f"{rows[-1]['seq']}:{rows[-1]['hash']}")

    def audit(
        self,
        actor: str,
        action: str,
        target: str,
        reason: str,
        at: float,
        details: dict[str, Any] | None = None,
    ) -> int:
        """Records what a person did through goodstanding (who, what, when, why) in the
        hash-chained audit log, under the write lock; returns its position."""
        with self.engine.begin() as conn:
            self.write_lock(conn)
            tail = self.tail(conn, schema.audit_log)
            entry_id = f"audit-{tail.seq + 1}"
            body = _dumps(
                {
                    "id": entry_id,
                    "type": action,
                    "at": at,
                    "actor": actor,
                    "target": target,
                    "reason": reason,
                    "details": details or {},
                }
            )
            self.append(conn, [tail.link(entry_id, action, at, actor, body)], schema.audit_log)
        return tail.seq

    def entries(
        self, conn: Connection, batch: int = 5000, table: Table = schema.events
    ) -> Iterator[LogEntry]:
        """Every entry of a chained log, in order."""
        last = 0
        while True:
            rows = conn.execute(
                select(table).where(table.c.seq > last).order_by(table.c.seq).limit(batch)
            ).all()
            if not rows:
                return
            for row in rows:
                body = row.body.encode() if isinstance(row.body, str) else bytes(row.body)
                yield LogEntry(
                    int(row.seq),
                    row.id,
                    row.type,
                    float(row.at),
                    row.actor,
                    body,
                    row.prev_hash,
                    row.hash,
                )
            last = int(rows[-1].seq)


@dataclass
class VerifyReport:
    """The outcome of checking the log's hash chain."""

    entries: int
    ok: bool
    problem: str | None = None
    seq: int | None = None
    event_id: str | None = None
    audit_entries: int = 0
    log: str = "events"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, keyed by field name."""
        return asdict(self)


def verify(store: Log) -> VerifyReport:
    """Checks the event log and the audit log, entry by entry, against their hashes and
    predecessors; names the first bad entry."""
    report = _verify_chain(store, schema.events, "entry")
    if not report.ok:
        return report
    audit = _verify_chain(store, schema.audit_log, "audit entry")
    if not audit.ok:
        audit.entries = report.entries
        audit.log = "audit"
        return audit
    report.audit_entries = audit.entries
    return report


CHAINED_COLUMNS = frozenset({"seq", "body", "prev_hash", "hash"})
"""The columns the hash chain itself covers; every other column is copied from the body."""


def _body_time(value: object) -> float | None:
    """An `at` as the body holds it (RFC 3339 in events, seconds in the audit log)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("z", "Z")).timestamp()
        except ValueError:
            return None
    return None


def column_mismatch(entry: LogEntry, body: dict[str, Any], label: str) -> str | None:
    """Which denormalised column of a chained entry (every column but those the chain
    covers) no longer matches its hashed body, as a message naming the entry and column;
    None when all match."""
    name = f"{label} {entry.seq} (id {brief(body.get('id'))})"
    for column in (c.name for c in schema.events.columns):
        if column in CHAINED_COLUMNS:
            continue
        stored = getattr(entry, column)
        if column == "at":
            expected: object = _body_time(body.get("at"))
        else:
            expected = body.get(column)
        if stored != expected:
            return (
                f"{name}: its {column!r} column holds {brief(stored)} but its hashed body "
                f"says {brief(expected)}: the column was altered"
            )
    return None


def _verify_chain(store: Log, table: Table, label: str) -> VerifyReport:
    decoder = msgspec.json.Decoder(dict[str, Any])
    expected_seq, prev = 1, GENESIS
    count = 0

    def broken(seq: int, event_id: str | None, problem: str) -> VerifyReport:
        return VerifyReport(count, False, problem, seq, event_id)

    with store.engine.connect() as conn:
        for entry in store.entries(conn, table=table):
            count += 1
            name = f"{label} {entry.seq} (id {entry.id!r})"
            if entry.seq != expected_seq:
                return broken(
                    expected_seq,
                    None,
                    f"{label} {expected_seq} is missing: the log "
                    f"jumps from {expected_seq - 1} to {entry.seq} (deleted)",
                )
            if entry.prev_hash != prev:
                return broken(
                    entry.seq,
                    entry.id,
                    f"{name} does not follow {label} "
                    f"{entry.seq - 1}: an entry before it was altered, deleted or "
                    "reordered",
                )
            if entry_hash(entry.seq, entry.prev_hash, entry.body) != entry.hash:
                return broken(entry.seq, entry.id, _altered(name))
            problem = column_mismatch(entry, decoder.decode(entry.body), label)
            if problem is not None:
                return broken(entry.seq, entry.id, problem)
            prev = entry.hash
            expected_seq += 1
    head = store.meta_value(head_key(table))
    if head is not None:
        head_seq = int(head.split(":", 1)[0])
        if head_seq != count:
            return broken(count + 1, None, _removed_from_end(label, count, head_seq))
    return VerifyReport(count, True)
