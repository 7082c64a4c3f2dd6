"""replay --out and load: the projections as Parquet files, the store untouched; loaded
back, the store's digest is a plain replay's (SQLite and PostgreSQL); a load refused when
the log moved on, the files changed, or the folder is not one replay wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.store import Store
from goodstanding.store import schema as tables
from sim_log import ingested, sim_stream

runner = CliRunner()


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sim_stream(tmp_path_factory.mktemp("replay-sim"))


def run(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db, *args])
    return result.exit_code, result.output


def digest(db: str) -> str:
    store = Store.open(db)
    try:
        return store.digest()
    finally:
        store.close()


def state_of(db: str) -> tuple[str, int, int, str | None]:
    """What a write would change: the projections, the log, the detection cache, the head."""
    store = Store.open(db)
    try:
        cache = store.execute_sql("SELECT count(*) FROM detection_cache")[0][0]
        return store.digest(), store.count(tables.events), cache, store.meta_value("head")
    finally:
        store.close()


def replayed_out(stream: Path, tmp_path: Path) -> tuple[str, Path]:
    """A SQLite store holding the stream, and the folder `replay --out` wrote from it."""
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    ingested(db, stream)
    folder = tmp_path / "p"
    assert run(db, "replay", "--out", str(folder))[0] == 0
    return db, folder


def test_replay_out_then_load_gives_a_plain_replays_digest(
    db_url: str, stream: Path, tmp_path: Path
) -> None:
    ingested(db_url, stream)
    store = Store.open(db_url)
    with store.engine.begin() as conn:  # projections a replay will change back
        conn.execute(tables.ledger.delete().where(tables.ledger.c.event_seq % 3 == 0))
    store.close()
    before = state_of(db_url)
    folder = tmp_path / "projections"
    code, output = run(db_url, "replay", "--out", str(folder), "--json")
    assert code == 0, output
    assert state_of(db_url) == before  # the store is not changed
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["tables"]) == {t.name for t in tables.PROJECTIONS}
    for table in tables.PROJECTIONS:
        names = pq.read_schema(folder / table.name / "part-00000.parquet").names
        assert names == [c.name for c in table.columns]
    assert manifest["head_seq"] == before[1]

    code, output = run(db_url, "load", str(folder))
    assert code == 0, output
    loaded = digest(db_url)
    code, output = run(db_url, "replay", "--json")
    assert code == 0, output
    assert json.loads(output)["digest"] == loaded
    if db_url.startswith("sqlite"):  # PostgreSQL may order text keys by another collation
        assert manifest["digest"] == loaded


def test_into_store_replays_and_loads(stream: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    ingested(db, stream)
    plain = digest(db)
    store = Store.open(db)
    with store.engine.begin() as conn:
        conn.execute(tables.sanctions.delete())
    store.close()
    assert digest(db) != plain
    code, output = run(db, "replay", "--out", str(tmp_path / "p"), "--into-store")
    assert code == 0, output
    assert "loaded into the store" in output
    assert digest(db) == plain


def test_load_is_refused_when_the_log_moved_on(stream: Path, tmp_path: Path) -> None:
    db, folder = replayed_out(stream, tmp_path)
    later = tmp_path / "later.jsonl"
    later.write_text(
        '{"id":"late-1","type":"account.registered","at":"2026-06-01T00:00:00Z","actor":"late1"}\n'
    )
    assert run(db, "ingest", str(later))[0] == 0
    before = state_of(db)
    code, output = run(db, "load", str(folder))
    assert code == 1
    assert "its projections would not match this log" in " ".join(output.split())
    assert state_of(db) == before


def test_load_refuses_changed_files_and_loads_nothing(stream: Path, tmp_path: Path) -> None:
    db, folder = replayed_out(stream, tmp_path)
    ledger = folder / "ledger" / "part-00000.parquet"
    table = pq.read_table(ledger)
    pq.write_table(table.slice(0, table.num_rows - 1), ledger)
    before = state_of(db)
    code, output = run(db, "load", str(folder))
    assert code == 1 and "do not match its manifest" in " ".join(output.split())
    assert state_of(db) == before


def test_the_command_line_errors(stream: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    ingested(db, stream)
    code, output = run(db, "replay", "--into-store")
    assert code == 2 and "--into-store and --overwrite go with --out DIR" in output
    code, output = run(db, "replay", "--out", str(tmp_path / "p"), "--policy", "x.toml")
    assert code == 2 and "--out replays under the recorded policy versions" in output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    code, output = run(db, "replay", "--out", str(tmp_path / "full"))
    assert code == 2 and "is not empty" in output
    (tmp_path / "empty").mkdir()
    code, output = run(db, "load", str(tmp_path / "empty"))
    assert code == 1 and "has no manifest.json" in " ".join(output.split())
