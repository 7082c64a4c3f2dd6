"""Memory follows the batch, not the input: the state kept between batches is bounded and
any bound gives the same projections; refused lines are counted, kept only up to a limit
and streamed as they are found; an error quotes only a short prefix of what it refuses."""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.engine.handler import Keys
from goodstanding.engine.state import AccountState
from goodstanding.events import QUOTE_LIMIT
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.pipeline.cache import StateCache, estimate
from goodstanding.pipeline.ingest import KEEP, MAX_REASONS, OTHER_REASONS
from goodstanding.sim import SimConfig, write_jsonl
from goodstanding.store import Store
from helpers import engine
from pgserver import PostgresServer
from streams import GARBAGE, Stream, ingest_lines, streams

runner = CliRunner()
T = "2026-01-02T00:00:00Z"


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams(), st.sampled_from([0, 3_000, 30_000]))
def test_any_cache_budget_gives_the_same_projections(stream: Stream, budget: int) -> None:
    lines = [*stream.lines(), *GARBAGE]
    with tempfile.TemporaryDirectory() as tmp:
        bounded = ingest_lines(Path(tmp) / "bounded.db", lines, batch=5, cache_budget=budget)
        unbounded = ingest_lines(Path(tmp) / "all.db", lines, batch=5, cache_budget=None)
    assert bounded == unbounded


@pytest.fixture(scope="module")
def sim_lines(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    path = tmp_path_factory.mktemp("sim") / "sim.jsonl"
    write_jsonl(SimConfig(accounts=500, days=15, seed=7), path)
    return path.read_bytes().splitlines()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_sim_stream_gives_the_same_projections_with_a_tiny_cache(
    kind: str, sim_lines: list[bytes], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    results = {}
    for budget in (40_000, None):
        name = f"memory_{'all' if budget is None else budget}"
        if kind == "postgres":
            server: PostgresServer = request.getfixturevalue("postgres_server")
            server.drop_database(name)
            url = server.create_database(name)
        else:
            url = f"sqlite:///{tmp_path / name}.db"
        store = Store.open(url)
        ingestor = Ingestor(store, load_policies(store), now=None, cache_budget=budget)
        report = ingestor.ingest(sim_lines, batch=250)
        results[budget] = (report.accepted, report.rejected, store.digest(), len(ingestor.cache))
        if budget is not None:
            assert ingestor.cache.bytes <= budget
        store.close()
    (*bounded, kept), (*unbounded, held) = results[40_000], results[None]
    assert bounded == unbounded and bounded[0] > 3000
    assert kept < held / 10


def test_a_content_id_stays_used_after_its_state_was_evicted(tmp_path: Path) -> None:
    """A post's id is read back from the store when the cache no longer holds it: reusing it
    is refused with any budget (accepting it would log an entry replay refuses)."""
    lines = [
        raw("account.registered", "m1", id="r1", role="member"),
        raw("content.posted", "m1", id="p1", content_id="c1", kind="post", text="hello"),
        raw("content.posted", "m1", id="p2", content_id="c1", kind="post", text="again"),
    ]
    for budget in (0, None):
        result = ingest_lines(tmp_path / f"reuse-{budget}.db", lines, batch=1, cache_budget=budget)
        assert (result.accepted, result.errors) == (2, 1)


def test_the_cache_evicts_the_least_recently_used_keys_never_unsaved_ones() -> None:
    fold = engine()
    state = fold.state
    cache = StateCache(fold, budget=0)
    for name in ("a", "b", "c", "a"):  # used in this order: b is the least recently used
        state.accounts[name] = AccountState(id=name, role="member", registered_at=0.0)
        cache.use(Keys(accounts={name}))
    cache.budget = cache.bytes - 1  # room for all but one
    assert cache.trim() == 1 and set(state.accounts) == {"a", "c"}
    state.touch_account(state.accounts["c"])  # changed, not yet saved
    cache.use(Keys())
    cache.budget = 0
    assert cache.trim() == 1
    assert set(state.accounts) == {"c"} and cache.bytes == estimate(state.accounts["c"])
    cache.clear()
    assert not fold.state.accounts and not fold.state.dirty_accounts and cache.bytes == 0


def raw(type_: str, actor: str, **fields: object) -> bytes:
    """A JSON line as sent (not validated first)."""
    return json.dumps({"type": type_, "at": T, "actor": actor, **fields}).encode()


def test_a_report_counts_every_refusal_and_keeps_the_first_in_full(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'gs.db'}")
    bad = [  # refused while reading (an unknown type) and while folding (an unknown actor)
        raw("content.engaged", f"ghost{i}", id=f"l{i}", content_id="c", kind="like")
        if i % 3 == 0
        else b'{"id": "x%d", "type": "nope"}' % i
        for i in range(KEEP + 500)
    ]
    report = Ingestor(store, load_policies(store), now=None).ingest(
        [raw("account.registered", "ann", id="r-ann"), *bad], batch=100
    )
    assert report.accepted == 1 and report.rejected == KEEP + 500
    assert [e.line for e in report.errors] == list(range(2, KEEP + 2))
    (unknown_type, by_type), (ghost, by_ghost) = report.by_reason()
    assert "unknown event type" in unknown_type and "unknown account ..." in ghost
    assert (by_type.count, by_type.lines, by_type.first.line) == (1000, [3, 4, 6, 7, 9], 3)
    assert (by_ghost.count, by_ghost.lines, by_ghost.first.line) == (500, [2, 5, 8, 11, 14], 2)


def test_the_reasons_kept_are_bounded(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'gs.db'}")
    lengths = range(129, 129 + MAX_REASONS + 200)  # each length its own reason
    bad = [raw("account.registered", "a" * n, id=f"r{n}") for n in lengths]
    report = Ingestor(store, load_policies(store), now=None).ingest(bad)
    assert report.rejected == len(bad) and len(report.reasons) == MAX_REASONS + 1
    assert report.reasons[OTHER_REASONS].count == 200


def test_the_cli_groups_refusals_and_streams_every_one_with_verbose_or_json(
    tmp_path: Path,
) -> None:
    stream, db = tmp_path / "in.jsonl", f"sqlite:///{tmp_path / 'gs.db'}"
    stream.write_bytes(raw("account.registered", "ann", id="r-ann") + b"\n{not json" * 3000)
    grouped = runner.invoke(app, ["--db", db, "ingest", str(stream)])
    assert grouped.exit_code == 1, grouped.output
    assert "refused 3,000 lines (lines 2, 3, 4, 5, 6, ...)" in grouped.stderr
    assert "3001 read, 1 accepted, 0 duplicates skipped, 3000 rejected" in grouped.stdout
    verbose = runner.invoke(app, ["--db", db, "ingest", str(stream), "--verbose"])
    assert verbose.stderr.count("rejected line ") == 3000
    as_json = runner.invoke(app, ["--db", db, "ingest", str(stream), "--json"])
    report = json.loads(as_json.stdout)
    assert report["rejected"] == 3000 and report["duplicates"] == 1
    assert [e["line"] for e in report["errors"]] == list(range(2, 3002))


def test_json_refusals_are_written_while_the_input_is_still_coming(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    command = [sys.executable, "-c", "from goodstanding.cli import app; app()"]
    ingest = subprocess.Popen(
        [*command, "--db", db, "ingest", "-", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert ingest.stdin is not None and ingest.stdout is not None
    ingest.stdin.write(b"{not json\n" * 2000)  # under a pipe's buffer; the errors are not
    ingest.stdin.flush()
    waiting = selectors.DefaultSelector()
    waiting.register(ingest.stdout, selectors.EVENT_READ)
    assert waiting.select(timeout=300), "no refusal came out while the input was open"
    first = [ingest.stdout.readline() for _ in range(3)]
    assert first[:2] == [b"{\n", b'  "errors": [\n'] and b'"line": 1,' in first[2]
    ingest.stdin.write(b"{not json\n")
    ingest.stdin.close()
    rest = ingest.stdout.read()
    assert ingest.wait(timeout=300) == 1
    report = json.loads(b"".join(first) + rest)
    assert report["rejected"] == 2001 and len(report["errors"]) == 2001


def test_errors_quote_only_a_prefix_of_a_long_value(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'gs.db'}")
    huge, long_id = "x" * 500_000, "i" * 128
    lines = [
        raw("account.registered", "ann", id=huge),  # refused by decoding
        raw("content.engaged", long_id, id="e1", content_id="c1", kind="like"),  # unknown actor
        raw("account.registered", "bob", id=long_id),
        raw("account.registered", "carl", id=long_id),  # a conflict
    ]
    report = Ingestor(store, load_policies(store), now=None).ingest(lines)
    assert [e.line for e in report.errors] == [1, 2, 4]
    for error in report.errors:
        text = str(error)
        assert "i" * QUOTE_LIMIT not in text and "x" * QUOTE_LIMIT not in text, text
        assert "(128 characters)" in text or "(500,000 characters)" in text
