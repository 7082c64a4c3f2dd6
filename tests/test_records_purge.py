"""Purge under fire: killed (SIGKILL) mid-run and rerun, and random records, holds and times."""

from __future__ import annotations

import base64
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, delete, event, func, select

from goodstanding.policy.retention import Hold, Retention, Status
from goodstanding.records import (
    ENV_KEY,
    ENV_KEY_ID,
    RECORD_TABLES,
    MasterKey,
    RecordStore,
    record_holds,
    record_keys,
    record_purges,
    record_records,
)
from goodstanding.store.schema import metadata

DAY = 86_400.0
NOW = datetime(2027, 6, 15, 12, tzinfo=UTC).timestamp()
KEY = bytes(range(100, 132))
MASTER = MasterKey(KEY, "kill-test")
RETENTION = Retention(180, 365)

CHILD = textwrap.dedent(
    """
    import sys, time
    from sqlalchemy import create_engine, event
    from goodstanding.policy.retention import Retention
    from goodstanding.records import MasterKey, RecordStore

    db, mode, n, marker, now = sys.argv[1:6]
    n, now = int(n), float(now)
    engine = create_engine(f"sqlite:///{db}")

    @event.listens_for(engine, "connect")
    def pragmas(dbapi_connection, _):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    def signal_parent():
        with open(marker, "w") as f:
            f.write("here")

    def stop():
        signal_parent()
        time.sleep(600)

    seen = {"keys": 0, "records": 0, "sql": 0}
    SQL = {"sql-delete": "DELETE FROM record_records", "sql-keys": "UPDATE record_keys SET"}
    if mode in SQL:
        @event.listens_for(engine, "after_cursor_execute")
        def after(conn, cursor, statement, parameters, context, executemany):
            # the statement ran inside its batch's transaction, not yet committed
            if statement.startswith(SQL[mode]):
                seen["sql"] += 1
                if seen["sql"] == n:
                    stop()

    def progress(p):
        # called after each committed batch
        if mode == "random":
            time.sleep(0.002)  # stretch the run so that random kills land inside it
        elif p.phase == mode:
            seen[mode] += 1
            if seen[mode] == n:
                stop()

    store = RecordStore(engine, MasterKey.from_env(), retention=Retention(180, 365))
    if mode == "random":
        signal_parent()
    store.purge(now, batch=int(sys.argv[6]), progress=progress)
    print("finished")
    """
)


def _pragmas(dbapi_connection: Any, _: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _pragmas)
    return engine


def _dataset() -> tuple[list[tuple[str, str, str, float, str]], list[tuple[str, str, float]]]:
    """About 4,000 messages of 5 groups over 30 months, and the holds placed on them."""
    rng = random.Random(20270615)
    start = NOW - 30 * 30 * DAY
    rows = []
    for i in range(4000):
        group = f"g{rng.randrange(5)}"
        author = "a-held" if rng.random() < 0.01 else f"a{rng.randrange(40)}"
        at = start + rng.random() * (NOW + 5 * DAY - start)
        rows.append((f"m{i:05d}", group, author, at, f"message {i} in {group} by {author}"))
    holds = [("group", "g1", NOW - 100 * DAY), ("account", "a-held", NOW - 50 * DAY)]
    return rows, holds


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database of the dataset, holds placed (one lifted), before any purge."""
    path = tmp_path_factory.mktemp("records") / "template.db"
    engine = _engine(path)
    metadata.create_all(engine, tables=list(RECORD_TABLES))
    store = RecordStore(engine, MASTER, retention=RETENTION)
    rows, holds = _dataset()
    store.put_many(rows, chunk=500)
    for scope, target, at in holds:
        store.place_hold(scope, target, "kill test", "legal", at)  # type: ignore[arg-type]
    lifted = store.place_hold("group", "g3", "lifted", "legal", NOW - 90 * DAY)
    store.lift_hold(lifted.id, "legal", NOW - DAY)
    engine.dispose()
    return path


def _copy(template: Path, to: Path) -> Path:
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, to)
    return to


def _state(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            table.name: sorted(
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in conn.execute(select(table))
            )
            for table in (record_records, record_keys, record_holds)
        }


def _protected(store: RecordStore) -> set[str]:
    """Records a purge at NOW must keep: under the maximum, or past it and on hold."""
    holds = store.holds()
    rows, _ = _dataset()
    return {
        cid
        for cid, group, author, at, _ in rows
        if not RETENTION.deletable(at, NOW, [h for h in holds if h.covers(group, author)])
    }


@pytest.fixture(scope="module")
def reference(template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The state after one uninterrupted purge, and what it reported."""
    engine = _engine(_copy(template, tmp_path_factory.mktemp("reference") / "ref.db"))
    store = RecordStore(engine, MASTER, retention=RETENTION)
    report = store.purge(NOW, batch=50)
    state = _state(engine)
    protected = _protected(store)
    engine.dispose()
    assert report.records_deleted > 1500 and report.keys_destroyed > 50
    assert report.skipped_held > 100 and report.kept_under_minimum > 500
    assert {row[0] for row in state["record_records"]} == protected
    return {"state": state, "report": report}


def _run_child(db: Path, mode: str, n: int, batch: int, tmp: Path) -> subprocess.Popen[bytes]:
    script = tmp / "purge_child.py"
    script.write_text(CHILD)
    marker = tmp / f"marker-{mode}-{n}-{time.monotonic_ns()}"
    env = dict(os.environ)
    env[ENV_KEY] = base64.b64encode(KEY).decode()
    env[ENV_KEY_ID] = MASTER.key_id
    child = subprocess.Popen(
        [sys.executable, str(script), str(db), mode, str(n), str(marker), repr(NOW), str(batch)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        if child.poll() is not None:
            out, err = child.communicate()
            raise AssertionError(f"child ended before its kill point: {out!r} {err!r}")
        if time.monotonic() > deadline:
            child.kill()
            raise AssertionError("child never reached its kill point")
        time.sleep(0.01)
    return child


def _kill(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()
    child.stderr.close()


def _check_protected_intact(store: RecordStore) -> None:
    """Nothing a purge must keep was deleted, and all of it is still readable."""
    with store.engine.connect() as conn:
        ids = set(conn.execute(select(record_records.c.content_id)).scalars())
    protected = _protected(store)
    assert protected <= ids
    rows, _ = _dataset()
    texts = {row[0]: row[4] for row in rows}
    for cid in protected:
        assert store.get(cid) == texts[cid]


@pytest.mark.parametrize(
    ("mode", "n"),
    [
        ("keys", 1),  # after the first committed batch of key destruction
        ("records", 1),  # after the first committed batch of row deletes
        ("records", 17),
        ("sql-keys", 2),  # inside a key batch: keys destroyed, not yet committed
        ("sql-delete", 5),  # inside a row batch: rows deleted, not yet committed
    ],
)
def test_purge_killed_then_rerun_equals_uninterrupted(
    template: Path, reference: dict[str, Any], tmp_path: Path, mode: str, n: int
) -> None:
    db = _copy(template, tmp_path / "killed.db")
    _kill(_run_child(db, mode, n, 50, tmp_path))
    engine = _engine(db)
    store = RecordStore(engine, MASTER, retention=RETENTION)
    _check_protected_intact(store)
    with engine.connect() as conn:
        killed = conn.execute(select(record_purges)).one()
    assert killed.finished_at is None
    rerun = store.purge(NOW, batch=50)
    assert rerun.interrupted_runs == (killed.id,)
    assert _state(engine) == reference["state"]
    ref = reference["report"]
    assert (rerun.skipped_held, rerun.kept_under_minimum, rerun.kept_retained) == (
        ref.skipped_held,
        ref.kept_under_minimum,
        ref.kept_retained,
    )
    # the journal's counters moved with the committed work: the two runs add up exactly
    with engine.connect() as conn:
        runs = conn.execute(select(record_purges)).all()
    assert sum(r.records_deleted for r in runs) == ref.records_deleted
    assert sum(r.keys_destroyed for r in runs) == ref.keys_destroyed
    # the killed run's counters hold exactly its committed batches (batches of 50 rows)
    committed_rows = {"keys": 0, "records": n * 50, "sql-keys": 0, "sql-delete": (n - 1) * 50}
    assert killed.records_deleted == committed_rows[mode]
    if mode in ("keys", "sql-keys"):
        assert 0 < killed.keys_destroyed < ref.keys_destroyed  # the first key batch only
    else:
        assert killed.keys_destroyed == ref.keys_destroyed
    assert store.purge(NOW).records_deleted == 0
    engine.dispose()


def test_purge_killed_at_random_moments(
    template: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    db = _copy(template, tmp_path / "random.db")
    rng = random.Random(7)
    for _ in range(6):
        child = _run_child(db, "random", 0, 7, tmp_path)
        time.sleep(rng.uniform(0.0, 0.5))
        _kill(child)
        engine = _engine(db)
        _check_protected_intact(RecordStore(engine, MASTER, retention=RETENTION))
        engine.dispose()
    engine = _engine(db)
    with engine.connect() as conn:
        unfinished = conn.execute(
            select(func.count()).where(record_purges.c.finished_at.is_(None))
        ).scalar_one()
    assert unfinished >= 1  # at least one kill landed inside a run
    store = RecordStore(engine, MASTER, retention=RETENTION)
    store.purge(NOW, batch=50)
    assert _state(engine) == reference["state"]
    with engine.connect() as conn:
        runs = conn.execute(select(record_purges)).all()
    assert sum(r.records_deleted for r in runs) == reference["report"].records_deleted
    assert sum(r.keys_destroyed for r in runs) == reference["report"].keys_destroyed
    engine.dispose()


# -- random records, holds and times ------------------------------------------------------

GROUPS = ("g0", "g1", "g2")
AUTHORS = ("a0", "a1", "a2", "a3")
DAYS = st.floats(min_value=-900, max_value=30, allow_nan=False) | st.sampled_from(
    [-365.0, -180.0, -400.0, -30.0, 0.0]
)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    min_days = draw(st.integers(1, 400) | st.sampled_from([180, 365]))
    max_days = min_days + draw(st.integers(0, 400) | st.just(0))
    now = NOW + draw(st.floats(0, 400, allow_nan=False)) * DAY
    records = draw(
        st.lists(
            st.tuples(st.sampled_from(GROUPS), st.sampled_from(AUTHORS), DAYS),
            max_size=40,
        )
    )
    holds = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["group", "account"]),
                st.integers(0, 3),
                st.floats(-500, 50, allow_nan=False),
                st.none() | st.floats(0, 500, allow_nan=False),
            ),
            max_size=4,
        )
    )
    return {
        "retention": Retention(min_days, max_days),
        "now": now,
        "records": [
            (f"c{i}", g, a, now + days * DAY, f"body {i}") for i, (g, a, days) in enumerate(records)
        ],
        "holds": holds,
        "batch": draw(st.integers(1, 8)),
    }


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine with the record tables, for many hypothesis examples (emptied by each)."""
    engine = create_engine(db_url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _fast_sqlite)
    metadata.create_all(engine, tables=list(RECORD_TABLES))
    yield engine
    engine.dispose()


def _fast_sqlite(dbapi_connection: Any, _: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")  # many tiny commits; durability is not tested here
    cursor.close()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_purge_keeps_minimum_and_holds_deletes_everything_due(
    engine: Engine, scenario: dict[str, Any]
) -> None:
    with engine.begin() as conn:
        for table in (record_records, record_keys, record_holds, record_purges):
            conn.execute(delete(table))
    retention: Retention = scenario["retention"]
    now: float = scenario["now"]
    store = RecordStore(engine, MASTER, retention=retention)
    store.put_many(scenario["records"])
    holds: list[Hold] = []
    for scope, n, placed, lifted in scenario["holds"]:
        target = GROUPS[n % 3] if scope == "group" else AUTHORS[n]
        hold = store.place_hold(scope, target, "case", "legal", now + placed * DAY)
        if lifted is not None:
            hold = store.lift_hold(hold.id, "legal", hold.placed_at + lifted * DAY)
        holds.append(hold)

    report = store.purge(now, batch=scenario["batch"])

    status = {
        cid: retention.status(at, now, [h for h in holds if h.covers(g, a)])
        for cid, g, a, at, _ in scenario["records"]
    }
    with engine.connect() as conn:
        left = set(conn.execute(select(record_records.c.content_id)).scalars())
        keys = conn.execute(select(record_keys)).all()
        periods = {
            row.content_id: (row.key_id, row.group_id, row.author_id)
            for row in conn.execute(select(record_records)).all()
        }
    # never deleted: under the minimum, retained, on hold; always deleted: everything due
    assert left == {cid for cid, s in status.items() if s is not Status.EXPIRED}
    counts = {s: sum(1 for v in status.values() if v is s) for s in Status}
    assert report.records_deleted == counts[Status.EXPIRED]
    assert report.kept_under_minimum == counts[Status.UNDER_MINIMUM]
    assert report.kept_retained == counts[Status.RETAINED]
    assert report.skipped_held == counts[Status.HELD]
    # what is left is readable: no key a kept record needs was destroyed
    texts = {cid: text for cid, _, _, _, text in scenario["records"]}
    for cid in left:
        assert store.get(cid) == texts[cid]
    # a key of an entirely expired period lives exactly when a held record needs it
    expired_period = retention.cutoff_period(now)
    needed = {key_id for cid, (key_id, _, _) in periods.items() if status[cid] is Status.HELD}
    for key in keys:
        if key.destroyed_at is not None:
            assert key.period < expired_period and key.id not in needed
        elif key.period < expired_period:
            assert key.id in needed
    assert report.keys_destroyed == sum(1 for k in keys if k.destroyed_at is not None)
    again = store.purge(now, batch=scenario["batch"])
    assert (again.records_deleted, again.keys_destroyed) == (0, 0)


@given(
    at=st.floats(-1e10, 1e10, allow_nan=False),
    now=st.floats(-1e10, 1e10, allow_nan=False),
    min_days=st.floats(0.001, 1000, allow_nan=False),
    extra=st.floats(0, 1000, allow_nan=False),
    lifted=st.none() | st.floats(-1e10, 1e10, allow_nan=False),
)
def test_deletable_never_under_minimum_nor_held(
    at: float, now: float, min_days: float, extra: float, lifted: float | None
) -> None:
    retention = Retention(min_days, min_days + extra)
    hold = Hold(1, "group", "g", "r", "x", -1e11, None if lifted is None else "x", lifted)
    for holds in ([], [hold]):
        if retention.deletable(at, now, holds):
            assert at <= now - retention.min_seconds
            assert at <= now - retention.max_seconds
            assert not any(h.active(now) for h in holds)
    assume(at <= now - retention.max_seconds)
    assert retention.deletable(at, now, []) is True
