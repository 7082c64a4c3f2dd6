"""Writing a folder of files as a whole: into a hidden folder beside it, renamed into place
only once complete, so that a crash never leaves a half-written folder under its name."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class FolderError(ValueError):
    """A destination folder that cannot be written, and why."""


def check_destination(dest: Path, marker: str, overwrite: bool) -> None:
    """Refuses (FolderError) a destination that is not a folder, or a folder holding anything
    unless `overwrite` and it holds `marker` (the file an earlier write of the same kind left:
    --overwrite never replaces a folder of other files)."""
    if dest.exists() and not dest.is_dir():
        raise FolderError(f"{dest} exists and is not a folder")
    if dest.resolve().parent == dest.resolve():
        raise FolderError(f"{dest} is a root folder: write into a folder under it")
    if not dest.is_dir() or not any(dest.iterdir()):
        return
    if not overwrite:
        raise FolderError(f"{dest} exists and is not empty: not written (--overwrite replaces it)")
    if not (dest / marker).is_file():
        raise FolderError(
            f"{dest} is not empty and holds no {marker}: it is not an earlier export, so "
            "--overwrite does not replace it"
        )


@contextmanager
def staged_folder(dest: Path, marker: str, overwrite: bool = False) -> Iterator[Path]:
    """A new hidden folder beside `dest` to write into (the block must write `marker` in it);
    when the block ends without an error it replaces `dest` (as `check_destination` allows),
    and when it fails it is removed and `dest` is left as it was."""
    check_destination(dest, marker, overwrite)
    dest = dest.resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = dest.parent / f".{dest.name}.partial-{uuid.uuid4().hex[:12]}"
    stage.mkdir()
    try:
        yield stage
        check_destination(dest, marker, overwrite)
        old = dest.parent / f".{dest.name}.replaced-{uuid.uuid4().hex[:12]}"
        if dest.exists():
            os.replace(dest, old)
        os.replace(stage, dest)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
