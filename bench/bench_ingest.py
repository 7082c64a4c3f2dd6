"""Durable ingest into SQLite and PostgreSQL, and replay of 1,000,000 events."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import note, postgres_url, report, sim_stream, throwaway_keys, timed
from goodstanding.pipeline import Ingestor, load_policies, replay
from goodstanding.store import Store
from goodstanding.store import schema as tables

ACCOUNTS, DAYS = 20_000, 90  # about 1.08 million events


def _ingest(url: str, path: Path) -> tuple[Store, int, float]:
    store = Store.open(url)
    ingestor = Ingestor(store, load_policies(store))
    with path.open("rb") as lines:
        result, seconds = timed(lambda: ingestor.ingest(lines))
    return store, result.accepted, seconds


def main() -> None:
    """Prints ingest rates (SQLite, PostgreSQL) and the replay time of the SQLite log."""
    throwaway_keys()
    path = sim_stream(ACCOUNTS, DAYS)
    conditions = f"sim {ACCOUNTS:,} accounts x {DAYS} days, default policy, batches of 20,000"
    with tempfile.TemporaryDirectory() as folder:
        note("ingesting into SQLite")
        store, accepted, seconds = _ingest(f"sqlite:///{folder}/bench.db", path)
        report(
            "durable ingest, SQLite (WAL)",
            accepted / seconds,
            "events/s",
            f"{accepted:,} events; {conditions}",
        )
        events = store.count(tables.events)
        note(f"replaying {events:,} events")
        replayed, seconds = timed(lambda: replay(store, load_policies(store)))
        report(
            "replay, SQLite",
            seconds * 1_000_000 / replayed,
            "s per 1,000,000 events",
            f"{replayed:,} events replayed: verify chain, rebuild all projections",
        )
        store.close()
    note("starting PostgreSQL and ingesting")
    with postgres_url() as url:
        store, accepted, seconds = _ingest(url, path)
        report(
            "durable ingest, PostgreSQL 15",
            accepted / seconds,
            "events/s",
            f"{accepted:,} events; local server, COPY; {conditions}",
        )
        store.close()
