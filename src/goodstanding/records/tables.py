"""Tables of group-chat records, on the store's shared `metadata` (names prefixed `record_`).

- `record_keys`: one data key per (group, period) at a time, stored only wrapped by the
  master key; destroying it (``wrapped_key`` set to NULL, ``destroyed_at`` set) shreds every
  copy of the records it encrypted. At most one live key per (group, period): a partial
  unique index (live = ``destroyed_at IS NULL``). Key ids are never reused.
- `record_records`: one group message, its body AES-GCM-encrypted under ``key_id``.
- `record_holds`: legal holds on a group or an account; a hold is never deleted, only lifted.
- `record_purges`: a journal of purge runs, its counters updated in the same transaction as
  the work they count (exact even when a run is killed).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Double,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
)

from goodstanding.store.schema import BIG_ID, metadata


def _numbered(name: str, *columns: Column[object]) -> Table:
    """A table keyed by an `id` the database assigns and never reuses, even after a delete
    (SQLite's AUTOINCREMENT)."""
    return Table(
        name,
        metadata,
        Column("id", BIG_ID, primary_key=True, autoincrement=True),
        *columns,
        sqlite_autoincrement=True,
    )


record_keys = _numbered(
    "record_keys",
    Column("group_id", String(200), nullable=False),
    Column("period", String(7), nullable=False),
    Column("wrapped_key", LargeBinary),
    Column("master_key_id", String(100), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("destroyed_at", Double),
)
Index(
    "ux_record_keys_live",
    record_keys.c.group_id,
    record_keys.c.period,
    unique=True,
    sqlite_where=record_keys.c.destroyed_at.is_(None),
    postgresql_where=record_keys.c.destroyed_at.is_(None),
)
Index("ix_record_keys_period", record_keys.c.period)

record_records = Table(
    "record_records",
    metadata,
    Column("content_id", String(200), primary_key=True),
    Column("group_id", String(200), nullable=False),
    Column("author_id", String(200), nullable=False),
    Column("at", Double, nullable=False),
    Column("period", String(7), nullable=False),
    Column("key_id", BIG_ID, ForeignKey("record_keys.id"), nullable=False),
    Column("nonce", LargeBinary, nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
)
Index("ix_record_records_at", record_records.c.at)
Index("ix_record_records_group_at", record_records.c.group_id, record_records.c.at)
Index("ix_record_records_key", record_records.c.key_id)

record_holds = _numbered(
    "record_holds",
    Column("scope", String(16), nullable=False),
    Column("target", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("placed_by", String(200), nullable=False),
    Column("placed_at", Double, nullable=False),
    Column("lifted_by", String(200)),
    Column("lifted_at", Double),
)
Index("ix_record_holds_target", record_holds.c.scope, record_holds.c.target)

record_purges = _numbered(
    "record_purges",
    Column("now", Double, nullable=False),
    Column("cutoff", Double, nullable=False),
    Column("min_days", Double, nullable=False),
    Column("max_days", Double, nullable=False),
    Column("started_at", Double, nullable=False),
    Column("finished_at", Double),
    Column("records_deleted", BigInteger, nullable=False),
    Column("keys_destroyed", BigInteger, nullable=False),
)

RECORD_TABLES: tuple[Table, ...] = (record_keys, record_records, record_holds, record_purges)
"""Every table of this package, in creation order (for `metadata.create_all(tables=...)`)."""
