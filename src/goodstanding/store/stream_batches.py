"""The micro-batches a stream has applied: one row per (query id, batch id), written in the
transaction that applies the batch, so that a batch delivered again after a crash is
recognised and skipped (`goodstanding stream`, pipeline/stream.py)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import BigInteger, Column, Connection, Integer, String, Table, select

from goodstanding.store.database import Database
from goodstanding.store.schema import metadata

stream_batches = Table(
    "stream_batches",
    metadata,
    Column("query_id", String(64), primary_key=True),
    Column("batch_id", BigInteger, primary_key=True),
    Column("accepted", Integer, nullable=False),
    Column("refused", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("head_seq", BigInteger, nullable=False),
    Column("head_hash", String(64), nullable=False),
)


class AppliedBatch(NamedTuple):
    """A stream's micro-batch as applied: its ids, what became of its lines and the log's
    head once it was committed."""

    query_id: str
    batch_id: int
    accepted: int
    refused: int
    duplicates: int
    head_seq: int
    head_hash: str


class StreamBatches(Database):
    """The applied micro-batches of streams, by (query id, batch id)."""

    def applied_batch(self, conn: Connection, query_id: str, batch_id: int) -> bool:
        """Whether this micro-batch of this query is recorded as applied."""
        table = stream_batches.c
        found = conn.execute(
            select(table.batch_id).where(table.query_id == query_id, table.batch_id == batch_id)
        ).first()
        return found is not None

    def record_batch(self, conn: Connection, batch: AppliedBatch) -> None:
        """Records a micro-batch as applied, in the transaction that applied it."""
        conn.execute(stream_batches.insert(), [batch._asdict()])

    def applied_batches(self) -> list[AppliedBatch]:
        """Every recorded micro-batch, by query id and batch id."""
        table = stream_batches.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(stream_batches).order_by(table.query_id, table.batch_id))
            return [AppliedBatch(*row) for row in rows]
