"""Verify covers every column replay or a query reads: each denormalised column of the event
log and of the audit log is checked against the hashed body (issue 12.9)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from goodstanding.pipeline import Ingestor, load_policies, replay
from goodstanding.store import ChainError, Store, verify
from helpers import POLICY_V1
from test_pipeline import stream

TAMPERS = {
    "id": "id = 'forged'",
    "type": "type = 'content.engaged'",
    "at": "at = 4102444800.0",  # 2100-01-01
    "actor": "actor = 'm9'",
}


def _store(url: str) -> Store:
    store = Store.open(url)
    Ingestor(store, load_policies(store, [str(POLICY_V1)])).ingest(stream())
    store.audit("op", "records.hold.place", "account:m1", "a court order", 1.8e9)
    store.audit("op", "records.hold.lift", "account:m1", "order lifted", 1.8e9 + 1)
    assert verify(store).ok
    return store


@pytest.mark.parametrize("column", sorted(TAMPERS))
def test_a_tampered_event_column_is_named(db_url: str, column: str) -> None:
    store = _store(db_url)
    with store.engine.begin() as conn:
        conn.execute(text(f"UPDATE events SET {TAMPERS[column]} WHERE seq = 10"))
    report = verify(store)
    assert not report.ok and report.seq == 10 and report.log == "events"
    assert f"entry 10 (id 'd1'): its {column!r} column" in (report.problem or "")
    with pytest.raises(ChainError, match="entry 10"):
        replay(store, load_policies(store))


@pytest.mark.parametrize("column", sorted(TAMPERS))
def test_a_tampered_audit_column_is_named(db_url: str, column: str) -> None:
    store = _store(db_url)
    with store.engine.begin() as conn:
        conn.execute(text(f"UPDATE audit_log SET {TAMPERS[column]} WHERE seq = 2"))
    report = verify(store)
    assert not report.ok and report.seq == 2 and report.log == "audit"
    assert f"audit entry 2 (id 'audit-2'): its {column!r} column" in (report.problem or "")
