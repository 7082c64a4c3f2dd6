"""Files that hold secret keys: created private (0600, never over an existing file), and
refused on load when anyone but their owner may read or write them."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class KeyFileError(ValueError):
    """A key file that cannot be written or may not be used. Never contains key bytes."""


def write_new_key_file(path: Path, text: str) -> None:
    """Creates `path` with mode 0600 holding `text`; refuses if it already exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{path} already exists; refusing to overwrite a key file") from None
    except OSError as error:
        raise KeyFileError(f"cannot create {path}: {error.strerror}") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def exposure(mode: int) -> str | None:
    """Who besides the owner may access a file with this mode ('group', 'others', both), or
    None when only the owner may."""
    who = [
        name for name, bits in (("group", stat.S_IRWXG), ("others", stat.S_IRWXO)) if mode & bits
    ]
    return " and ".join(who) or None


def check_private(path: Path, mode: int, what: str) -> None:
    """Raises KeyFileError if a key file of mode `mode` is open to its group or others."""
    who = exposure(mode)
    if who is not None:
        raise KeyFileError(
            f"{what} {path} can be accessed by {who} (mode {stat.S_IMODE(mode):04o}); "
            f"refusing to use it: chmod 600 {path}"
        )
