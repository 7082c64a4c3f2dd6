"""Several writers on one store at once, as real processes (`goodstanding ingest`, `goodstanding
serve`), on SQLite and PostgreSQL: the write lock taken per batch keeps the chain intact, replay
reproduces the projections, every line is in the log once or reported refused with its reason,
a writer never folds on state another writer changed, and a writer that finds the lock taken
waits (saying so) or, with --no-wait, exits with code 75 (issues 12.1-12.3, 13)."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

import goodstanding
from goodstanding.pipeline import Ingestor, load_policies, replay
from goodstanding.service.context import Limits
from goodstanding.service.tokens import create_token
from goodstanding.store import Store, WriterBusy, verify
from helpers import POLICY_V1, line
from service_helpers import make_api

RUN = "from goodstanding.cli import app; app(prog_name='goodstanding')"
SRC = str(Path(goodstanding.__file__).parents[1])
T0 = "2026-01-02T00:00:00Z"
LIMIT = 120.0  # seconds any one process or wait may take before the test fails


def command(url: str, *args: str, stdin: int | None = None) -> subprocess.Popen[bytes]:
    """`goodstanding --db URL ARGS...` in its own process (this session's keys included)."""
    return subprocess.Popen(
        [sys.executable, "-c", RUN, "--db", url, *args],
        env={**os.environ, "PYTHONPATH": SRC},
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen[bytes]) -> tuple[int, str, str]:
    """Its exit code, stdout and stderr once it has ended."""
    out, err = process.communicate(timeout=LIMIT)
    return process.returncode, out.decode(), err.decode()


def registered(account: str) -> bytes:
    """An account's registration, its id derived from the account."""
    return line("account.registered", T0, account, id=f"r-{account}")


def logged_ids(url: str) -> list[str]:
    """The ids in the event log, in log order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [str(r[0]) for r in conn.execute(text("SELECT id FROM events ORDER BY seq"))]
    finally:
        engine.dispose()


def wait_for_ids(url: str, ids: Iterable[str]) -> None:
    """Until every one of these ids is in the log."""
    wanted, logged = set(ids), set[str]()
    deadline = time.monotonic() + LIMIT
    while not wanted <= logged:
        assert time.monotonic() < deadline, f"never logged: {sorted(wanted - logged)}"
        time.sleep(0.1)
        with contextlib.suppress(DBAPIError):  # no schema yet
            logged = set(logged_ids(url))


def id_of(raw: bytes) -> str:
    """The id of an event line."""
    found: str = json.loads(raw)["id"]
    return found


def check_store(url: str) -> list[str]:
    """What writers left must hold: verify passes, no id is logged twice, and replaying the
    log gives the same projection digest. Returns the logged ids."""
    store = Store.open(url)
    try:
        report = verify(store)
        assert report.ok, report.problem
        ids = logged_ids(url)
        assert len(ids) == len(set(ids)), "an event was logged twice"
        before = store.digest()
        replay(store, load_policies(store))
        assert store.digest() == before, "the projections differ from a replay of the log"
        return ids
    finally:
        store.close()


def check_reports(ids: list[str], inputs: list[list[bytes]], reports: list[dict[str, Any]]) -> None:
    """Each writer's every line was accepted (its id logged), skipped as a duplicate of a logged
    event, or refused with a reason; the accepted counts add up to the log."""
    for lines, report in zip(inputs, reports, strict=True):
        refused = {e["line"]: e for e in report["errors"]}
        assert all(e["error"] for e in refused.values())
        kept = {id_of(raw) for n, raw in enumerate(lines, 1) if n not in refused}
        assert kept <= set(ids), f"lines neither refused nor logged: {kept - set(ids)}"
        assert report["read"] == len(lines)
        assert report["read"] == report["accepted"] + report["duplicates"] + len(refused)
    assert sum(int(r["accepted"]) for r in reports) == len(ids)


def refused_ids(report: dict[str, Any]) -> list[str]:
    """The ids of the lines a report refused."""
    return sorted(str(e["id"]) for e in report["errors"])


# -- the lock, in one process ------------------------------------------------------------------


def test_a_writer_gives_up_after_its_wait_having_written_nothing_more(db_url: str) -> None:
    """An ingest that finds the lock taken between two of its batches raises WriterBusy
    naming what its earlier batches accepted and the first line it did not write; `on_wait`
    heard about the wait."""
    store = Store.open(db_url)
    waits: list[float] = []
    ingestor = Ingestor(
        store, load_policies(store, [str(POLICY_V1)]), wait=0.3, on_wait=waits.append
    )
    holder = Store.open(db_url)
    held = ExitStack()

    def take_the_lock(_: int) -> None:  # another writer starts after this one's first batch
        conn = held.enter_context(holder.engine.connect())
        held.enter_context(conn.begin())
        holder.write_lock(conn)

    with held, pytest.raises(WriterBusy) as busy:
        ingestor.ingest([registered("m1"), registered("m2")], batch=1, progress=take_the_lock)
    assert (busy.value.accepted, busy.value.from_line) == (1, 2)
    assert "1 events were accepted before, nothing from line 2 on" in str(busy.value)
    assert waits and logged_ids(db_url) == ["r-m1"]
    assert ingestor.ingest([registered("m2")]).accepted == 1  # the lock is free again
    store.close()
    holder.close()


def test_a_policy_version_another_writer_records_judges_this_writers_next_batch(
    tmp_path: Path,
) -> None:
    """B records version t2 (a post earns 1.5, not 1, from noon on) while A runs: A's next post
    after noon is judged by t2, as replay judges it."""
    url = f"sqlite:///{tmp_path}/gs.db"
    a_store, b_store = Store.open(url), Store.open(url)
    a = Ingestor(a_store, load_policies(a_store, [str(POLICY_V1)]), now=None)
    assert a.ingest([registered("m1")]).accepted == 1
    v2 = tmp_path / "t2.toml"
    v2.write_text(
        POLICY_V1.read_text()
        .replace('version = "t1"', 'version = "t2"')
        .replace(
            "effective_from = 2026-01-01T00:00:00Z\nname",
            "effective_from = 2026-01-02T12:00:00Z\nname",
        )
        .replace("post = 1.0", "post = 1.5")
    )
    load_policies(b_store, [str(v2)])
    post = line(
        "content.posted",
        "2026-01-02T13:00:00Z",
        "m1",
        id="p1",
        content_id="c1",
        kind="post",
        text="hello there, neighbours",
    )
    assert a.ingest([post]).accepted == 1
    [(delta,)] = a_store.execute_sql("SELECT delta FROM ledger WHERE reason = 'post'")
    assert delta == 1.5
    check_store(url)


# -- several ingests at once ------------------------------------------------------------------

SHARED = ("s0", "s1")
BATCH = 2


def writer_input(k: int, overlapping: bool) -> tuple[list[bytes], list[bytes]]:
    """Writer k's first lines (registrations, logged before any writer goes on) and the rest:
    its members' posts, likes of them (by the shared accounts when `overlapping`, so writers
    fold onto the same accounts), and a like by an unknown account (refused). Overlapping
    writers all start with the same shared accounts and group (one of each line is accepted,
    the others are duplicates), each send a message to that group (records of one group and
    period, whose data key one of them makes), one identical post, and one id with a body of
    their own (one is accepted, the rest are conflicts)."""
    own = [f"w{k}m{i}" for i in range(4)]
    first = [registered(a) for a in (*(SHARED if overlapping else ()), *own)]
    if overlapping:
        first += [
            line("group.created", "2026-01-02T00:10:00Z", "s0", id="sg", group_id="sg", name="x"),
            line("group.joined", "2026-01-02T00:11:00Z", "s1", id="sg-s1", group_id="sg"),
        ]
    rest: list[bytes] = []
    for i, author in enumerate(own):
        posted, liked = f"2026-01-02T01:{i:02d}:{k:02d}Z", f"2026-01-02T02:{i:02d}:{k:02d}Z"
        content = f"w{k}c{i}"
        rest.append(
            line(
                "content.posted",
                posted,
                author,
                id=f"w{k}p{i}",
                content_id=content,
                kind="post",
                text="hello there, neighbours",
            )
        )
        for liker in SHARED if overlapping else (own[(i + 1) % len(own)],):
            rest.append(
                line(
                    "content.engaged",
                    liked,
                    liker,
                    id=f"w{k}l{i}-{liker}",
                    content_id=content,
                    kind="like",
                )
            )
    if overlapping:
        rest.append(
            line(
                "content.posted",
                f"2026-01-02T02:30:{k:02d}Z",
                "s1",
                id=f"w{k}msg",
                content_id=f"w{k}msg",
                kind="message",
                group_id="sg",
                text="a message to the shared group",
            )
        )
        rest.append(
            line(
                "content.posted",
                "2026-01-02T03:00:00Z",
                "s0",
                id="shared-post",
                content_id="shared",
                kind="post",
                text="one post every writer sends",
            )
        )
        rest.append(line("account.registered", T0, f"x{k}", id="clash"))
    rest.append(
        line(
            "content.engaged",
            "2026-01-02T04:00:00Z",
            f"ghost{k}",
            id=f"w{k}ghost",
            content_id=f"w{k}c0",
            kind="like",
        )
    )
    return first, rest


@pytest.mark.parametrize(("writers", "overlapping"), [(2, False), (4, True)])
def test_writers_at_once_interleaved_batch_by_batch(
    db_url: str, writers: int, overlapping: bool
) -> None:
    """N ingests start together on a fresh database (each creates the schema and records the
    policy, under the lock), log their first lines, then are fed the rest a batch each in
    turn, so their batches interleave."""
    inputs = [writer_input(k, overlapping) for k in range(writers)]
    args = ("ingest", "-", "--batch-size", str(BATCH), "--policy", str(POLICY_V1), "--json")
    processes = [command(db_url, *args, stdin=subprocess.PIPE) for _ in range(writers)]
    feeds = [p.stdin for p in processes]
    assert all(feed is not None for feed in feeds)

    def feed(k: int, lines: list[bytes]) -> None:
        pipe = feeds[k]
        assert pipe is not None
        pipe.write(b"".join(raw + b"\n" for raw in lines))
        pipe.flush()

    for k, (first, _) in enumerate(inputs):
        feed(k, first)
    wait_for_ids(db_url, (id_of(raw) for first, _ in inputs for raw in first))
    rounds = max(len(rest) for _, rest in inputs)
    for start in range(0, rounds, BATCH):
        for k, (_, rest) in enumerate(inputs):
            feed(k, rest[start : start + BATCH])
    for pipe in feeds:
        assert pipe is not None
        pipe.close()  # every writer reaches the end of its input now
    reports = []
    for process in processes:
        process.stdin = None  # closed above: nothing for communicate() to flush
        code, out, err = finish(process)
        assert code == 1, err  # 1: the refused lines
        assert "Traceback" not in err and "locked" not in err
        reports.append(json.loads(out))
    ids = check_store(db_url)
    check_reports(ids, [first + rest for first, rest in inputs], reports)
    refused = [refused_ids(r) for r in reports]
    clashes = sum(ids_.count("clash") for ids_ in refused)
    assert clashes == (writers - 1 if overlapping else 0)
    for k, ids_ in enumerate(refused):  # nothing valid was refused
        assert [i for i in ids_ if i != "clash"] == [f"w{k}ghost"]
    assert sum(int(r["duplicates"]) for r in reports) == (
        (writers - 1) * (len(SHARED) + 3) if overlapping else 0
    )


# -- a long-running writer and another writer's batch ------------------------------------------


def test_a_writer_reading_a_fifo_sees_another_writers_batch(db_url: str, tmp_path: Path) -> None:
    """A reads a FIFO batch by batch and keeps state between batches; B removes m2 from the
    group in between. A must then refuse m2's message to the group and accept m2 joining
    again: on stale state it would do the opposite (issue 12.1)."""
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    first = [
        registered("m1"),
        registered("m2"),
        line("group.created", "2026-01-02T00:10:00Z", "m1", id="g", group_id="g1", name="x"),
        line("group.joined", "2026-01-02T00:11:00Z", "m2", id="j2", group_id="g1"),
    ]
    later = [
        line(
            "content.posted",
            "2026-01-02T00:13:00Z",
            "m2",
            id="msg",
            content_id="c-msg",
            kind="message",
            group_id="g1",
            text="am I still in?",
        ),
        line("group.joined", "2026-01-02T00:14:00Z", "m2", id="j2-again", group_id="g1"),
    ]
    left = line("group.left", "2026-01-02T00:12:00Z", "m2", id="l2", group_id="g1")
    args = ("ingest", str(fifo), "--batch-size", "1", "--policy", str(POLICY_V1), "--json")
    a = command(db_url, *args)
    with fifo.open("wb", buffering=0) as feed:
        feed.write(b"".join(raw + b"\n" for raw in first))
        wait_for_ids(db_url, map(id_of, first))
        (tmp_path / "left.jsonl").write_bytes(left + b"\n")
        code, out, err = finish(command(db_url, "ingest", str(tmp_path / "left.jsonl"), "--json"))
        assert code == 0, err
        b_report = json.loads(out)
        feed.write(b"".join(raw + b"\n" for raw in later))
    code, out, err = finish(a)
    assert code == 1, err
    a_report = json.loads(out)
    [refused] = a_report["errors"]
    assert refused["id"] == "msg" and "not a member of group 'g1'" in refused["error"]
    assert a_report["accepted"] == len(first) + 1
    ids = check_store(db_url)
    assert ids == ["r-m1", "r-m2", "g", "j2", "l2", "j2-again"]
    check_reports(ids, [first + later, [left]], [a_report, b_report])


# -- waiting for the lock, or not --------------------------------------------------------------


WAITED = re.compile(r"waiting for another writer .*\.\.\. (\d+) s$")


def waited_notices(process: subprocess.Popen[bytes], at_least: int) -> list[str]:
    """The lines a waiting writer says on stderr, up to the first saying it has waited at
    least `at_least` seconds (an AssertionError if it ends, says something else, or takes
    too long). Its stderr is read by a thread, so a writer that says nothing fails the test
    instead of hanging it."""
    pipe = process.stderr
    assert pipe is not None
    lines: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(raw) for raw in pipe], daemon=True).start()
    said: list[str] = []
    while True:
        try:
            said.append(lines.get(timeout=LIMIT).decode())
        except queue.Empty:
            raise AssertionError(f"the waiting writer said nothing more: {said}") from None
        found = WAITED.search(said[-1].rstrip())
        assert found, f"the waiting writer ended or said something else: {said}"
        if int(found[1]) >= at_least:
            return said


def test_a_second_writer_waits_for_the_lock_or_exits_75(db_url: str, tmp_path: Path) -> None:
    """While another writer holds the lock, `ingest --no-wait` exits 75 with one line and
    writes nothing; `ingest` says it waits, with the time waited, and (on SQLite) outlasts
    the 10 s busy timeout, then ingests once the lock is free."""
    store = Store.open(db_url)
    load_policies(store, [str(POLICY_V1)])  # recorded now: neither command records any
    events = tmp_path / "e.jsonl"
    events.write_bytes(registered("m1") + b"\n")
    outlast = 10 if db_url.startswith("sqlite") else 0
    with store.engine.connect() as conn, conn.begin():
        store.write_lock(conn)  # another writer, in the middle of a long batch
        waiting = command(db_url, "ingest", str(events), "--json")
        code, out, err = finish(command(db_url, "ingest", str(events), "--no-wait"))
        assert code == 75, err
        assert len(err.strip().splitlines()) == 1, err
        assert "another process is writing this store" in err and "--no-wait" in err
        assert "nothing written" in err and out == ""
        said = waited_notices(waiting, outlast)
        assert logged_ids(db_url) == []
    code, out, err = finish(waiting)
    assert code == 0, "".join(said) + err
    assert "waiting for another writer" in said[0] and said[0].rstrip().endswith("... 0 s")
    assert json.loads(out)["accepted"] == 1
    assert logged_ids(db_url) == ["r-m1"]
    store.close()


# -- the service -------------------------------------------------------------------------------

NDJSON = {"Content-Type": "application/x-ndjson"}


def test_the_service_answers_503_while_another_writer_holds_the_lock(db_url: str) -> None:
    """A write that cannot have the lock within the service's wait is answered 503 with
    Retry-After and a problem document, and writes nothing; once the lock is free it goes
    through."""
    store = Store.open(db_url)
    load_policies(store, [str(POLICY_V1)])  # the small test policy: quicker to build
    api = make_api(db_url, Limits(writer_wait=0.2))
    batch = b"\n".join([registered("n1"), registered("n2")])
    before = logged_ids(db_url)
    with store.engine.connect() as conn, conn.begin():
        store.write_lock(conn)
        busy = [
            api.client.post("/v1/events", content=batch, headers={**api.as_("platform"), **NDJSON}),
            api.client.post(
                "/v1/reports",
                json={"content_id": "c1", "rule": "spam.links"},
                headers=api.as_("member"),
            ),
        ]
    for response in busy:
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "1"
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["type"].endswith("/writer-busy") and problem["status"] == 503
        assert "write lock" in problem["detail"] and "Traceback" not in response.text
    assert logged_ids(db_url) == before
    done = api.client.post("/v1/events", content=batch, headers={**api.as_("platform"), **NDJSON})
    assert done.status_code == 200 and done.json()["accepted"] == 2
    store.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    """`goodstanding serve` on this port."""
    return command(url, "serve", "--port", str(port), "--writer-wait", "60")


def _wait_until_serving(process: subprocess.Popen[bytes], port: int) -> None:
    """Until the service on this port answers."""
    deadline = time.monotonic() + LIMIT
    while True:
        assert process.poll() is None, finish(process)
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the service never answered"
        time.sleep(0.2)


def test_two_service_processes_ingesting_at_once(db_url: str) -> None:
    """Two `goodstanding serve` processes on one store, each sent every batch at the same
    moment as the other: each event is accepted by exactly one of them (a duplicate for the
    other), verify passes (the audit chain too) and replay reproduces the projections."""
    store = Store.open(db_url)
    load_policies(store, [str(POLICY_V1)])
    _, secret = create_token(store.engine, "platform", None, None, "test", time.time())
    store.close()
    headers = {"Authorization": f"Bearer {secret}", **NDJSON}
    ports = [_free_port(), _free_port()]
    services = [_serve(db_url, port) for port in ports]
    batches = [
        [registered(f"b{j}m{i}") for i in range(3)]
        + [
            line(
                "content.posted",
                f"2026-01-02T01:00:0{i}Z",
                f"b{j}m{i}",
                id=f"b{j}p{i}",
                content_id=f"b{j}c{i}",
                kind="post",
                text="hello there, neighbours",
            )
            for i in range(3)
        ]
        for j in range(4)
    ]
    answers: dict[tuple[int, int], list[dict[str, Any]]] = {}

    def post(j: int, port: int) -> None:
        body = b"\n".join(batches[j])
        with httpx.Client(timeout=LIMIT) as client:
            response = client.post(
                f"http://127.0.0.1:{port}/v1/events", content=body, headers=headers
            )
        assert response.status_code == 200, response.text
        answers[(j, port)] = response.json()["results"]

    try:
        for process, port in zip(services, ports, strict=True):
            _wait_until_serving(process, port)
        for j in range(len(batches)):
            senders = [threading.Thread(target=post, args=(j, port)) for port in ports]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join(LIMIT)
    finally:
        for process in services:
            process.terminate()
            finish(process)
    assert len(answers) == len(batches) * len(ports)
    for j, batch in enumerate(batches):
        for n in range(len(batch)):
            statuses = sorted(answers[(j, port)][n]["status"] for port in ports)
            assert statuses == ["accepted", "duplicate"], (j, n, statuses)
    ids = check_store(db_url)
    assert sorted(ids) == sorted(id_of(raw) for batch in batches for raw in batch)
