"""Spark Structured Streaming as the source of `goodstanding stream`: it finds new files in a
folder (or records in a Kafka topic), cuts them into micro-batches and keeps the checkpoint;
each micro-batch is handed to `apply_batch` (pipeline/stream.py) in the driver, which
applies it once. The only module that imports PySpark; the command imports it lazily.

Test hook: GOODSTANDING_STREAM_TEST_HOOK=POINT:BATCH:FILE, read by the sink only, makes the
sink write FILE and then sleep (until the process is killed) at POINT of micro-batch BATCH:
`before-commit` (the batch's effects written, its transaction still open) or
`after-commit` (committed, before Spark records the batch as done). The tests use it to
kill the process at those points."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pyspark.errors import AnalysisException, StreamingQueryException
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from goodstanding.events import MAX_LINE_BYTES
from goodstanding.pipeline.ingest import BATCH, Ingestor
from goodstanding.pipeline.stream import (
    BatchOutcome,
    Refusal,
    Source,
    StreamError,
    StreamLine,
    apply_batch,
    in_order,
)

HOOK_ENV = "GOODSTANDING_STREAM_TEST_HOOK"
HOOK_POINTS = ("before-commit", "after-commit")
HOOK_SLEEP = 600.0
KAFKA_PACKAGE = "org.apache.spark:spark-sql-kafka-0-10_2.13"
_NO_KAFKA = ("KAFKA_DATA_SOURCE_NOT_ENABLED", "DATA_SOURCE_NOT_FOUND")


@dataclass(frozen=True)
class Trigger:
    """When micro-batches run: every `seconds`, or (`available_now`) over what is there now,
    then the stream stops; at most `max_files` new files in one batch (None: no bound)."""

    seconds: float = 5.0
    available_now: bool = False
    max_files: int | None = None


def run_stream(
    ingestor: Ingestor,
    source: Source,
    checkpoint: Path,
    master: str,
    trigger: Trigger,
    on_batch: Callable[[BatchOutcome], None],
    on_refusal: Refusal | None = None,
) -> None:
    """Runs the stream until it stops (`available_now`), is interrupted (Ctrl-C: it stops
    between checks, once a second) or fails: a failure of a batch is raised as the sink
    raised it (StreamError for a source Spark cannot read)."""
    session = _session(master)
    try:
        sink = _Sink(ingestor, checkpoint, source.folder is not None, on_batch, on_refusal)
        writer = _lines(session, source, trigger).writeStream.foreachBatch(sink)
        writer = writer.option("checkpointLocation", str(checkpoint.resolve()))
        if trigger.available_now:
            writer = writer.trigger(availableNow=True)
        else:
            writer = writer.trigger(processingTime=f"{trigger.seconds:g} seconds")
        query = writer.start()
        try:
            with stop_on_interrupt() as interrupted:
                while not query.awaitTermination(1):
                    if interrupted.is_set():
                        query.stop()  # a batch under way commits or rolls back whole
                        break
        except StreamingQueryException:
            if sink.failure is not None:
                raise sink.failure from None
            raise
    finally:
        session.stop()


@contextmanager
def stop_on_interrupt() -> Iterator[threading.Event]:
    """An event set by Ctrl-C (SIGINT) while the block runs, in place of PySpark's own
    handler, which calls into the JVM from the signal handler and fails there when a call is
    already under way."""
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return
    before = signal.signal(signal.SIGINT, lambda *_: interrupted.set())
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, before)


def _session(master: str) -> SparkSession:
    """A Spark session on `master`, without the web UI and the console progress bar."""
    session = (
        SparkSession.builder.master(master)
        .appName("goodstanding-stream")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _lines(session: SparkSession, source: Source, trigger: Trigger) -> DataFrame:
    """The source's lines as a streaming frame of StreamLine's columns but the position of a
    file's line (added per batch: Spark numbers no rows of a stream); a line over the ingest
    line limit is delivered without its bytes. A Kafka micro-batch holds at most as many
    records as an ingest batch (the driver holds a micro-batch in memory)."""
    if source.folder is not None:
        reader = session.readStream.format("text")
        if trigger.max_files is not None:
            reader = reader.option("maxFilesPerTrigger", str(trigger.max_files))
        frame = reader.load(str(source.folder))
        return frame.select(
            F.col("_metadata.file_name").alias("origin"),
            F.col("_metadata.file_block_start").alias("part"),
            *_sized(F.col("value").cast("binary")),
        )
    try:
        frame = (
            session.readStream.format("kafka")
            .option("kafka.bootstrap.servers", source.servers)
            .option("subscribe", source.topic)
            .option("startingOffsets", "earliest")
            .option("maxOffsetsPerTrigger", str(BATCH))
            .load()
        )
    except AnalysisException as error:
        if error.getCondition() not in _NO_KAFKA:
            raise
        raise StreamError(
            "Spark's Kafka connector is not installed: add the package "
            f"{KAFKA_PACKAGE}:{session.version}, e.g. PYSPARK_SUBMIT_ARGS='--packages "
            f"{KAFKA_PACKAGE}:{session.version} pyspark-shell' (spark.jars.packages), or its "
            "jars with --jars (spark.jars); see docs/streaming.md"
        ) from None
    return frame.select(
        F.col("topic").alias("origin"),
        F.col("partition").cast("long").alias("part"),
        F.col("offset").alias("position"),
        *_sized(F.col("value")),
    )


def _sized(value: Column) -> tuple[Column, Column]:
    """A line's size in bytes and its bytes, left out (null) when over the line limit."""
    size = F.octet_length(value)
    return size.alias("size"), F.when(size <= MAX_LINE_BYTES, value).alias("data")


class _Sink:
    """The foreachBatch function: collects a micro-batch into the driver, orders it and
    applies it once; keeps the exception a batch failed with (SystemExit included: Spark
    would wait for an answer forever) for `run_stream` to raise."""

    def __init__(
        self,
        ingestor: Ingestor,
        checkpoint: Path,
        files: bool,
        on_batch: Callable[[BatchOutcome], None],
        on_refusal: Refusal | None,
    ):
        self.ingestor, self.checkpoint, self.files = ingestor, checkpoint, files
        self.on_batch, self.on_refusal = on_batch, on_refusal
        self.hook = _hook()
        self.failure: BaseException | None = None

    def __call__(self, frame: DataFrame, batch_id: int) -> None:
        try:
            self._apply(frame, batch_id)
        except BaseException as error:  # Py4J answers Spark only for an Exception
            self.failure = error
            raise RuntimeError(f"micro-batch {batch_id} failed: {error!r}") from None

    def _apply(self, frame: DataFrame, batch_id: int) -> None:
        if self.files:  # within one part of a file, Spark reads its rows in order
            frame = frame.withColumn("position", F.monotonically_increasing_id())
        rows = frame.select("origin", "part", "position", "size", "data").collect()
        lines = [
            StreamLine(
                r.origin, r.part, r.position, r.size, None if r.data is None else bytes(r.data)
            )
            for r in rows
        ]
        outcome = apply_batch(
            self.ingestor,
            self._query_id,
            batch_id,
            in_order(lines, numbered=self.files),
            self.on_refusal,
            lambda: self._pause("before-commit", batch_id),
        )
        self.on_batch(outcome)
        self._pause("after-commit", batch_id)

    @cached_property
    def _query_id(self) -> str:
        """The query's id, which Spark keeps in the checkpoint (the same after a restart):
        read at the first batch, when the checkpoint holds it."""
        metadata = json.loads((self.checkpoint / "metadata").read_text(encoding="utf-8"))
        return str(metadata["id"])

    def _pause(self, point: str, batch_id: int) -> None:
        """The test hook: at its point and batch, writes its file and sleeps."""
        if self.hook is not None and self.hook[:2] == (point, batch_id):
            self.hook[2].write_text(f"{point} {batch_id}\n", encoding="utf-8")
            time.sleep(HOOK_SLEEP)


def _hook() -> tuple[str, int, Path] | None:
    """The test hook's point, batch and file, from the environment (None when unset)."""
    value = os.environ.get(HOOK_ENV)
    if not value:
        return None
    point, batch, file = value.split(":", 2)
    if point not in HOOK_POINTS or not batch.isdigit():
        raise StreamError(f"{HOOK_ENV}: expected POINT:BATCH:FILE, POINT one of {HOOK_POINTS}")
    return point, int(batch), Path(file)
