"""Group-chat records: encryption at rest, retention rules, holds, export and purge."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, select, update

from goodstanding.policy.retention import (
    Hold,
    Retention,
    Status,
    check_retention,
    period_bounds,
    period_of,
    retention_problems,
)
from goodstanding.records import (
    ENV_KEY,
    ENV_KEY_ID,
    ENV_KEYFILE,
    RECORD_TABLES,
    DuplicateRecordError,
    HoldError,
    MasterKey,
    MasterKeyError,
    MissingMasterKeyError,
    RecordIntegrityError,
    RecordNotFoundError,
    RecordShreddedError,
    RecordStore,
    generate_master_key,
    record_keys,
    record_purges,
    record_records,
)
from goodstanding.store.schema import metadata

DAY = 86_400.0
NOW = datetime(2027, 3, 15, 12, tzinfo=UTC).timestamp()
MASTER = MasterKey(bytes(range(32)), "test-master")


def ts(text: str) -> float:
    """Epoch seconds of an ISO 8601 UTC time."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@pytest.fixture
def store(db_url: str) -> Iterator[RecordStore]:
    """A record store with the default retention (180 / 365 days) on SQLite or PostgreSQL."""
    engine = create_engine(db_url)
    metadata.create_all(engine, tables=list(RECORD_TABLES))
    yield RecordStore(engine, MASTER, retention=Retention(180, 365))
    engine.dispose()


# -- retention rules ----------------------------------------------------------------------


def test_retention_defaults_and_validation() -> None:
    assert Retention() == Retention(180, 365)
    assert check_retention(180, 365) == []
    assert check_retention(180, 180) == []
    problems = check_retention(200, 100)
    assert len(problems) == 1 and problems[0].startswith("max_days ")
    assert "min_days" in problems[0]
    assert [p.split()[0] for p in check_retention(0, -1)] == ["min_days", "max_days"]
    assert check_retention(True, 365)[0].startswith("min_days must be a number")
    assert check_retention("180", 365)[0].startswith("min_days must be a number")
    assert check_retention(float("nan"), 365)[0].startswith("min_days must be a positive")
    assert retention_problems(10, 5) == [("max_days", retention_problems(10, 5)[0][1])]
    with pytest.raises(ValueError, match="max_days"):
        Retention(365, 180)
    with pytest.raises(ValueError, match="min_days"):
        Retention(0, 10)


def test_status_boundaries() -> None:
    r = Retention(10, 20)
    now = 1_000 * DAY
    assert r.status(now, now) is Status.UNDER_MINIMUM
    assert r.status(now - 10 * DAY + 1, now) is Status.UNDER_MINIMUM
    assert r.status(now - 10 * DAY, now) is Status.RETAINED
    assert r.status(now - 20 * DAY + 1, now) is Status.RETAINED
    assert r.status(now - 20 * DAY, now) is Status.EXPIRED
    assert r.deletable(now - 20 * DAY, now)
    assert not r.deletable(now - 19 * DAY, now)
    assert r.status(now + DAY, now) is Status.UNDER_MINIMUM  # from the future: kept
    hold = Hold(1, "group", "g", "case", "legal", now - 30 * DAY)
    assert r.status(now - 50 * DAY, now, [hold]) is Status.HELD
    assert not r.deletable(now - 50 * DAY, now, [hold])
    lifted = Hold(1, "group", "g", "case", "legal", now - 30 * DAY, "legal", now)
    assert r.deletable(now - 50 * DAY, now, [lifted])
    assert not r.deletable(now - 50 * DAY, now - 1, [lifted])
    # a hold placed after `now` still protects (a clock running behind never deletes)
    later = Hold(1, "group", "g", "case", "legal", now + DAY)
    assert not r.deletable(now - 50 * DAY, now, [later])
    # under the minimum, a hold changes nothing: still under the minimum
    assert r.status(now - DAY, now, [hold]) is Status.UNDER_MINIMUM
    with pytest.raises(ValueError, match="finite"):
        r.deletable(float("nan"), now)
    with pytest.raises(ValueError, match="finite"):
        r.deletable(now, float("nan"))


def test_hold_covers() -> None:
    group = Hold(1, "group", "g1", "r", "x", 0.0)
    account = Hold(2, "account", "a1", "r", "x", 0.0)
    assert group.covers("g1", "a9") and not group.covers("a1", "g1")
    assert account.covers("g9", "a1") and not account.covers("a1", "a2")


def test_periods() -> None:
    assert period_of(ts("2026-01-31T23:59:59.999999")) == "2026-01"
    assert period_of(ts("2026-02-01T00:00:00")) == "2026-02"
    assert period_of(ts("2026-12-31T23:59:59")) == "2026-12"
    assert period_of(-1.0) == "1969-12"
    assert period_bounds("2026-12") == (ts("2026-12-01T00:00:00"), ts("2027-01-01T00:00:00"))
    with pytest.raises(ValueError):
        period_of(float("inf"))
    with pytest.raises(ValueError):
        period_of(1e20)
    r = Retention(10, 31)
    # cutoff at exactly the start of March: February (ends then) is entirely expired
    now = ts("2026-03-01T00:00:00") + 31 * DAY
    assert r.cutoff_period(now) == "2026-03"
    assert r.period_expired("2026-02", now)
    assert not r.period_expired("2026-03", now)
    assert not r.period_expired("2026-02", now - 1)


# -- the master key -----------------------------------------------------------------------


def test_missing_master_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MissingMasterKeyError) as caught:
        MasterKey.from_env({})
    message = str(caught.value)
    assert ENV_KEY in message and ENV_KEYFILE in message and "base64" in message
    engine = create_engine(f"sqlite:///{tmp_path}/x.db")
    with pytest.raises(MissingMasterKeyError):
        RecordStore.from_env(engine, environ={})
    with pytest.raises(MasterKeyError, match="never plaintext"):
        RecordStore(engine, None)  # type: ignore[arg-type]


def test_master_key_sources(tmp_path: Path) -> None:
    text = generate_master_key()
    raw = base64.b64decode(text)
    from_env = MasterKey.from_env({ENV_KEY: text})
    assert from_env.key_id.startswith("mk-")
    assert MasterKey.from_env({ENV_KEY: text, ENV_KEY_ID: "k1"}).key_id == "k1"
    assert text not in repr(from_env) and repr(from_env) == f"MasterKey(key_id={from_env.key_id!r})"
    b64 = tmp_path / "b64.key"
    b64.write_text(text + "\n")
    raw_file = tmp_path / "raw.key"
    raw_file.write_bytes(raw)
    for path in (b64, raw_file):
        path.chmod(0o600)
        assert MasterKey.from_env({ENV_KEYFILE: str(path)}).key_id == from_env.key_id
    b64.chmod(0o640)
    with pytest.raises(MasterKeyError, match="can be accessed by group"):
        MasterKey.from_env({ENV_KEYFILE: str(b64)})
    b64.chmod(0o600)
    with pytest.raises(MasterKeyError, match="only one"):
        MasterKey.from_env({ENV_KEY: text, ENV_KEYFILE: str(b64)})
    with pytest.raises(MasterKeyError, match="not valid base64"):
        MasterKey.from_env({ENV_KEY: "not base64!"})
    with pytest.raises(MasterKeyError, match="16 bytes"):
        MasterKey.from_env({ENV_KEY: base64.b64encode(os.urandom(16)).decode()})
    with pytest.raises(MasterKeyError, match="cannot read"):
        MasterKey.from_env({ENV_KEYFILE: str(tmp_path / "missing")})
    with pytest.raises(MasterKeyError):
        MasterKey(b"short")


# -- storing and reading ------------------------------------------------------------------


def test_put_get_roundtrip_and_keys_per_period(store: RecordStore) -> None:
    store.put("c1", "g1", "a1", ts("2027-01-05T10:00:00"), "hello 你好 👋")
    store.put("c2", "g1", "a2", ts("2027-01-20T10:00:00"), "second")
    store.put("c3", "g1", "a1", ts("2027-02-01T00:00:00"), "")
    store.put("c4", "g2", "a1", ts("2027-01-05T10:00:00"), "other group")
    assert store.get("c1") == "hello 你好 👋"
    assert store.get("c3") == ""
    with store.engine.connect() as conn:
        keys = conn.execute(
            select(record_keys.c.group_id, record_keys.c.period).order_by(record_keys.c.id)
        ).all()
        rows = conn.execute(select(record_records)).all()
    assert sorted(map(tuple, keys)) == [("g1", "2027-01"), ("g1", "2027-02"), ("g2", "2027-01")]
    for row in rows:
        assert b"other group" not in bytes(row.ciphertext)
        assert len(bytes(row.nonce)) == 12
    # a fresh store (no cached keys) reads through the master key
    fresh = RecordStore(store.engine, MASTER)
    assert fresh.get("c4") == "other group"
    with pytest.raises(RecordNotFoundError):
        store.get("nope")


def test_plaintext_never_reaches_the_sqlite_file(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/r.db")
    metadata.create_all(engine, tables=list(RECORD_TABLES))
    store = RecordStore(engine, MASTER)
    secret = "the-password-is-swordfish-" * 3
    store.put_many([(f"c{i}", "g", "a", NOW - i, secret) for i in range(50)])
    engine.dispose()
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"swordfish" not in data
    assert bytes(range(32)) not in data


def test_purged_ciphertexts_and_keys_do_not_linger_in_the_sqlite_file(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/r.db")
    # the store's recommended setting (SQLite builds differ in their default): without it,
    # b-tree rebalancing on insert leaves stale copies of cells in free space
    event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA secure_delete = 1"))
    metadata.create_all(engine, tables=list(RECORD_TABLES))
    store = RecordStore(engine, MASTER)
    old = ts("2025-01-10T00:00:00")
    store.put_many([(f"o{i}", "g", f"a{i % 2}", old + i, "old " * 20) for i in range(300)])
    store.put_many([(f"n{i}", "g", "a0", NOW - i, "new") for i in range(10)])
    # a held account keeps 2025-01's key alive: its other records are deleted row by row
    store.place_hold("account", "a1", "case", "legal", NOW)
    with engine.connect() as conn:
        gone = [
            bytes(c)
            for c in conn.execute(
                select(record_records.c.ciphertext).where(
                    record_records.c.author_id == "a0", record_records.c.at < NOW - 365 * DAY
                )
            ).scalars()
        ]
        wrapped = [bytes(w) for w in conn.execute(select(record_keys.c.wrapped_key)).scalars()]
    report = store.purge(NOW)
    assert report.records_deleted == 150 and report.keys_destroyed == 0
    store.lift_hold(1, "legal", NOW)
    assert store.purge(NOW + 1).keys_destroyed == 1
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert len(gone) == 150
    assert not [c for c in gone if c in data]
    assert wrapped[0] not in data  # the destroyed key
    assert wrapped[1] in data  # the live one (2027-03) is still there


def test_put_rejects_duplicates_and_bad_values(store: RecordStore) -> None:
    store.put("c1", "g1", "a1", NOW, "x")
    with pytest.raises(DuplicateRecordError, match="c1"):
        store.put("c1", "g1", "a1", NOW, "y")
    with pytest.raises(DuplicateRecordError, match="c2"):
        store.put_many([("c2", "g", "a", NOW, "x"), ("c2", "g", "a", NOW, "y")])
    with pytest.raises(DuplicateRecordError):
        store.put_many([("c3", "g", "a", NOW, "x"), ("c1", "g", "a", NOW, "y")])
    with pytest.raises(RecordNotFoundError):
        store.get("c3")  # the whole chunk was refused
    assert store.get("c1") == "x"
    for bad in (
        ("", "g", "a", NOW, "x"),
        ("c", "", "a", NOW, "x"),
        ("c", "g", "a" * 201, NOW, "x"),
        ("c", "g", "a", float("nan"), "x"),
        ("c", "g", "a", 1e30, "x"),
        ("c", "g", "a", NOW, b"bytes"),
    ):
        with pytest.raises(ValueError):
            store.put(*bad)
    assert store.put_many((f"m{i}", "g", "a", NOW - i, "t") for i in range(2500)) == 2500


def test_a_key_created_meanwhile_by_another_writer_is_used(
    store: RecordStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = RecordStore(store.engine, MASTER)
    real = store.keys.live
    calls = []

    def stale(conn: Any, pairs: Any) -> Any:
        calls.append(pairs)
        if len(calls) == 1:
            other.put("o1", "g1", "a1", NOW - 2, "by the other writer")
            return {}  # as read before the other writer committed its key
        return real(conn, pairs)

    monkeypatch.setattr(store.keys, "live", stale)
    store.put("c1", "g1", "a1", NOW - 1, "mine")
    assert len(calls) == 2
    with store.engine.connect() as conn:
        keys = conn.execute(select(record_keys.c.id)).scalars().all()
        used = set(conn.execute(select(record_records.c.key_id)).scalars())
    assert len(keys) == 1 and used == set(keys)
    assert store.get("c1") == "mine" and store.get("o1") == "by the other writer"


def test_tampering_is_detected(store: RecordStore) -> None:
    store.put("c1", "g1", "a1", NOW - 10, "first")
    store.put("c2", "g1", "a2", NOW - 5, "second")
    r = record_records.c
    with store.engine.begin() as conn:
        one = conn.execute(select(r.nonce, r.ciphertext).where(r.content_id == "c1")).one()
        two = conn.execute(select(r.nonce, r.ciphertext).where(r.content_id == "c2")).one()
        conn.execute(
            update(record_records)
            .where(r.content_id == "c1")
            .values(nonce=two.nonce, ciphertext=two.ciphertext)
        )
        conn.execute(
            update(record_records)
            .where(r.content_id == "c2")
            .values(nonce=one.nonce, ciphertext=one.ciphertext)
        )
    for content_id in ("c1", "c2"):
        with pytest.raises(RecordIntegrityError, match=content_id):
            store.get(content_id)
    store.put("c3", "g1", "a1", NOW - 1, "third")
    for change in ({"author_id": "someone-else"}, {"at": NOW - 2}, {"group_id": "g2"}):
        with store.engine.begin() as conn:
            conn.execute(update(record_records).where(r.content_id == "c3").values(**change))
        with pytest.raises(RecordIntegrityError, match="c3"):
            store.get("c3")
        with store.engine.begin() as conn:
            conn.execute(
                update(record_records)
                .where(r.content_id == "c3")
                .values(author_id="a1", at=NOW - 1, group_id="g1")
            )
        assert store.get("c3") == "third"


def test_wrong_master_key_and_rotation(store: RecordStore) -> None:
    store.put("c1", "g1", "a1", NOW, "kept across rotation")
    impostor = RecordStore(store.engine, MasterKey(os.urandom(32), MASTER.key_id))
    with pytest.raises(MasterKeyError, match="does not unwrap"):
        impostor.get("c1")
    new = MasterKey(os.urandom(32), "test-master-2")
    without_old = RecordStore(store.engine, new)
    with pytest.raises(MasterKeyError, match="not loaded"):
        without_old.get("c1")
    with pytest.raises(MasterKeyError, match="not loaded"):
        without_old.rewrap_keys()
    rotating = RecordStore(store.engine, new, previous_masters=[MASTER])
    assert rotating.rewrap_keys(batch=1) == 1
    assert rotating.rewrap_keys() == 0
    assert RecordStore(store.engine, new).get("c1") == "kept across rotation"
    with pytest.raises(MasterKeyError, match="not loaded"):
        RecordStore(store.engine, MASTER).get("c1")


# -- holds --------------------------------------------------------------------------------


def test_holds(store: RecordStore) -> None:
    h1 = store.place_hold("group", "g1", "police request 2027-17", "legal@corp", NOW - 10)
    h2 = store.place_hold("account", "a1", "litigation hold", "legal@corp", NOW - 5)
    assert (h1.id, h1.scope, h1.target, h1.lifted_at) == (h1.id, "group", "g1", None)
    assert h2.id != h1.id
    lifted = store.lift_hold(h1.id, "dpo@corp", NOW)
    assert (lifted.lifted_by, lifted.lifted_at) == ("dpo@corp", NOW)
    assert [h.id for h in store.holds()] == [h1.id, h2.id]
    assert [h.id for h in store.holds(active_at=NOW)] == [h2.id]
    assert [h.id for h in store.holds(active_at=NOW - 1)] == [h1.id, h2.id]
    with pytest.raises(HoldError, match="already lifted by dpo@corp"):
        store.lift_hold(h1.id, "x", NOW + 1)
    with pytest.raises(HoldError, match="no hold"):
        store.lift_hold(9999, "x", NOW)
    with pytest.raises(HoldError, match="before it was placed"):
        store.lift_hold(h2.id, "x", NOW - 100)
    with pytest.raises(HoldError, match="scope"):
        store.place_hold("server", "s", "r", "x", NOW)  # type: ignore[arg-type]
    with pytest.raises(HoldError, match="reason"):
        store.place_hold("group", "g", "  ", "x", NOW)
    with pytest.raises(ValueError):
        store.place_hold("group", "", "r", "x", NOW)


# -- export -------------------------------------------------------------------------------


def test_export_streams_readable_records_in_order(store: RecordStore) -> None:
    same = ts("2027-01-10T00:00:00")
    store.put_many(
        [
            ("b", "g1", "a1", same, "two"),
            ("a", "g1", "a2", same, "one"),
            ("c", "g1", "a1", same + 1, "three"),
            ("d", "g1", "a1", ts("2027-02-01T00:00:00"), "four"),
            ("x", "g2", "a1", same, "other group"),
            ("e", "g1", "a1", ts("2027-03-01T00:00:00"), "outside"),
        ]
    )
    got = list(store.export("g1", same, ts("2027-03-01T00:00:00"), chunk=2))
    assert [g["content_id"] for g in got] == ["a", "b", "c", "d"]
    assert [g["text"] for g in got] == ["one", "two", "three", "four"]
    assert got[0] == {
        "content_id": "a",
        "group_id": "g1",
        "author_id": "a2",
        "at": same,
        "time": "2027-01-10T00:00:00Z",
        "period": "2027-01",
        "text": "one",
    }
    assert list(store.export("g3", 0, NOW)) == []


# -- purge --------------------------------------------------------------------------------


def _fill(store: RecordStore) -> dict[str, float]:
    """Records of three groups, one a month for 24 months, plus a recent one per group."""
    times: dict[str, float] = {}
    rows = []
    for g in ("g1", "g2", "g3"):
        for month in range(24):
            year, m = divmod(month, 12)
            at = datetime(2025 + year, m + 1, 10, tzinfo=UTC).timestamp()
            author = "a-held" if (g, month) == ("g2", 1) else f"a{month % 3}"
            rows.append((f"{g}-{month}", g, author, at, f"text {g} {month}"))
            times[f"{g}-{month}"] = at
        rows.append((f"{g}-new", g, "a0", NOW - DAY, "recent"))
        times[f"{g}-new"] = NOW - DAY
    store.put_many(rows)
    return times


def _ids(store: RecordStore) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(select(record_records.c.content_id)).scalars())


def _live_periods(store: RecordStore) -> set[tuple[str, str]]:
    k = record_keys.c
    with store.engine.connect() as conn:
        return {
            (row.group_id, row.period)
            for row in conn.execute(
                select(k.group_id, k.period).where(k.destroyed_at.is_(None))
            ).all()
        }


def test_purge_with_holds(store: RecordStore) -> None:
    times = _fill(store)
    cutoff = store.retention.cutoff(NOW)  # 2026-03-15T12:00
    store.place_hold("group", "g1", "case 1", "legal", NOW - 30 * DAY)
    store.place_hold("account", "a-held", "case 2", "legal", NOW - 30 * DAY)
    lifted = store.place_hold("group", "g3", "case 3", "legal", NOW - 60 * DAY)
    store.lift_hold(lifted.id, "legal", NOW - DAY)
    before = store.census(NOW)
    report = store.purge(NOW, batch=4)
    expected_kept = {
        cid for cid, at in times.items() if at > cutoff or cid.startswith("g1-") or cid == "g2-1"
    }
    assert _ids(store) == expected_kept
    expired_unheld = [
        c for c, at in times.items() if at <= cutoff and not c.startswith("g1-") and c != "g2-1"
    ]
    assert report.records_deleted == len(expired_unheld) == before.due
    # periods 2025-01 .. 2026-02 are entirely past the maximum: 14 per group
    # g1 keeps all 14 (group hold); g2 keeps 2025-02 (the account hold); g3 keeps none
    assert report.keys_destroyed == 13 + 14
    assert report.keys_kept_for_holds == 14 + 1
    assert ("g2", "2025-02") in _live_periods(store)
    assert ("g2", "2025-03") not in _live_periods(store)
    # 2026-03 holds records on both sides of the cutoff: its key lives, its old rows go
    assert ("g3", "2026-03") in _live_periods(store)
    assert "g3-14" not in _ids(store)  # 2026-03-10, before the cutoff
    assert report.skipped_held == 15 + 1  # g1: 2025-01 .. 2026-03-10; g2-1
    assert report.kept_under_minimum == sum(1 for at in times.values() if at > NOW - 180 * DAY)
    assert report.kept_under_minimum + report.kept_retained + report.skipped_held == len(
        expected_kept
    )
    assert report.interrupted_runs == ()
    # every record left is readable
    for cid in expected_kept:
        assert store.get(cid).startswith(("text", "recent"))
    with pytest.raises(RecordNotFoundError):
        store.get("g3-0")
    # idempotent
    again = store.purge(NOW)
    assert (again.records_deleted, again.keys_destroyed) == (0, 0)
    assert _ids(store) == expected_kept
    # the journal counts what each run did
    with store.engine.connect() as conn:
        journal = conn.execute(select(record_purges).order_by(record_purges.c.id)).all()
    assert [(j.records_deleted, j.keys_destroyed) for j in journal] == [
        (report.records_deleted, report.keys_destroyed),
        (0, 0),
    ]
    assert all(j.finished_at is not None for j in journal)


def test_lifting_a_hold_lets_the_next_purge_finish(store: RecordStore) -> None:
    _fill(store)
    hold = store.place_hold("group", "g1", "case", "legal", NOW)
    first = store.purge(NOW)
    assert first.skipped_held == 15
    store.lift_hold(hold.id, "legal", NOW + DAY)
    second = store.purge(NOW + 2 * DAY)
    assert second.records_deleted == 15 and second.keys_destroyed == 14
    assert second.skipped_held == 0 and second.keys_kept_for_holds == 0


def test_nothing_under_minimum_is_deleted_even_with_equal_min_and_max(db_url: str) -> None:
    engine = create_engine(db_url)
    metadata.create_all(engine, tables=list(RECORD_TABLES))
    store = RecordStore(engine, MASTER, retention=Retention(30, 30))
    at = [NOW - 30 * DAY + 1, NOW - 30 * DAY, NOW - 30 * DAY - 1, NOW + 5]
    store.put_many([(f"c{i}", "g", "a", t, "x") for i, t in enumerate(at)])
    report = store.purge(NOW)
    assert _ids(store) == {"c0", "c3"}
    assert (report.records_deleted, report.kept_under_minimum) == (2, 2)
    engine.dispose()


class Crash(Exception):
    """Stands for the process dying between two batches."""


def test_crash_between_phases_leaves_shredded_rows_a_rerun_deletes(store: RecordStore) -> None:
    times = _fill(store)
    cutoff = store.retention.cutoff(NOW)

    def crash(progress: object) -> None:
        raise Crash

    with pytest.raises(Crash):
        store.purge(NOW, batch=1000, progress=crash)
    # the keys are gone, the rows are still there: unreadable, not exported
    assert _ids(store) == set(times)
    with pytest.raises(RecordShreddedError, match="destroyed"):
        store.get("g1-0")
    exported = list(store.export("g1", 0, NOW + DAY))
    assert {e["content_id"] for e in exported} == {
        c for c, at in times.items() if c.startswith("g1-") and at >= ts("2026-03-01T00:00:00")
    }
    census = store.census(NOW)
    assert census.keys_destroyed == 42 and census.due == 45
    rerun = store.purge(NOW)
    assert rerun.interrupted_runs == (1,)
    assert rerun.keys_destroyed == 0 and rerun.records_deleted == 45
    assert _ids(store) == {c for c, at in times.items() if at > cutoff}


def test_late_record_for_a_shredded_period_gets_a_new_key(store: RecordStore) -> None:
    old = ts("2025-01-10T00:00:00")
    store.put("c1", "g1", "a1", old, "old")
    store.purge(NOW)
    store.put("c2", "g1", "a1", old, "arrived late")
    assert store.get("c2") == "arrived late"
    with store.engine.connect() as conn:
        keys = conn.execute(
            select(record_keys.c.id, record_keys.c.destroyed_at).order_by(record_keys.c.id)
        ).all()
    assert [k.destroyed_at is None for k in keys] == [False, True]
    assert store.purge(NOW).records_deleted == 1


def test_purge_validates_arguments(store: RecordStore) -> None:
    with pytest.raises(ValueError):
        store.purge(float("nan"))
    with pytest.raises(ValueError):
        store.purge(NOW, batch=0)


# -- packaging ----------------------------------------------------------------------------


def test_tables_are_on_the_shared_metadata() -> None:
    for table in RECORD_TABLES:
        assert table.name.startswith("record_")
        assert metadata.tables[table.name] is table


def test_the_retention_rules_import_without_the_store() -> None:
    # the retention rules are part of the policy, which imports neither records nor the store
    code = (
        "import sys, goodstanding.policy.retention; "
        "assert not {'goodstanding.store', 'goodstanding.records'} & set(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
