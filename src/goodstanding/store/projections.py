"""Projections: effects written as rows of the table their type maps to, emptied before a
replay, and digested to compare two stores."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from sqlalchemy import Connection, select
from sqlalchemy.sql.schema import Table

from goodstanding.engine import Effect
from goodstanding.engine.effects import (
    AdminRightsChanged,
    AppealDecidedEffect,
    AppealFiledEffect,
    CommentReviewed,
    Denial,
    Flagged,
    GroupFlagged,
    IdentityChanged,
    LabelChanged,
    LedgerEntry,
    Notice,
    SanctionImposed,
    SanctionLifted,
    StrikeIssued,
)
from goodstanding.store import schema
from goodstanding.store.database import Database

TABLE_OF: dict[type[Effect], Table] = {
    LedgerEntry: schema.ledger,
    Denial: schema.denials,
    StrikeIssued: schema.strikes,
    SanctionImposed: schema.sanctions,
    LabelChanged: schema.labels,
    Notice: schema.notices,
    AdminRightsChanged: schema.admin_rights,
    GroupFlagged: schema.group_flags,
    AppealFiledEffect: schema.appeal_log,
    AppealDecidedEffect: schema.appeal_log,
    Flagged: schema.flags,
    IdentityChanged: schema.identity_log,
    SanctionLifted: schema.sanction_lifts,
    CommentReviewed: schema.comment_reviews,
}
"""The projection table each type of effect is written to. A table's columns after its key
(event_seq, n, event_id, at) are read from the effect's fields of the same name; a column
the effect has no field for is NULL, and a tuple field is stored as a JSON list."""

_KEY_COLUMNS = ("event_seq", "n", "event_id", "at")
_dumps = msgspec.json.Encoder().encode


def _fields(effect_type: type[Effect], table: Table) -> tuple[str | None, ...]:
    """The effect's field behind each of the table's value columns (None: no such field)."""
    names = [c.name for c in table.columns]
    if tuple(names[: len(_KEY_COLUMNS)]) != _KEY_COLUMNS:
        raise TypeError(f"{table.name} is not keyed by {', '.join(_KEY_COLUMNS)}")
    own = set(effect_type.__struct_fields__)
    unstored = own - set(names)
    if unstored:
        raise TypeError(
            f"{effect_type.__name__} has fields {sorted(unstored)} that {table.name} "
            "has no column for"
        )
    return tuple(name if name in own else None for name in names[len(_KEY_COLUMNS) :])


_FIELDS = {effect_type: _fields(effect_type, table) for effect_type, table in TABLE_OF.items()}


def _column(value: Any) -> Any:
    return _dumps(list(value)).decode() if isinstance(value, tuple) else value


def projection_row(effect: Effect, seq: int, n: int) -> tuple[Table, tuple[Any, ...]]:
    """The projection table of an effect and its row, keyed by (log position, index)."""
    fields = _FIELDS.get(type(effect))
    if fields is None:
        raise TypeError(f"no projection for effect {type(effect).__name__}")
    values = tuple(None if f is None else _column(getattr(effect, f)) for f in fields)
    return TABLE_OF[type(effect)], (seq, n, effect.event_id, effect.at, *values)


class Projections(Database):
    """The store's projections of the effects."""

    def write_effects(self, conn: Connection, effects: list[tuple[int, int, Effect]]) -> None:
        """Writes effects as projection rows, keyed by (log position, index)."""
        rows: dict[Table, list[tuple[Any, ...]]] = {}
        for seq, n, effect in effects:
            table, row = projection_row(effect, seq, n)
            rows.setdefault(table, []).append(row)
        for table, batch in rows.items():
            self.insert_many(conn, table, batch)

    def reset_projections(self, conn: Connection) -> None:
        """Empties every projection and the keyed state (before a replay)."""
        for table in schema.PROJECTIONS:
            conn.execute(table.delete())

    def digest(self) -> str:
        """A SHA-256 over every projection's rows in key order (equal digests: equal tables)."""
        digest = hashlib.sha256()
        with self.engine.connect() as conn:
            for table in schema.PROJECTIONS:
                digest.update(table.name.encode())
                keys = list(table.primary_key.columns)
                for row in conn.execute(select(table).order_by(*keys)):
                    digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()
