"""A stream's micro-batch applied once, without Spark: `apply_batch` folds the lines in their
source's order through ingest, in one transaction with the row recording the batch; the same
batch again is skipped; a failure before the commit leaves nothing; refused lines are located
by file and line. And the command's refusals of a bad source or checkpoint, before any JVM."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.events import MAX_LINE_BYTES, EventError
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.pipeline.stream import (
    SOURCE_FILE,
    Refusal,
    StreamLine,
    apply_batch,
    in_order,
)
from goodstanding.store import Store, verify
from goodstanding.store import schema as tables
from sim_log import sim_stream

TOO_LONG = MAX_LINE_BYTES + 10


def _batches(stream: Path) -> list[list[StreamLine]]:
    """The stream's lines as three files of a folder, delivered as two micro-batches (the
    second holding two files), each shuffled as Spark may hand rows over; the second file
    has a malformed line and one over the line limit."""
    lines = stream.read_bytes().splitlines()
    third = len(lines) // 3
    files = [lines[:third], lines[third : 2 * third], lines[2 * third :]]
    files[1][5:5] = [b'{"type": "nope"}', b""]
    rows = [
        [
            StreamLine(f"part-{k}.jsonl", 0, position, len(line), line)
            for position, line in enumerate(file)
        ]
        for k, file in enumerate(files)
    ]
    rows[1][6] = StreamLine("part-1.jsonl", 0, 6, TOO_LONG, None)
    return [rows[0][::-1], [*rows[2], *rows[1]][::-1]]


def _one_go(tmp_path: Path, batches: list[list[StreamLine]]) -> str:
    """The projections digest of ingesting the batches' lines in one go."""
    flat = [line for batch in batches for line in in_order(batch, numbered=True)]
    stream = tmp_path / "one-go.jsonl"
    stream.write_bytes(b"".join((line.data or b"x" * TOO_LONG) + b"\n" for line in flat))
    url = f"sqlite:///{tmp_path / 'one-go.db'}"
    result = CliRunner().invoke(app, ["--db", url, "ingest", str(stream)])
    assert result.exit_code == 1, result.output  # the two bad lines
    store = Store.open(url)
    try:
        return store.digest()
    finally:
        store.close()


def test_each_batch_is_applied_once_in_source_order(db_url: str, tmp_path: Path) -> None:
    batches = _batches(sim_stream(tmp_path))
    store = Store.open(db_url)
    ingestor = Ingestor(store, load_policies(store), now=None)
    refused: list[tuple[str, EventError]] = []

    def failing() -> None:
        raise RuntimeError("crash before the commit")

    first = in_order(batches[0], numbered=True)
    with pytest.raises(RuntimeError):
        apply_batch(ingestor, "q1", 0, first, before_commit=failing)
    assert store.count(tables.events) == 0 and store.applied_batches() == []

    outcomes = [
        apply_batch(ingestor, "q1", n, in_order(batch, numbered=True), on_refusal=_add(refused))
        for n, batch in enumerate(batches)
    ]
    again = apply_batch(ingestor, "q1", 1, in_order(batches[1], numbered=True))
    assert again.applied is None and again.report.read == 0

    logged = store.count(tables.events)
    applied = store.applied_batches()
    assert [(b.query_id, b.batch_id) for b in applied] == [("q1", 0), ("q1", 1)]
    assert sum(b.accepted for b in applied) == logged
    assert applied[-1].head_seq == logged
    assert [b.refused for b in applied] == [0, 2]
    assert [o.report.rejected for o in outcomes] == [0, 2]
    assert [where for where, _ in refused] == ["part-1.jsonl:6", "part-1.jsonl:7"]
    assert f"{TOO_LONG:,} bytes long" in refused[1][1].message
    assert verify(store).ok
    digest = store.digest()
    store.close()
    assert digest == _one_go(tmp_path, batches)


def _add(into: list[tuple[str, EventError]]) -> Refusal:
    return lambda where, error: into.append((where, error))


def test_kafka_lines_are_ordered_by_partition_and_offset() -> None:
    lines = [StreamLine("events", p, o, 1, b"x") for p, o in [(10, 3), (2, 9), (2, 4), (10, 1)]]
    located = [line.where for line in in_order(lines, numbered=False)]
    assert located == ["events/2@4", "events/2@9", "events/10@1", "events/10@3"]


def test_bad_sources_and_checkpoints_are_refused_before_spark_starts(tmp_path: Path) -> None:
    source, checkpoint = tmp_path / "in", tmp_path / "ck"
    url = f"sqlite:///{tmp_path / 'gs.db'}"

    def stream(*args: str) -> str:
        result = CliRunner().invoke(app, ["--db", url, "stream", *args])
        assert result.exit_code == 2, result.output
        return " ".join(result.output.split())

    args = ["--source", str(source), "--checkpoint", str(checkpoint)]
    assert "no such folder; give a folder of JSON Lines files" in stream(*args)
    source.mkdir()
    assert "no such folder; create it first" in stream(*args)
    checkpoint.mkdir()
    (checkpoint / "offsets").mkdir()
    assert "not a checkpoint of goodstanding stream" in stream(*args)
    (checkpoint / "offsets").rmdir()
    made_for = {"source": str(tmp_path / "elsewhere")}
    (checkpoint / SOURCE_FILE).write_text(json.dumps(made_for))
    assert "was made for the source" in stream(*args)
    kafka = ["--checkpoint", str(checkpoint), "--source"]
    assert "expected kafka:HOST:PORT/TOPIC" in stream(*kafka, "kafka:host:99999/t")
    assert "not a Kafka topic" in stream(*kafka, "kafka:host:9092/a b")
    assert "not a Spark master" in stream(*args, "--master", "local[2] --jars x")
    assert not Path(tmp_path / "gs.db").exists()


def test_ctrl_c_sets_the_stop_event_instead_of_interrupting() -> None:
    from goodstanding.pipeline.spark_stream import stop_on_interrupt

    before = signal.getsignal(signal.SIGINT)
    with stop_on_interrupt() as interrupted:
        os.kill(os.getpid(), signal.SIGINT)
        assert interrupted.wait(5)
    assert signal.getsignal(signal.SIGINT) is before
