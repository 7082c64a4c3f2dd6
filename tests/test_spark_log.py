"""The exported log as a Spark job reads it: as many rows as entries, the positions and the
hashes of the log, the day folders read as a partition column."""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import SparkSession
from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.store import Store
from sim_log import ingested, sim_stream
from spark_session import spark  # noqa: F401


def test_spark_reads_the_exported_log(spark: SparkSession, tmp_path: Path) -> None:  # noqa: F811
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    ingested(db, sim_stream(tmp_path))
    dest = tmp_path / "log"
    result = CliRunner().invoke(
        app, ["--db", db, "export", "log", "--format", "parquet", str(dest)]
    )
    assert result.exit_code == 0, result.output
    store = Store.open(db)
    with store.engine.connect() as conn:
        log = [(e.seq, e.hash, e.prev_hash) for e in store.entries(conn)]
    store.close()

    frame = spark.read.parquet(str(dest))
    assert frame.count() == len(log)
    assert "day" in frame.columns
    read = [
        (row.seq, row.hash, row.prev_hash)
        for row in frame.select("seq", "hash", "prev_hash").orderBy("seq").collect()
    ]
    assert read == log
