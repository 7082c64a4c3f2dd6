"""Exporting the event log for batch jobs: export log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from goodstanding.cli.checkpoints import (
    CheckpointFiles,
    KeyIdOption,
    PublicKeyOption,
    checkpoints_given,
    log_broken,
)
from goodstanding.cli.common import (
    JsonOption,
    fail,
    failing_on,
    open_store,
    out,
    print_json,
    progress,
    safe,
)
from goodstanding.pipeline.log_export import (
    ROWS_PER_FILE,
    ExportFormatError,
    LogRefused,
    check_format,
    export_log,
)
from goodstanding.store import schema as tables
from goodstanding.store.checkpoint import (
    Checkpoint,
    CheckpointError,
    latest_checkpoint,
)
from goodstanding.store.folders import FolderError

RowsPerFile = Annotated[
    int, typer.Option("--rows-per-file", min=1, help="At most this many rows in one file.")
]
CheckpointDir = Annotated[
    Path | None,
    typer.Option("--checkpoint-dir", help="The log must still extend the latest checkpoint here."),
]


def export_log_command(
    dest: Annotated[
        Path, typer.Argument(help="The folder to write (it must not exist or be empty).")
    ],
    fmt: Annotated[
        str, typer.Option("--format", help="The file format: parquet (the only one for now).")
    ] = "parquet",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an earlier export in the folder.")
    ] = False,
    rows_per_file: RowsPerFile = ROWS_PER_FILE,
    checkpoint: CheckpointFiles = None,
    checkpoint_dir: CheckpointDir = None,
    public_key: PublicKeyOption = None,
    key_id: KeyIdOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the whole event log as Parquet files, for batch jobs (Spark and the like).

    One row per entry: seq, id, type, at (UTC timestamp), at_epoch (seconds), actor, hash,
    prev_hash and body (the JSON line as logged), in one folder per day of event time
    (day=2026-01-31) and files of at most --rows-per-file rows. The chain is verified first
    (and, with --checkpoint or --checkpoint-dir and the signer's --public-key or --key-id,
    that the log still extends those signed checkpoints): a broken log is refused as verify
    reports it (exit code 1) and nothing is written. The files are written into a hidden
    folder beside DEST and renamed into place once complete.

    Example: goodstanding export log --format parquet var/log-parquet
    """
    with failing_on(ExportFormatError):
        check_format(fmt)
    with failing_on(CheckpointError, code=1):
        given, trusted = checkpoints_given(checkpoint or [], public_key)
        given += _latest(checkpoint_dir)
    with open_store() as store:
        total = store.count(tables.events)
        with progress("exporting") as bar, failing_on(FolderError):
            task = bar.add_task("export", total=total)
            try:
                summary = export_log(
                    store,
                    dest,
                    fmt=fmt,
                    overwrite=overwrite,
                    rows_per_file=rows_per_file,
                    checkpoints=given,
                    trusted=trusted,
                    pinned_key_id=key_id,
                    progress=lambda n: bar.advance(task, n),
                )
            except LogRefused as error:
                raise log_broken(error) from None
            except CheckpointError as error:
                raise fail(str(error), 1) from None
    if as_json:
        print_json({"dest": str(dest), **summary.as_dict()})
    else:
        out.print(
            f"exported {summary.entries:,} entries (head {summary.head_seq}, "
            f"{summary.head_hash[:12]}...) into {summary.files:,} files over {summary.days:,} "
            f"days under {safe(dest)}",
            highlight=False,
            soft_wrap=True,
        )


def _latest(folder: Path | None) -> list[tuple[str, Checkpoint]]:
    """The latest checkpoint in `folder`, if any (CheckpointError when there is none)."""
    if folder is None:
        return []
    latest = latest_checkpoint(folder)
    if latest is None:
        raise CheckpointError(f"no checkpoint in {folder}")
    return [(f"the latest in {folder}", latest)]
