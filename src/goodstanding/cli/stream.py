"""A live stream of events through Spark Structured Streaming, each micro-batch applied once:
stream."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated

import typer

from goodstanding.cli.common import err, fail, failing_on, open_store, out, policies_of, safe
from goodstanding.cli.local_keys import key_problems
from goodstanding.cli.write_lock import WaitNotice
from goodstanding.events import EventError
from goodstanding.pipeline import Ingestor
from goodstanding.pipeline.stream import BatchOutcome, StreamError, claim_checkpoint, parse_source
from goodstanding.store import LogBroken

_MASTER = re.compile(r"[A-Za-z0-9*:/.\[\]_-]{1,200}")


def stream_command(
    source: Annotated[
        str,
        typer.Option(
            "--source",
            help="A folder that finished JSON Lines files are moved into, or "
            "kafka:HOST:PORT/TOPIC (needs Spark's Kafka connector).",
        ),
    ],
    checkpoint: Annotated[
        Path,
        typer.Option(
            "--checkpoint",
            help="Spark's checkpoint folder for this source (it must exist; empty at first).",
        ),
    ],
    master: Annotated[str, typer.Option("--master", help="The Spark master.")] = "local[2]",
    trigger_seconds: Annotated[
        float, typer.Option(min=0.1, help="Start a micro-batch this often (seconds).")
    ] = 5.0,
    available_now: Annotated[
        bool,
        typer.Option("--available-now", help="Process what the source holds now, then stop."),
    ] = False,
    max_files_per_trigger: Annotated[
        int | None,
        typer.Option(min=1, help="At most this many new files in one micro-batch (a folder)."),
    ] = None,
    allow_future: Annotated[
        bool, typer.Option(help="Accept events dated after the clock (simulated streams).")
    ] = False,
) -> None:
    """Apply a live stream of events, micro-batch by micro-batch, each exactly once.

    Spark Structured Streaming reads the source (new files in a folder, or a Kafka topic),
    cuts it into micro-batches and keeps its progress in --checkpoint. Each micro-batch's
    lines, in file-name and line order (Kafka: partition and offset), go through what ingest
    does, in one transaction with a row recording (query id, batch id): a batch that Spark
    delivers again after a crash is skipped. A writer must move each finished file into the
    folder in one rename (from a name starting with "." or "_", which Spark skips, or from
    another folder of the same file system). Refused lines are reported as they are found,
    with file and line; the exit code is then 1.

    Example: goodstanding stream --source var/inbox --checkpoint var/stream-checkpoint
    """
    if _MASTER.fullmatch(master) is None:
        raise fail(f"not a Spark master: {master!r} (e.g. local[2], spark://HOST:7077)")
    if max_files_per_trigger is not None and source.startswith("kafka:"):
        raise fail("--max-files-per-trigger applies to a folder, not to Kafka")
    with failing_on(StreamError):
        parsed = parse_source(source)
        claim_checkpoint(checkpoint, parsed)
    try:
        from goodstanding.pipeline.spark_stream import Trigger, run_stream
    except ImportError as error:
        raise fail(f"stream needs PySpark ({error}): pip install 'goodstanding[spark]'") from None
    problems = key_problems()
    if problems:
        raise fail("; ".join(problems))
    totals = _Totals()
    with open_store(create=True) as store:
        notice = WaitNotice()
        policies = policies_of(store, wait=None, on_wait=notice)
        ingestor = Ingestor(
            store, policies, now=None if allow_future else time.time, on_wait=notice
        )
        trigger = Trigger(trigger_seconds, available_now, max_files_per_trigger)
        try:
            run_stream(ingestor, parsed, checkpoint, master, trigger, totals.add, _refused)
        except StreamError as error:
            raise fail(str(error)) from None
        except LogBroken as broken:
            raise fail(f"log broken: {broken}; nothing more was applied", 1) from None
    out.print(
        f"stream stopped: {totals.applied} batches applied, {totals.skipped} skipped as "
        f"applied before; {totals.accepted} accepted, {totals.rejected} rejected",
        highlight=False,
        soft_wrap=True,
    )
    if totals.rejected:
        raise typer.Exit(1)


class _Totals:
    """The batches of one run, each reported as it is committed (or skipped)."""

    def __init__(self) -> None:
        self.applied = self.skipped = self.accepted = self.rejected = 0

    def add(self, outcome: BatchOutcome) -> None:
        """Counts a batch and prints a line about it."""
        batch, report = outcome.applied, outcome.report
        if batch is None:
            self.skipped += 1
            out.print(
                f"batch {outcome.batch_id}: applied before (delivered again after a restart), "
                "skipped",
                highlight=False,
                soft_wrap=True,
            )
            return
        self.applied += 1
        self.accepted += report.accepted
        self.rejected += report.rejected
        out.print(
            f"batch {batch.batch_id}: {report.read} read, {report.accepted} accepted, "
            f"{report.duplicates} duplicates skipped, {report.rejected} rejected; "
            f"log head {batch.head_seq}",
            highlight=False,
            soft_wrap=True,
        )


def _refused(where: str, error: EventError) -> None:
    """Reports one refused line with the file and line (or partition and offset) it came
    from."""
    err.print(f"[red]rejected[/] {safe(where)}: {safe(error)}", highlight=False, soft_wrap=True)
