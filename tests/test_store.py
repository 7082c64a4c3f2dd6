"""The store on its own: refusing databases not ours, the table-driven projections, and the
audit chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from goodstanding.engine import Effect
from goodstanding.engine.effects import AppealFiledEffect, LedgerEntry, SanctionImposed
from goodstanding.store import Store, StoreError, verify
from goodstanding.store import schema as tables
from goodstanding.store.projections import TABLE_OF, projection_row


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with create_engine(f"sqlite:///{other}").begin() as conn:
        conn.execute(text("CREATE TABLE customers (id INTEGER)"))
    with pytest.raises(StoreError, match="not a goodstanding store"):
        Store.open(f"sqlite:///{other}")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="not a database goodstanding can open"):
        Store.open(f"sqlite:///{junk}")


def _concrete(kind: type[Effect]) -> set[type[Effect]]:
    subclasses = set(kind.__subclasses__())
    return subclasses.union(*(_concrete(s) for s in subclasses))


def test_every_effect_has_a_projection() -> None:
    assert _concrete(Effect) == set(TABLE_OF)
    assert set(TABLE_OF.values()) <= set(tables.PROJECTIONS)


def test_a_row_is_read_from_the_effect_fields() -> None:
    entry = LedgerEntry(
        event_id="e1",
        at=5.0,
        account_id="a",
        delta=-2.0,
        reason="strike",
        policy_version="1",
        evidence=("e0", "e1"),
    )
    assert projection_row(entry, 7, 2) == (
        tables.ledger,
        (7, 2, "e1", 5.0, "a", -2.0, "strike", "1", None, '["e0","e1"]', None),
    )
    filed = AppealFiledEffect(
        event_id="e2", at=6.0, appeal_id="ap", decision_id="d", account_id="a"
    )
    table, row = projection_row(filed, 8, 0)
    assert table is tables.appeal_log
    assert row == (8, 0, "e2", 6.0, "ap", "d", "a", None, None, None)


def test_optional_tuples_stay_null() -> None:
    sanction = SanctionImposed(
        event_id="e3",
        at=1.0,
        sanction_id="s",
        account_id="a",
        action="warn",
        until=None,
        rule_id=None,
        policy_version="1",
        trigger="strikes",
        reasons="why",
    )
    _, row = projection_row(sanction, 1, 0)
    assert row[-2:] == ("[]", None)


def test_an_effect_without_a_projection_is_refused() -> None:
    class Unknown(Effect, frozen=True, kw_only=True, tag="unknown"):
        pass

    with pytest.raises(TypeError, match="no projection for effect Unknown"):
        projection_row(Unknown(event_id="e", at=0.0), 1, 0)


def test_the_audit_log_is_a_chain_that_verify_checks(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'gs.db'}")
    assert store.audit("op", "records.hold.place", "group:g1", "court order", 1.0) == 1
    assert store.audit("op", "records.hold.lift", "group:g1", "lifted", 2.0, {"hold": "h1"}) == 2
    report = verify(store)
    assert report.ok and report.audit_entries == 2
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET body = REPLACE(body, 'lifted', 'kept')"))
    broken = verify(store)
    assert (broken.ok, broken.log, broken.seq) == (False, "audit", 2)
    assert "was altered" in (broken.problem or "")
