"""The shell's store: SQLAlchemy over SQLite (default) or PostgreSQL, migrated by Alembic."""

from goodstanding.store.console import Claim, ConsoleRows, Note, Session
from goodstanding.store.database import OnWait, StoreError, WriterBusy, default_url
from goodstanding.store.detection_cache import DetectionCache
from goodstanding.store.log import (
    GENESIS,
    ChainError,
    Log,
    LogBroken,
    LogEntry,
    VerifyReport,
    entry_hash,
    head_key,
    verify,
)
from goodstanding.store.projections import Projections
from goodstanding.store.state import KeyedState


class Store(Log, KeyedState, Projections, ConsoleRows, DetectionCache):
    """A goodstanding database (SQLite or PostgreSQL): opened and migrated (database.py), its
    hash-chained logs (log.py), keyed state (state.py), projections (projections.py), the
    console's own rows (console.py) and the detection cache (detection_cache.py)."""


__all__ = [
    "GENESIS",
    "ChainError",
    "Claim",
    "LogBroken",
    "LogEntry",
    "Note",
    "OnWait",
    "Session",
    "Store",
    "StoreError",
    "VerifyReport",
    "WriterBusy",
    "default_url",
    "entry_hash",
    "head_key",
    "verify",
]
