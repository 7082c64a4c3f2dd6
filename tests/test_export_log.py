"""export log: the event log as Parquet files, read back equal to the log; refused, writing
nothing, for a broken chain, a checkpoint the log no longer extends, a folder that is not
empty and a format not offered."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.store import LogEntry, Store
from sim_log import ingested, sim_stream

runner = CliRunner()


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sim_stream(tmp_path_factory.mktemp("export-sim"))


@pytest.fixture
def db(tmp_path: Path, stream: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gs.db'}"
    ingested(url, stream)
    return url


def log_entries(url: str) -> list[LogEntry]:
    store = Store.open(url)
    try:
        with store.engine.connect() as conn:
            return list(store.entries(conn))
    finally:
        store.close()


def exported(folder: Path) -> list[dict[str, object]]:
    dataset = ds.dataset(folder, format="parquet", partitioning="hive")
    return sorted(dataset.to_table().to_pylist(), key=lambda row: int(row["seq"]))  # type: ignore[call-overload]


def export(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db, "export", "log", *args])
    return result.exit_code, result.output


def nothing_beside(folder: Path) -> bool:
    """Whether no staging folder of an export into `folder` is left beside it."""
    return not [p for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.")]


def test_the_export_reads_back_as_the_log(db: str, tmp_path: Path) -> None:
    dest = tmp_path / "log"
    code, output = export(db, "--format", "parquet", "--rows-per-file", "100", str(dest))
    assert code == 0, output
    entries = log_entries(db)
    rows = exported(dest)
    assert len(rows) == len(entries) > 500
    for entry, row in zip(entries, rows, strict=True):
        moment = datetime.fromtimestamp(entry.at, UTC)
        assert row == {
            "seq": entry.seq,
            "id": entry.id,
            "type": entry.type,
            "at": moment,
            "at_epoch": entry.at,
            "actor": entry.actor,
            "hash": entry.hash,
            "prev_hash": entry.prev_hash,
            "body": entry.body.decode(),
            "day": moment.strftime("%Y-%m-%d"),
        }
    files = list(dest.rglob("*.parquet"))
    assert len(files) > 8 and all(p.parent.name.startswith("day=") for p in files)
    assert max(ds.dataset(p).count_rows() for p in files) <= 100
    assert nothing_beside(dest)


def test_a_broken_chain_is_refused_as_verify_says_and_nothing_is_written(
    db: str, tmp_path: Path
) -> None:
    store = Store.open(db)
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE events SET body = REPLACE(body, '\"at\"', '\"at\" ') WHERE seq = 9")
        )
    store.close()
    verdict = runner.invoke(app, ["--db", db, "verify"])
    dest = tmp_path / "log"
    code, output = export(db, str(dest))
    assert verdict.exit_code == code == 1
    assert "log broken: entry 9" in output
    assert output.strip() == verdict.output.strip()
    assert not dest.exists() and nothing_beside(dest)


def test_a_folder_that_is_not_empty_is_refused_unless_overwrite(db: str, tmp_path: Path) -> None:
    dest = tmp_path / "log"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    code, output = export(db, str(dest))
    assert code == 2 and "is not empty" in output
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]
    code, output = export(db, "--overwrite", str(dest))
    assert code == 2 and "it is not an earlier export" in " ".join(output.split())
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]
    (dest / "keep.txt").unlink()
    assert export(db, str(dest))[0] == 0
    (dest / "day=2000-01-01").mkdir()
    code, output = export(db, "--overwrite", str(dest))
    assert code == 0, output
    assert not (dest / "day=2000-01-01").exists()
    assert len(exported(dest)) == len(log_entries(db))


def test_only_parquet_is_offered(db: str, tmp_path: Path) -> None:
    code, output = export(db, "--format", "jsonl", str(tmp_path / "log"))
    assert code == 2
    assert "unknown export format 'jsonl': the log is exported as parquet" in output
    assert not (tmp_path / "log").exists()


def test_the_log_must_extend_the_latest_signed_checkpoint(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "checkpoint.key"
    made = runner.invoke(app, ["checkpoint", "keygen", "--out", str(key)])
    assert made.exit_code == 0, made.output
    key_id = re.findall(r"key id\s+(\w+)", made.output)[0]
    monkeypatch.setenv("GOODSTANDING_CHECKPOINT_KEYFILE", str(key))
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    signed = runner.invoke(
        app, ["--db", db, "checkpoint", "--out", str(folder / "checkpoint-1.json")]
    )
    assert signed.exit_code == 0, signed.output
    code, output = export(
        db, "--checkpoint-dir", str(folder), "--key-id", key_id, str(tmp_path / "ok")
    )
    assert code == 0, output
    code, output = export(
        db, "--checkpoint-dir", str(folder), "--key-id", "other", str(tmp_path / "no")
    )
    assert code == 1 and "not the trusted key" in output
    assert not (tmp_path / "no").exists()
