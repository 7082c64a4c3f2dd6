"""The log and the policies that judge it: ingest, verify, replay, policy check."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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
    write_or_print,
)
from goodstanding.cli.local_keys import is_default, key_problems, local_keys, make_local_keys
from goodstanding.events import EventError
from goodstanding.keyfiles import KeyFileError
from goodstanding.pipeline import Ingestor, replay
from goodstanding.pipeline.cache import DEFAULT_BUDGET
from goodstanding.pipeline.ingest import BATCH, DEFAULT_SKEW, IngestReport, error_dict
from goodstanding.pipeline.replay import detector_changes
from goodstanding.pipeline.whatif import what_if as run_what_if
from goodstanding.policy import PolicyError, PolicySet, Problem
from goodstanding.queries.outcomes import Outcome
from goodstanding.store import ChainError, LogBroken, Store, StoreError, WriterBusy, verify
from goodstanding.store import schema as tables
from goodstanding.store.checkpoint import (
    KEYFILE_ENV,
    CheckpointError,
    generate_key,
    key_id,
    latest_checkpoint,
    parse_public_key,
    public_key_text,
    read_checkpoint,
    sign_checkpoint,
    signing_key_from_env,
    verify_checkpoints,
    write_checkpoint,
)

CheckpointEvery = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Sign a checkpoint into --checkpoint-dir when the log has grown this many entries "
        f"since the latest one there (key file from {KEYFILE_ENV}).",
    ),
]
CheckpointDir = Annotated[Path, typer.Option(help="Where --checkpoint-every writes.")]
CheckpointFiles = Annotated[
    list[Path] | None,
    typer.Option("--checkpoint", help="A signed checkpoint the log must still extend."),
]
PublicKeyOption = Annotated[
    str | None, typer.Option(help="The checkpoint signer's public key (ed25519:...).")
]
KeyIdOption = Annotated[
    str | None, typer.Option(help="Trust the key a checkpoint carries if it has this id.")
]
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
    signing_key = _checkpoint_key() if checkpoint_every is not None else None
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
            _checkpoint_if_due(store, signing_key, checkpoint_every, checkpoint_dir)
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


def verify_command(
    as_json: JsonOption = False,
    checkpoint: CheckpointFiles = None,
    public_key: PublicKeyOption = None,
    key_id: KeyIdOption = None,
) -> None:
    """Check the event log's hash chain; name the first edited, deleted or reordered entry.

    With --checkpoint (and --public-key, or --key-id pinning the key a checkpoint carries),
    also prove the log still extends every signed checkpoint. Exit code 0 when the chain is
    intact, 1 when it is broken.

    Example: goodstanding verify --checkpoint published.json --public-key ed25519:...
    """
    if checkpoint:
        _verify_checkpoints(checkpoint, public_key, key_id, as_json)
        return
    with open_store() as store:
        report = verify(store)
    _print_verdict(
        report.ok,
        report.problem,
        report.as_dict(),
        f"log intact: {report.entries} entries and {report.audit_entries} audit entries, "
        "every hash checks",
        as_json,
    )


def _print_verdict(
    ok: bool, problem: str | None, data: dict[str, Any], intact: str, as_json: bool
) -> None:
    """Prints how a check of the log came out (`data` with --json, else `intact` or the
    problem on stderr); a broken log exits with code 1."""
    if as_json:
        print_json(data)
    elif ok:
        out.print(intact)
    else:
        err.print(f"[bold red]log broken:[/] {safe(problem)}", highlight=False)
    if not ok:
        raise typer.Exit(1)


def replay_command(
    policy: PolicyFiles = None,
    what_if: Annotated[
        bool,
        typer.Option(
            "--what-if",
            help="Try the --policy drafts on the log without recording them or touching the "
            "projections; print what would change.",
        ),
    ] = False,
    limit: Annotated[
        int, typer.Option(min=0, help="With --what-if: how many changed accounts to list.")
    ] = 10,
    accept_changed_detectors: Annotated[
        bool,
        typer.Option(
            "--accept-changed-detectors",
            help="Replay even though a term file or classifier differs from the one a version "
            "was recorded with (what changed is printed).",
        ),
    ] = False,
    no_wait: NoWait = False,
    as_json: JsonOption = False,
) -> None:
    """Rebuild every projection (standings, ledger, sanctions, labels) from the log.

        Refuses if the chain is broken, naming the entry, and if a term file or classifier
        differs from the one a recorded version was recorded with (unless
        --accept-changed-detectors). With --policy, the given versions are added to the recorded
        ones first (a recorded version never changes). With --what-if, the --policy files are
        drafts: the log is replayed under them into a scratch database and the difference is
        printed (accounts whose band, strikes or sanctions change, sanctions that would appear
        or disappear, changed rules' precision against reviews); nothing is recorded. A replay
    holds the store's write lock while it runs (ingests wait for it); it waits for the lock as
    ingest does (--no-wait: exit code 75).

        Example: goodstanding replay --what-if --policy policies/next.toml
    """
    wait, notice = (0.0 if no_wait else None), WaitNotice()
    with open_store() as store:
        if what_if:
            _what_if(store, policy or [], limit, accept_changed_detectors, as_json)
            return
        try:
            policies = policies_of(store, policy, wait=wait, on_wait=notice)
        except WriterBusy as busy:
            raise busy_exit(busy) from None
        total = store.count(tables.events)
        _accepted(detector_changes(policies), accept_changed_detectors)
        with progress("replaying") as bar:
            task = bar.add_task("replay", total=total)
            try:
                applied = replay(
                    store,
                    policies,
                    progress=lambda n: bar.advance(task, n),
                    accept_changed_detectors=accept_changed_detectors,
                    wait=wait,
                    on_wait=notice,
                )
            except WriterBusy as busy:
                raise busy_exit(busy) from None
            except (ChainError, PolicyError) as error:
                raise fail(str(error), 1) from None
        digest = store.digest()
    if as_json:
        print_json({"replayed": applied, "digest": digest})
    else:
        out.print(f"replayed {applied} events; projections digest {digest}")


def _accepted(changes: Sequence[Problem | str], accepted: bool) -> None:
    """Says on stderr which recorded detector inputs changed, when they are accepted."""
    if accepted:
        for change in changes:
            err.print(f"[yellow]accepted:[/] {safe(change)}", highlight=False)


def _what_if(
    store: Store, drafts: list[Path], limit: int, accept_changed: bool, as_json: bool
) -> None:
    if not drafts:
        raise fail("--what-if needs at least one --policy draft file")
    total = store.count(tables.events)
    with progress("what-if") as bar:
        task = bar.add_task("what-if", total=total)
        try:
            result = run_what_if(
                store,
                [str(d) for d in drafts],
                progress=lambda n: bar.advance(task, n),
                accept_changed_detectors=accept_changed,
            )
        except (ChainError, PolicyError, StoreError) as error:
            raise fail(str(error), 1) from None
    _accepted(result.accepted_changes, accept_changed)
    if as_json:
        print_json(result.as_dict(limit))
        return
    drafts_text = ", ".join(
        f"{version} (replacing {replaced or 'none'})" for version, replaced in result.drafts.items()
    )
    out.print(
        f"what-if of {safe(drafts_text)} over {result.events:,} events: "
        f"{len(result.changes):,} of {result.accounts:,} accounts change band, strikes or "
        f"sanctions; {len(result.appearing):,} sanctions would appear, "
        f"{len(result.disappearing):,} disappear; nothing was recorded",
        highlight=False,
        soft_wrap=True,
    )
    for (before, after), count in sorted(result.transitions.items(), key=lambda i: -i[1]):
        out.print(
            f"  band {safe(before)} -> {safe(after)}: {count:,} accounts",
            highlight=False,
            soft_wrap=True,
        )
    for rule in result.rules:
        shown = "n/a" if rule.precision is None else f"{rule.precision:.2f}"
        out.print(
            f"  rule {safe(rule.rule_id)} ({rule.change} in {safe(rule.version)}): flags "
            f"{rule.flagged:,}, precision {shown} on {rule.reviewed:,} reviewed",
            highlight=False,
            soft_wrap=True,
        )
    for change in result.changes[:limit]:
        out.print(
            f"  {safe(change.account_id)}: {_outcome_text(change.before)} -> "
            f"{_outcome_text(change.after)}",
            highlight=False,
            soft_wrap=True,
        )
    if len(result.changes) > limit:
        out.print(
            f"  ... {len(result.changes) - limit:,} more (--limit)", highlight=False, soft_wrap=True
        )


def _outcome_text(outcome: Outcome | None) -> str:
    if outcome is None:
        return "no state"
    return (
        f"{safe(outcome.band)} (score {outcome.score:.2f}, {outcome.strikes} strikes, "
        f"{outcome.sanctions} sanctions)"
    )


def policy_check(
    files: Annotated[list[Path], typer.Argument(help="Policy TOML files, one per version.")],
    as_json: JsonOption = False,
) -> None:
    """Validate policy files; errors name the file, line and key.

    Several files are checked as one set of versions (no two may take effect together).

    Example: goodstanding policy check policies/default.toml
    """
    try:
        policies = PolicySet.load(files)
    except PolicyError as error:
        if as_json:
            print_json({"ok": False, "problems": [vars(p) for p in error.problems]})
        else:
            for problem in error.problems:
                err.print(f"[red]{safe(problem)}[/]", highlight=False)
        raise typer.Exit(1) from None
    summary: list[dict[str, Any]] = [
        {
            "version": p.version,
            "effective_from": p.effective_from.isoformat(),
            "rules": len(p.rules),
            "bands": [b.name for b in p.bands],
        }
        for p in policies.versions
    ]
    if as_json:
        print_json({"ok": True, "versions": summary})
    else:
        for item in summary:
            out.print(
                f"ok: version {safe(item['version'])} from {item['effective_from']}: "
                f"{item['rules']} rules, bands {safe(', '.join(item['bands']))}"
            )


# -- checkpoints ---------------------------------------------------------------------------


def _checkpoint_key() -> Ed25519PrivateKey:
    with failing_on(CheckpointError):
        return signing_key_from_env()


def _checkpoint_if_due(store: Store, key: Ed25519PrivateKey, every: int, folder: Path) -> None:
    latest = latest_checkpoint(folder)
    with store.engine.connect() as conn:
        seq, _ = store.head(conn)
    if seq - (latest.seq if latest else 0) >= every:
        try:
            written = write_checkpoint(folder, sign_checkpoint(store, key, time.time()))
        except CheckpointError as error:
            raise fail(str(error), 1) from None
        err.print(f"checkpoint of entry {seq} written to {written}", highlight=False)


def _verify_checkpoints(
    files: list[Path], public_key: str | None, pinned: str | None, as_json: bool
) -> None:
    with failing_on(CheckpointError, code=1):
        trusted = parse_public_key(public_key) if public_key is not None else None
        given = [(str(path), read_checkpoint(path)) for path in files]
        with open_store() as store:
            report = verify_checkpoints(store, given, trusted, pinned)
    _print_verdict(
        report.ok,
        report.problem,
        report.as_dict(),
        f"log intact and extends {report.checkpoints} checkpoint(s); "
        f"{report.uncovered} entries after the latest are not yet covered by one",
        as_json,
    )


def checkpoint_command(
    ctx: typer.Context,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the checkpoint here (default: stdout).")
    ] = None,
) -> None:
    """Sign the heads of the event log and the audit log (key file from
    GOODSTANDING_CHECKPOINT_KEYFILE); publish or store the result outside the database.

    Example: goodstanding checkpoint --out checkpoints/today.json
    """
    if ctx.invoked_subcommand is not None:
        return
    key = _checkpoint_key()
    with open_store() as store, failing_on(CheckpointError, code=1):
        checkpoint = sign_checkpoint(store, key, time.time())
    write_or_print(out_file, checkpoint.to_json())


def checkpoint_keygen(
    out_file: Annotated[Path, typer.Option("--out", help="The new private key file (0600).")],
) -> None:
    """Make a checkpoint signing key; prints the public key to publish.

    Example: goodstanding checkpoint keygen --out /etc/goodstanding/checkpoint.key
    """
    with failing_on(KeyFileError):
        public = generate_key(out_file)
    out.print(f"public key: {public_key_text(public)} (key id {key_id(public)})", highlight=False)
