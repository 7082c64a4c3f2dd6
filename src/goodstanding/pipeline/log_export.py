"""Exporting the event log to Parquet for a batch job: one row per entry (position, id, type,
time, actor, hashes, the body as logged), in folders by day of event time (hive style,
``day=2026-01-31``), files of a bounded number of rows, written as a whole or not at all,
and only from a log whose chain verifies (and extends the signed checkpoints given)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import takewhile
from pathlib import Path
from typing import Any

import pyarrow as pa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from goodstanding.chunks import chunked
from goodstanding.pipeline.snapshot import read_snapshot
from goodstanding.store import LogEntry, Store, verify
from goodstanding.store.checkpoint import Checkpoint, verify_checkpoints
from goodstanding.store.folders import check_destination, staged_folder
from goodstanding.store.parquet import RollingFiles

FORMATS = ("parquet",)
"""The formats the log is exported in."""
ROWS_PER_FILE = 1_000_000
"""The default bound on the rows of one exported file."""
OPEN_DAYS = 16
"""How many days' files are kept open at once (an entry of another day closes the least
recently written one; a day written again later gets a new file)."""
MANIFEST = "_export.json"
"""The export's own description (a name batch jobs skip when reading the folder)."""
_BATCH = 20_000

LOG_SCHEMA = pa.schema(
    [
        pa.field("seq", pa.int64(), nullable=False),
        pa.field("id", pa.large_string(), nullable=False),
        pa.field("type", pa.large_string(), nullable=False),
        pa.field("at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("at_epoch", pa.float64(), nullable=False),
        pa.field("actor", pa.large_string()),
        pa.field("hash", pa.large_string(), nullable=False),
        pa.field("prev_hash", pa.large_string(), nullable=False),
        pa.field("body", pa.large_string(), nullable=False),
    ]
)
"""One exported log entry: `at` as a UTC timestamp (microseconds) and as epoch seconds,
`actor` null for an event without one, `body` the JSON line as logged (what `hash` covers)."""

Progress = Callable[[int], None]


class LogRefused(RuntimeError):
    """The log is not exported: its chain, or a checkpoint, does not check (the problem
    `verify` names)."""


class ExportFormatError(ValueError):
    """An export format that is not offered."""


@dataclass(frozen=True)
class LogExport:
    """What an export wrote: entries, files, days, and the head it ends at."""

    entries: int
    files: int
    days: int
    head_seq: int
    head_hash: str
    checkpoints: int

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "entries": self.entries,
            "files": self.files,
            "days": self.days,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "checkpoints": self.checkpoints,
        }


def check_format(name: str) -> None:
    """Refuses (ExportFormatError) a format not in FORMATS."""
    if name not in FORMATS:
        raise ExportFormatError(
            f"unknown export format {name!r}: the log is exported as {', '.join(FORMATS)}"
        )


def export_log(
    store: Store,
    dest: Path,
    *,
    fmt: str = "parquet",
    overwrite: bool = False,
    rows_per_file: int = ROWS_PER_FILE,
    checkpoints: Sequence[tuple[str, Checkpoint]] = (),
    trusted: Ed25519PublicKey | None = None,
    pinned_key_id: str | None = None,
    progress: Progress | None = None,
) -> LogExport:
    """Writes the whole event log, as of now, under `dest` (see the module's description);
    refuses a `dest` holding anything unless `overwrite` (FolderError), a broken chain or a
    log that no longer extends one of `checkpoints` (LogRefused; CheckpointError for a
    checkpoint not signed by the trusted key), writing nothing."""
    check_format(fmt)
    check_destination(dest, MANIFEST, overwrite)
    with read_snapshot(store) as (conn, (head_seq, head_hash)):
        covered = _checked(store, checkpoints, trusted, pinned_key_id)
        with staged_folder(dest, MANIFEST, overwrite) as stage:
            entries = takewhile(lambda e: e.seq <= head_seq, store.entries(conn))
            written, files, days = _write(stage, entries, rows_per_file, progress)
            if written != head_seq:
                raise LogRefused(f"the log ends at entry {written}, not at its head {head_seq}")
            summary = LogExport(written, files, days, head_seq, head_hash, covered)
            (stage / MANIFEST).write_text(json.dumps(summary.as_dict(), indent=2) + "\n")
    return summary


def _checked(
    store: Store,
    checkpoints: Sequence[tuple[str, Checkpoint]],
    trusted: Ed25519PublicKey | None,
    pinned: str | None,
) -> int:
    """Raises LogRefused unless the chain verifies and extends every checkpoint; returns how
    many checkpoints were checked."""
    if checkpoints:
        report = verify_checkpoints(store, checkpoints, trusted, pinned)
        problem = report.problem
    else:
        check = verify(store)
        problem = check.problem
    if problem is not None:
        raise LogRefused(problem)
    return len(checkpoints)


def _day(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d")


def _row(entry: LogEntry) -> tuple[Any, ...]:
    moment = datetime.fromtimestamp(entry.at, UTC)
    return (
        entry.seq,
        entry.id,
        entry.type,
        moment,
        entry.at,
        entry.actor or None,
        entry.hash,
        entry.prev_hash,
        entry.body.decode(),
    )


def _write(
    stage: Path, entries: Iterator[LogEntry], rows_per_file: int, progress: Progress | None
) -> tuple[int, int, int]:
    """Writes the entries into day folders under `stage`; returns (entries, files, days)."""
    open_days: dict[str, RollingFiles] = {}
    done: dict[str, list[RollingFiles]] = {}
    count = 0
    for chunk in chunked(entries, _BATCH):
        by_day: dict[str, list[tuple[Any, ...]]] = {}
        for entry in chunk:
            by_day.setdefault(_day(entry.at), []).append(_row(entry))
        for day, rows in by_day.items():
            files = open_days.pop(day, None) or _day_files(stage, day, done, rows_per_file)
            open_days[day] = files  # most recently written last
            files.write(rows)
            if len(open_days) > OPEN_DAYS:
                oldest = next(iter(open_days))
                open_days.pop(oldest).close()
        count += len(chunk)
        if progress is not None:
            progress(len(chunk))
    for files in open_days.values():
        files.close()
    written = [files for day_files in done.values() for files in day_files]
    return count, sum(len(f.files) for f in written), len(done)


def _day_files(
    stage: Path, day: str, done: dict[str, list[RollingFiles]], rows_per_file: int
) -> RollingFiles:
    """A writer for a day's folder, its file names following those written there before."""
    earlier = done.setdefault(day, [])
    first = sum(len(f.files) for f in earlier)
    files = RollingFiles(stage / f"day={day}", LOG_SCHEMA, rows_per_file, first)
    earlier.append(files)
    return files
