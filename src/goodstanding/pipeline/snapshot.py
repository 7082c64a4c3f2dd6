"""Reading the store as of one moment, without taking the write lock: a read transaction
(SQLite's deferred BEGIN, PostgreSQL's REPEATABLE READ), in which the log ends at the head
it had when the transaction began, whatever ingests append meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from goodstanding.store import Store


@contextmanager
def read_snapshot(store: Store) -> Iterator[tuple[Connection, tuple[int, str]]]:
    """A connection that reads the store as of now, and the log's head (position, hash) in
    it; nothing is written through it (the transaction is rolled back at the end)."""
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            conn.exec_driver_sql("BEGIN")
        else:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        head = store.head(conn)
        try:
            yield conn, head
        finally:
            conn.rollback()
