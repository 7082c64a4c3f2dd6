"""The shell's store: SQLAlchemy over SQLite (default) or PostgreSQL, migrated by Alembic."""

from goodstanding.store.store import (
    GENESIS,
    LogEntry,
    Store,
    StoreError,
    default_url,
    entry_hash,
    head_key,
)

__all__ = ["GENESIS", "LogEntry", "Store", "StoreError", "default_url", "entry_hash", "head_key"]
