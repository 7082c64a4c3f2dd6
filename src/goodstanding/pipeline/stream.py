"""A stream's micro-batches applied exactly once: each batch's lines, in the order of their
source (file name and line, or Kafka partition and offset), go through the same decode, fold,
log and projections as `ingest`, in one transaction with the row that records the batch as
applied; a batch recorded already is skipped. Also what a stream is read from, and the
checkpoint folder claimed for that source. No Spark here: pipeline/spark_stream.py delivers
the batches."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from goodstanding.event_lines import too_long
from goodstanding.events import EventError
from goodstanding.pipeline.ingest import Ingestor, IngestReport
from goodstanding.store import AppliedBatch

KAFKA_PREFIX = "kafka:"
_KAFKA = re.compile(r"kafka:(?P<host>[A-Za-z0-9.-]{1,253}):(?P<port>[0-9]{1,5})/(?P<topic>.*)")
_TOPIC = re.compile(r"[A-Za-z0-9._-]{1,249}")
SOURCE_FILE = "goodstanding-source.json"
"""The file in a checkpoint folder naming the source the checkpoint was made for."""


class StreamError(Exception):
    """A stream that cannot start: a bad source, a missing or foreign checkpoint folder."""


@dataclass(frozen=True)
class Source:
    """What a stream reads: a folder of JSON Lines files, or a Kafka topic."""

    folder: Path | None = None
    servers: str | None = None
    topic: str | None = None

    def describe(self) -> str:
        """The source as a checkpoint records it: the folder's absolute path, or
        kafka:HOST:PORT/TOPIC."""
        if self.folder is not None:
            return str(self.folder)
        return f"{KAFKA_PREFIX}{self.servers}/{self.topic}"


def parse_source(text: str) -> Source:
    """The source named by `--source`: kafka:HOST:PORT/TOPIC, or a folder that exists
    (StreamError otherwise)."""
    if text.startswith(KAFKA_PREFIX):
        found = _KAFKA.fullmatch(text)
        if found is None or not 0 < int(found["port"]) < 65536:
            raise StreamError(
                f"not a Kafka source: {text!r}; expected kafka:HOST:PORT/TOPIC "
                "(a host name or address, a port from 1 to 65535)"
            )
        if _TOPIC.fullmatch(found["topic"]) is None:
            raise StreamError(
                f"not a Kafka topic: {found['topic']!r}; a topic is 1 to 249 letters, digits, "
                "dots, underscores or hyphens"
            )
        return Source(servers=f"{found['host']}:{found['port']}", topic=found["topic"])
    folder = Path(text)
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        raise StreamError(f"source {text!r}: {what}; give a folder of JSON Lines files")
    return Source(folder=folder.resolve())


def claim_checkpoint(folder: Path, source: Source) -> None:
    """Checks that the checkpoint folder exists and was made for this source, recording the
    source in a new (empty) one; StreamError for a missing folder, one made for another
    source, or a folder holding anything else."""
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        raise StreamError(f"checkpoint {str(folder)!r}: {what}; create it first (mkdir)")
    recorded = folder / SOURCE_FILE
    wanted = source.describe()
    if recorded.exists():
        try:
            made_for = json.loads(recorded.read_text(encoding="utf-8"))["source"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise StreamError(
                f"checkpoint {str(folder)!r}: unreadable {SOURCE_FILE}: {error}"
            ) from None
        if made_for != wanted:
            raise StreamError(
                f"checkpoint {str(folder)!r} was made for the source {made_for!r}, not "
                f"{wanted!r}; give each source its own checkpoint folder"
            )
        return
    if any(folder.iterdir()):
        raise StreamError(
            f"checkpoint {str(folder)!r} holds files but no {SOURCE_FILE}: not a checkpoint "
            "of goodstanding stream; give an empty folder"
        )
    partial = folder / f".{SOURCE_FILE}.partial"
    partial.write_text(json.dumps({"source": wanted}) + "\n", encoding="utf-8")
    os.replace(partial, recorded)


class StreamLine(NamedTuple):
    """One line as the source delivers it: its origin (a file's name, a Kafka topic), the
    part of it (a file's block offset, a Kafka partition), its position there (increasing
    through the part; a Kafka offset), its size in bytes and its bytes (None when longer
    than the ingest line limit, which the source does not hand over)."""

    origin: str
    part: int
    position: int
    size: int
    data: bytes | None


class Located(NamedTuple):
    """A line of a batch in order, with where it came from (file:line, topic/partition@offset)."""

    where: str
    size: int
    data: bytes | None


def in_order(lines: Iterable[StreamLine], numbered: bool) -> list[Located]:
    """The lines in the order of their source: by origin, part and position. `numbered`
    (files, whole in one batch): each is located by its line number in its file;
    otherwise (Kafka) by partition and offset."""
    ordered: list[Located] = []
    origin, number = None, 0
    for line in sorted(lines, key=lambda s: (s.origin, s.part, s.position)):
        number = number + 1 if line.origin == origin else 1
        origin = line.origin
        where = (
            f"{line.origin}:{number}" if numbered else f"{line.origin}/{line.part}@{line.position}"
        )
        ordered.append(Located(where, line.size, line.data))
    return ordered


class BatchOutcome(NamedTuple):
    """What applying a micro-batch did: its id, the row recording it (None when it had been
    applied already and was skipped) and its ingest report."""

    batch_id: int
    applied: AppliedBatch | None
    report: IngestReport


Refusal = Callable[[str, EventError], None]


def apply_batch(
    ingestor: Ingestor,
    query_id: str,
    batch_id: int,
    lines: Sequence[Located],
    on_refusal: Refusal | None = None,
    before_commit: Callable[[], None] | None = None,
) -> BatchOutcome:
    """Applies a micro-batch once: in one transaction under the write lock, unless the batch
    is recorded already, its lines are ingested as `ingest` would (bad ones refused, each
    given to `on_refusal` with where it came from) and the batch is recorded with its counts
    and the log's head; `before_commit` runs last inside the transaction. A failure rolls it
    all back."""

    def refused(error: EventError) -> None:
        if on_refusal is not None:
            where = lines[(error.line or 1) - 1].where
            on_refusal(where, EventError(error.message, None, error.event_id, error.reason))

    report = IngestReport(keep=0, on_refusal=refused)
    with ingestor.transaction() as conn:
        store = ingestor.store
        if store.applied_batch(conn, query_id, batch_id):
            return BatchOutcome(batch_id, None, report)
        ingestor.ingest_into(conn, _bounded(lines, report), report)
        seq, last = store.head(conn)
        applied = AppliedBatch(
            query_id, batch_id, report.accepted, report.rejected, report.duplicates, seq, last
        )
        store.record_batch(conn, applied)
        if before_commit is not None:
            before_commit()
    return BatchOutcome(batch_id, applied, report)


def _bounded(lines: Sequence[Located], report: IngestReport) -> Iterator[bytes]:
    """The lines' bytes for ingest, a line over the limit refused as ingest refuses it (and
    left empty, so the others keep their numbers)."""
    for number, line in enumerate(lines, start=1):
        if line.data is None:
            report.read += 1
            report.refuse(too_long(line.size, number))
            yield b""
        else:
            yield line.data
