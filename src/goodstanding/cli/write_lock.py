"""Waiting for the store's write lock: the notice while a command waits, and --no-wait."""

from __future__ import annotations

from typing import Annotated

import typer

from goodstanding.cli.common import err, fail
from goodstanding.store import WriterBusy

BUSY_EXIT = 75
"""EX_TEMPFAIL: another writer holds the store's write lock and --no-wait was given."""
NoWait = Annotated[
    bool,
    typer.Option(
        "--no-wait",
        help=f"Exit (code {BUSY_EXIT}) instead of waiting while another process writes the store.",
    ),
]


class WaitNotice:
    """Says on stderr that a command waits for another writer, with the time waited: at once,
    then every 10 seconds."""

    def __init__(self) -> None:
        self._next = 0.0

    def __call__(self, waited: float) -> None:
        if waited >= self._next:
            err.print(
                f"waiting for another writer (an ingest, a replay or the service)... "
                f"{waited:.0f} s",
                highlight=False,
                soft_wrap=True,
            )
            self._next = (waited // 10 + 1) * 10


def busy_exit(busy: WriterBusy) -> typer.Exit:
    """The one-line message and exit code of a writer that would not wait."""
    written = (
        f"{busy.accepted} events accepted before; nothing from line {busy.from_line} on"
        if busy.from_line is not None
        else "nothing written"
    )
    return fail(
        f"another process is writing this store; not waiting (--no-wait): {written}; "
        "try again later",
        BUSY_EXIT,
        one_line=True,
    )
