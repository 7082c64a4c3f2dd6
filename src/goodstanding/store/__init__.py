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
from goodstanding.store.stream_batches import AppliedBatch, StreamBatches


class Store(Log, KeyedState, Projections, ConsoleRows, DetectionCache, StreamBatches):
    """A goodstanding database (SQLite or PostgreSQL): opened and migrated (database.py), its
    hash-chained logs (log.py), keyed state (state.py), projections (projections.py), the
    console's own rows (console.py), the detection cache (detection_cache.py) and the
    micro-batches streams applied (stream_batches.py)."""


__all__ = [
    "GENESIS",
    "AppliedBatch",
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
