"""Group-chat records: storing (encrypt + insert), storage per message and purge, on SQLite.

Figures: records stored per second (batched and one by one), database bytes per message of
typical chat length (Latin and CJK text), and the time to purge 10,000,000 records.

Messages arrive in time order with time-ordered content ids, 200 groups over 24 months
(4,800 period keys), as a chat service produces them. The 10M-record database is built with
the real key path (every period key created and wrapped by `RecordStore.put_many`) and the
rows bulk-loaded with same-size random ciphertexts (purge never decrypts; encrypting 10M
bodies through `put_many` would take longer than this benchmark may), secondary indexes
built after the load. `BENCH_RECORDS_PURGE_N` (default 10,000,000) sets the purge size; below
10M an explicitly labelled extrapolation line is printed as well.
"""

from __future__ import annotations

import bisect
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.schema import CreateIndex

from goodstanding.policy.retention import Retention, period_bounds
from goodstanding.records import (
    RECORD_TABLES,
    MasterKey,
    Message,
    PurgeProgress,
    RecordStore,
    record_keys,
    record_records,
)
from goodstanding.store.schema import metadata

DAY = 86_400.0
NOW = datetime(2027, 1, 1, tzinfo=UTC).timestamp()
GROUPS = 200
DAYS = 730
_CHAT = (
    "ok yes no lol thanks see you tomorrow at the meeting who is coming tonight did anyone "
    "get the link photo from the trip haha sure sounds good where are we going I will be late "
    "traffic again happy birthday congrats let me check send me the address call you later"
)
WORDS = _CHAT.split()
CJK = "今天晚上我们在哪里见面好的没问题谢谢大家明天开会别忘了带资料生日快乐"


def _log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def _pragmas(dbapi_connection: Any, _: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _engine(path: Path) -> Engine:
    """An SQLite engine configured like goodstanding's store (WAL, synchronous=NORMAL)."""
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _pragmas)
    metadata.create_all(engine, tables=list(RECORD_TABLES))
    return engine


def _text(rng: random.Random, cjk: bool = False) -> str:
    """A chat message of about 60 characters (20 to 100)."""
    target = rng.randint(20, 100)
    if cjk:
        return "".join(rng.choice(CJK) for _ in range(target))
    words: list[str] = []
    size = 0
    while size < target:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:target]


def _messages(n: int, *, seed: int, prefix: str, cjk: bool = False) -> Iterator[Message]:
    """`n` messages in time order over the DAYS before NOW, in GROUPS groups."""
    rng = random.Random(seed)
    pool = [_text(rng, cjk) for _ in range(4096)]
    span = DAYS * DAY
    for i in range(n):
        at = NOW - span + (i + rng.random()) * span / n
        group = f"group-{rng.randrange(GROUPS):05d}"
        author = f"user-{rng.randrange(GROUPS * 50):07d}"
        yield Message(f"{prefix}{i:010d}", group, author, at, pool[i & 4095])


def _size(engine: Engine, path: Path) -> int:
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(record_records)).scalar_one())


def _store_figures(tmp: Path, master: MasterKey) -> None:
    n = 100_000
    engine = _engine(tmp / "store.db")
    store = RecordStore(engine, master, retention=Retention(180, 365))
    messages = list(_messages(n, seed=1, prefix="m"))
    mean = sum(len(m.text) for m in messages) / n
    _log(f"storing {n:,} messages (put_many, chunks of 1,000)")
    started = time.perf_counter()
    store.put_many(messages, chunk=1000)
    elapsed = time.perf_counter() - started
    with engine.connect() as conn:
        keys = conn.execute(select(func.count()).select_from(record_keys)).scalar_one()
    print(
        f"records stored per second (batched): {n / elapsed:,.0f} records/s "
        f"(put_many, 1,000 per transaction, AES-256-GCM + insert, SQLite WAL "
        f"synchronous=NORMAL, {n:,} messages of {mean:.0f} chars mean in time order, "
        f"{GROUPS} groups x 24 months = {keys:,} data keys created on demand, 2 cores)"
    )
    size = _size(engine, tmp / "store.db")
    print(
        f"storage per message: {size / n:,.0f} bytes/message "
        f"(SQLite file after checkpoint / {n:,} records of {mean:.0f} ASCII chars mean; "
        "includes the 12-byte nonce, 16-byte tag, ids, 3 secondary indexes and the key table)"
    )
    single = 5_000
    _log(f"storing {single:,} messages one by one (put)")
    started = time.perf_counter()
    for m in _messages(single, seed=2, prefix="s"):
        store.put(*m)
    elapsed = time.perf_counter() - started
    print(
        f"records stored per second (one by one): {single / elapsed:,.0f} records/s "
        f"(put, one transaction each, SQLite WAL synchronous=NORMAL, into {n:,} records)"
    )
    started = time.perf_counter()
    report = store.purge(NOW)
    print(
        f"purge time (encrypted through put_many, {n + single:,} records): "
        f"{time.perf_counter() - started:.2f} s ({report.records_deleted:,} deleted, "
        f"{report.keys_destroyed:,} keys destroyed; a check on the bulk-loaded figure below)"
    )
    engine.dispose()

    cjk_n = 20_000
    engine = _engine(tmp / "cjk.db")
    store = RecordStore(engine, master)
    messages = list(_messages(cjk_n, seed=4, prefix="c", cjk=True))
    mean = sum(len(m.text) for m in messages) / cjk_n
    store.put_many(messages)
    size = _size(engine, tmp / "cjk.db")
    print(
        f"storage per message (CJK): {size / cjk_n:,.0f} bytes/message "
        f"(SQLite file / {cjk_n:,} records of {mean:.0f} CJK chars mean, 3 bytes each in UTF-8)"
    )
    engine.dispose()


def _bulk_load(engine: Engine, store: RecordStore, n: int) -> None:
    """`n` rows in time order under the real period keys, with random same-size ciphertexts."""
    span = DAYS * DAY
    seeds: list[tuple[str, str, str, float, str]] = []
    at = NOW - span
    while at < NOW + 31 * DAY:
        seeds += [
            (f"k{len(seeds) + g:09d}", f"group-{g:05d}", "user-seed", at, ".")
            for g in range(GROUPS)
        ]
        at += 27 * DAY
    store.put_many(seeds)
    k = record_keys.c
    with engine.connect() as conn:
        key_of = {
            (row.group_id, row.period): int(row.id)
            for row in conn.execute(
                select(k.id, k.group_id, k.period).where(k.destroyed_at.is_(None))
            )
        }
    months = sorted({period for _, period in key_of})
    starts = [period_bounds(period)[0] for period in months]
    rng = random.Random(3)
    lengths = [len(_text(rng)) for _ in range(4096)]
    noise = os.urandom(1 << 20)

    def rows(lo: int, hi: int) -> Iterator[tuple[Any, ...]]:
        for i in range(lo, hi):
            at = NOW - span + (i + rng.random()) * span / n
            group = f"group-{rng.randrange(GROUPS):05d}"
            period = months[bisect.bisect_right(starts, at) - 1]
            off = (i * 37) & ((1 << 20) - 256)
            body = noise[off + 12 : off + 28 + lengths[i & 4095]]
            author = f"user-{rng.randrange(GROUPS * 50):07d}"
            yield (
                f"p{i:010d}",
                group,
                author,
                at,
                period,
                key_of[(group, period)],
                noise[off : off + 12],
                body,
            )

    indexes = list(record_records.indexes)
    raw = engine.raw_connection()
    try:
        for index in indexes:
            raw.execute(f"DROP INDEX {index.name}")
        insert = (
            "INSERT INTO record_records (content_id, group_id, author_id, at, period, key_id, "
            "nonce, ciphertext) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )
        started = time.perf_counter()
        for lo in range(0, n, 200_000):
            raw.executemany(insert, rows(lo, min(n, lo + 200_000)))
            raw.commit()
            if (lo + 200_000) % 1_000_000 == 0:
                _log(f"  {lo + 200_000:,} / {n:,} rows ({time.perf_counter() - started:.0f} s)")
        for index in indexes:
            raw.execute(str(CreateIndex(index).compile(engine)))
            raw.commit()
            _log(f"  index {index.name} built ({time.perf_counter() - started:.0f} s)")
    finally:
        raw.close()


def _purge_figures(tmp: Path, master: MasterKey, n: int) -> None:
    path = tmp / "purge.db"
    engine = _engine(path)
    store = RecordStore(engine, master, retention=Retention(180, 365))
    _log(f"loading {n:,} records over 24 months ({GROUPS} groups) for the purge")
    _bulk_load(engine, store, n)
    store.place_hold("group", "group-00007", "benchmark case", "bench", NOW)
    store.place_hold("account", "user-0000042", "benchmark case", "bench", NOW)
    total = _count(engine)
    _log(f"database: {_size(engine, path) / 1e6:,.0f} MB, {total:,} records; purging")
    phases: dict[str, float] = {}
    started = time.perf_counter()

    def progress(p: PurgeProgress) -> None:
        phases[p.phase] = time.perf_counter() - started
        if p.batches % 100 == 0:
            _log(f"  purge: {p}")

    report = store.purge(NOW, batch=10_000, progress=progress)
    elapsed = time.perf_counter() - started
    keys_s = phases.get("keys", 0.0)
    _log(f"purge: {report}")
    print(
        f"purge time ({total:,} records): {elapsed:.1f} s (SQLite WAL, batches of 10,000; "
        f"{report.records_deleted:,} past the 365-day maximum deleted, "
        f"{report.keys_destroyed:,} period keys destroyed in {keys_s:.2f} s, "
        f"{report.skipped_held:,} kept for 2 holds, {report.kept_under_minimum:,} under the "
        f"minimum, {report.kept_retained:,} retained; rows bulk-loaded, see module docstring; "
        "2 cores)"
    )
    print(
        f"purge row-delete rate: {report.records_deleted / max(elapsed - keys_s, 1e-9):,.0f} "
        f"records/s (phase 2 of that purge; phase 1, crypto-shredding whole periods, is "
        f"O(periods): {report.keys_destroyed:,} keys in {keys_s:.2f} s)"
    )
    if total < 10_000_000:
        scale = 10_000_000 / total
        print(
            f"purge time (10,000,000 records, EXTRAPOLATED): {elapsed * scale:.0f} s (linear "
            f"extrapolation x{scale:.3g} from the measured {total:,}-record purge, not a "
            "measurement; row deletes slow down somewhat as the database outgrows the cache)"
        )
    started = time.perf_counter()
    again = store.purge(NOW, batch=10_000)
    print(
        f"purge time (rerun, nothing left to do): {time.perf_counter() - started:.2f} s "
        f"(idempotent rerun over the {total - report.records_deleted:,} records left; "
        f"{again.records_deleted} deleted)"
    )
    if _count(engine) != total - report.records_deleted:
        raise AssertionError("purge report and table disagree")
    engine.dispose()


def main() -> None:
    """Prints the figures; takes about four minutes on two cores (about 3 GB of disk)."""
    n = int(os.environ.get("BENCH_RECORDS_PURGE_N", "10000000"))
    master = MasterKey(os.urandom(32), "bench")
    with tempfile.TemporaryDirectory(prefix="bench_records_") as name:
        tmp = Path(name)
        _store_figures(tmp, master)
        _purge_figures(tmp, master, n)


if __name__ == "__main__":
    main()
