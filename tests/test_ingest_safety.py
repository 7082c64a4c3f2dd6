"""Ingest refuses what would mislead the log: future dates
and a broken head."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.store import LogBroken, Store, verify
from goodstanding.store import schema as tables
from helpers import POLICY_V1, line

T0 = "2026-01-02T00:00:00Z"
NOW = datetime(2026, 1, 3, tzinfo=UTC).timestamp()


def ingestor(store: Store, **options: object) -> Ingestor:
    return Ingestor(store, load_policies(store, [str(POLICY_V1)]), now=lambda: NOW, **options)  # type: ignore[arg-type]


def members(n: int = 3) -> list[bytes]:
    return [line("account.registered", T0, f"m{i}", id=f"r{i}") for i in range(1, n + 1)]


def post(id: str, actor: str, text: str, at: str = "2026-01-02T01:00:00Z") -> bytes:
    return line("content.posted", at, actor, id=id, content_id=f"c-{id}", kind="post", text=text)


# -- 11.5 ------------------------------------------------------------------------------


def test_future_dated_events_are_refused_beyond_the_skew(tmp_path: object) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/gs.db")
    gs = ingestor(store, max_skew=300)
    near = post("p1", "m1", "ok", at="2026-01-03T00:04:59Z")
    far = post("p2", "m1", "late", at="2036-01-03T00:00:00Z")
    report = gs.ingest([*members(), near, far])
    assert report.accepted == 4
    [error] = report.errors
    assert error.line == 5 and error.event_id == "p2"
    assert "2036-01-03T00:00:00+00:00" in error.message and "2026-01-03T00:00:00Z" in error.message
    assert "300 s" in error.message and "--allow-future" in error.message


def test_allow_future_accepts_any_date(tmp_path: object) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/gs.db")
    gs = Ingestor(store, load_policies(store, [str(POLICY_V1)]), now=None)
    report = gs.ingest([*members(), post("p2", "m1", "late", at="2036-01-03T00:00:00Z")])
    assert report.accepted == 4 and report.errors == []


def test_a_negative_skew_is_refused(tmp_path: object) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/gs.db")
    with pytest.raises(ValueError, match="max_skew must be at least 0"):
        ingestor(store, max_skew=-1)


# -- 11.9 ------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["alter", "truncate"])
def test_ingest_refuses_a_broken_head_with_verifys_message(db_url: str, damage: str) -> None:
    store = Store.open(db_url)
    gs = ingestor(store)
    gs.ingest(members())
    with store.engine.begin() as conn:
        if damage == "alter":
            conn.execute(text("UPDATE events SET body = :b WHERE seq = 3"), {"b": b"{}"})
        else:
            conn.execute(text("DELETE FROM events WHERE seq = 3"))
    problem = verify(store).problem
    assert problem is not None
    with pytest.raises(LogBroken) as refused:
        ingestor(store).ingest([post("p1", "m1", "hello")])
    assert str(refused.value) == problem
    assert store.count(tables.events) == 2 + (damage == "alter")
