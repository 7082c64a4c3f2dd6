"""Writing the log: init, and ingest (with its report of refused lines)."""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, TextIO

import typer

from goodstanding.cli.checkpoints import checkpoint_if_due, checkpoint_key
from goodstanding.cli.common import (
    Ctx,
    JsonOption,
    PolicyFiles,
    err,
    fail,
    failing_on,
    json_line,
    json_text,
    open_store,
    out,
    policies_of,
    print_json,
    progress,
    safe,
    store_exists,
    visible_controls,
)
from goodstanding.cli.local_keys import is_default, key_problems, local_keys, make_local_keys
from goodstanding.cli.write_lock import NoWait, WaitNotice, busy_exit
from goodstanding.events import EventError
from goodstanding.keyfiles import KeyFileError
from goodstanding.pipeline import Ingestor
from goodstanding.pipeline.cache import DEFAULT_BUDGET
from goodstanding.pipeline.ingest import BATCH, DEFAULT_SKEW, IngestReport, error_dict
from goodstanding.policy import PolicyError
from goodstanding.store import LogBroken, WriterBusy
from goodstanding.store.checkpoint import KEYFILE_ENV

CheckpointEvery = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Sign a checkpoint into --checkpoint-dir when the log has grown this many entries "
        f"since the latest one there (key file from {KEYFILE_ENV}).",
    ),
]
CheckpointDir = Annotated[Path, typer.Option(help="Where --checkpoint-every writes.")]


def ingest(
    file: Annotated[str, typer.Argument(help="A JSON Lines file of events, or - for stdin.")],
    strict: Annotated[
        bool, typer.Option(help="Refuse the whole input if any line is bad.")
    ] = False,
    policy: PolicyFiles = None,
    allow_future: Annotated[
        bool, typer.Option(help="Accept events dated after the clock (simulated streams).")
    ] = False,
    max_skew: Annotated[
        float,
        typer.Option(min=0, help="Seconds an event may be dated after this machine's clock."),
    ] = DEFAULT_SKEW,
    require_keys: Annotated[
        bool,
        typer.Option(
            "--require-keys",
            help="Use only keys configured in the environment, never local key files.",
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="Report every refused line, not one per reason.")
    ] = False,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Events per batch (one transaction, one write lock each).")
    ] = BATCH,
    no_wait: NoWait = False,
    as_json: JsonOption = False,
    cache_mib: Annotated[
        int,
        typer.Option(
            min=0, help="MiB of account, content and group state kept in memory between batches."
        ),
    ] = DEFAULT_BUDGET // 2**20,
    checkpoint_every: CheckpointEvery = None,
    checkpoint_dir: CheckpointDir = Path("var/checkpoints"),
) -> None:
    """Append events to the log and fold them into standings.

    Good lines are kept and bad ones reported (exit code 1): each reason once, with how many
    lines it refused and the first of their numbers (--verbose and --json: every line, as it
    is refused); with --strict a single bad line refuses the whole input. Re-ingesting the
    same events changes nothing: duplicates (by id) are skipped and counted.

    Each batch is written under the store's write lock: while another process writes, this
    one says so on stderr and waits; with --no-wait it exits with code 75 instead. FILE may
    be a named pipe (FIFO), read as lines arrive.

    A configured key that cannot be used fails before any input is read. The first ingest
    into the default database (./var/goodstanding.db) makes local key files for the keys the
    environment does not configure (./var/identity.key, ./var/records.key, mode 0600) and later
    commands on it use them; --require-keys, or any other database, uses configured keys only.

    Example: goodstanding ingest var/demo.jsonl
    """
    if file != "-" and not (Path(file).is_file() or Path(file).is_fifo()):
        raise fail(f"no such file: {file}")
    if not require_keys and is_default(Ctx.db) and not store_exists(Ctx.db):
        try:
            made = make_local_keys()
        except KeyFileError as error:
            raise fail(str(error)) from None
        for line in made:
            err.print(line, highlight=False)
    with local_keys(Ctx.db) if not require_keys else nullcontext():
        problems = key_problems()
    if problems:
        raise fail("; ".join(problems))
    signing_key = checkpoint_key() if checkpoint_every is not None else None
    wait, notice = (0.0 if no_wait else None), WaitNotice()
    with open_store(create=True, keys=not require_keys) as store:
        try:
            policies = policies_of(store, policy, wait=wait, on_wait=notice)
            ingestor = Ingestor(
                store,
                policies,
                now=None if allow_future else time.time,
                max_skew=max_skew,
                wait=wait,
                on_wait=notice,
                cache_budget=cache_mib * 2**20,
            )
        except PolicyError as bad:
            raise fail(str(bad)) from None
        except WriterBusy as busy:
            raise busy_exit(busy) from None
        stdin = nullcontext(sys.stdin.buffer)
        streamed = JsonReport(sys.stdout) if as_json else None
        with (
            stdin if file == "-" else Path(file).open("rb") as source,
            progress("ingesting") as bar,
        ):
            task = bar.add_task("ingest", total=None)
            try:
                report = ingestor.ingest(
                    source,
                    strict=strict,
                    progress=lambda n: bar.advance(task, n),
                    batch=batch_size,
                    on_refusal=streamed.refused if streamed else _refused if verbose else None,
                )
            except WriterBusy as busy:
                raise busy_exit(busy) from None
            except LogBroken as broken:
                if streamed is not None:
                    streamed.close(None)
                raise fail(f"log broken: {broken}; nothing more was ingested", 1) from None
        if signing_key is not None and checkpoint_every is not None:
            checkpoint_if_due(store, signing_key, checkpoint_every, checkpoint_dir)
    if streamed is not None:
        streamed.close(report)
    else:
        if not verbose:
            for line in refusals(report):
                err.print(f"[red]{safe(line)}[/]", highlight=False)
        verdict = "refused (strict): nothing written" if report.refused_all else "done"
        out.print(
            f"{verdict}: {report.read} read, {report.accepted} accepted, "
            f"{report.duplicates} duplicates skipped, {report.rejected} rejected"
        )
        if report.effects:
            out.print(
                "effects: " + ", ".join(f"{k} {v}" for k, v in sorted(report.effects.items()))
            )
    if report.rejected:
        raise typer.Exit(1)


def _refused(error: EventError) -> None:
    """Reports one refused line as it is found (--verbose): through Rich on a terminal (it
    keeps the progress bar in place), elsewhere as a plain line (a million in seconds)."""
    if err.is_terminal:
        err.print(f"[red]rejected[/] {safe(error)}", highlight=False)
    else:
        err.file.write(f"rejected {visible_controls(str(error))}\n")


class JsonReport:
    """An ingest's JSON report, written as it goes: every refused line as it is found (under
    `errors`), then the counts. A run that fails part way ends it with `"failed": true`."""

    def __init__(self, sink: TextIO):
        self.sink, self.written = sink, 0
        sink.write('{\n  "errors": [')

    def refused(self, error: EventError) -> None:
        """Writes one refused line."""
        self.sink.write(("," if self.written else "") + "\n    " + json_line(error_dict(error)))
        self.written += 1

    def close(self, report: IngestReport | None) -> None:
        """Ends the report with the counts of `report` (None: the run failed)."""
        rest = {"failed": True} if report is None else report.as_dict()
        rest.pop("errors", None)
        self.sink.write(("\n  " if self.written else "") + "],\n" + json_text(rest)[2:])
        self.sink.flush()


def init(as_json: JsonOption = False) -> None:
    """Create the database named by --db if it does not exist; on the default database
    (./var/goodstanding.db) also make local key files (mode 0600, under ./var/) for the
    identity key and the records master key the environment does not configure.

    Any other database needs its keys configured (see docs/identity.md, docs/records.md).

    Example: goodstanding init
    """
    existed = store_exists(Ctx.db)
    with failing_on(KeyFileError):
        made = make_local_keys() if is_default(Ctx.db) else []
    with open_store(create=True):
        pass
    if as_json:
        print_json({"created": not existed, "keys_made": made})
        return
    for line in made:
        err.print(line, highlight=False)
    out.print("database ready" + ("" if existed else " (created)"), highlight=False)


def refusals(report: IngestReport) -> list[str]:
    """One line per reason for refusing lines: a reason refusing one line is given in full, one
    refusing several with their count and first line numbers; most frequent first."""
    lines = []
    for reason, refused in report.by_reason():
        if refused.count == 1:
            lines.append(f"rejected {refused.first}")
            continue
        numbers = ", ".join(str(n) for n in refused.lines)
        more = ", ..." if refused.count > len(refused.lines) else ""
        lines.append(f"refused {refused.count:,} lines (lines {numbers}{more}): {reason}")
    return lines
