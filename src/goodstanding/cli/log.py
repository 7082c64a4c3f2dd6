"""The log and the policies that judge it: ingest, verify, replay, policy check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from goodstanding.cli.common import (
    JsonOption,
    PolicyFiles,
    err,
    fail,
    open_store,
    out,
    policies_of,
    print_json,
    progress,
    safe,
)
from goodstanding.pipeline import Ingestor, replay
from goodstanding.policy import PolicyError, PolicySet
from goodstanding.store import ChainError, verify
from goodstanding.store import schema as tables


def ingest(
    file: Annotated[str, typer.Argument(help="A JSON Lines file of events, or - for stdin.")],
    strict: Annotated[
        bool, typer.Option(help="Refuse the whole input if any line is bad.")
    ] = False,
    policy: PolicyFiles = None,
    as_json: JsonOption = False,
) -> None:
    """Append events to the log and fold them into standings.

    Good lines are kept and bad ones reported with their line number and reason (exit code 1);
    with --strict a single bad line refuses the whole input. Re-ingesting the same events
    changes nothing: duplicates (by id) are skipped and counted.

    Example: goodstanding ingest var/demo.jsonl
    """
    with open_store() as store:
        policies = policies_of(store, policy)
        if file == "-":
            source = sys.stdin.buffer
        else:
            path = Path(file)
            if not path.is_file():
                raise fail(f"no such file: {file}")
            source = path.open("rb")
        try:
            ingestor = Ingestor(store, policies)
        except PolicyError as refused:
            raise fail(str(refused)) from None
        with progress("ingesting") as bar:
            task = bar.add_task("ingest", total=None)
            report = ingestor.ingest(source, strict=strict, progress=lambda n: bar.advance(task, n))
    if as_json:
        print_json(report.as_dict())
    else:
        for error in report.errors[:50]:
            err.print(f"[red]rejected[/] {safe(error)}", highlight=False)
        if len(report.errors) > 50:
            err.print(f"... and {len(report.errors) - 50} more rejected lines")
        verdict = "refused (strict): nothing written" if report.refused_all else "done"
        out.print(
            f"{verdict}: {report.read} read, {report.accepted} accepted, "
            f"{report.duplicates} duplicates skipped, {len(report.errors)} rejected"
        )
        if report.effects:
            out.print(
                "effects: " + ", ".join(f"{k} {v}" for k, v in sorted(report.effects.items()))
            )
    if report.errors:
        raise typer.Exit(1)


def verify_command(as_json: JsonOption = False) -> None:
    """Check the event log's hash chain; name the first edited, deleted or reordered entry.

    Exit code 0 when the chain is intact, 1 when it is broken.

    Example: goodstanding verify
    """
    with open_store() as store:
        report = verify(store)
    if as_json:
        print_json(report.as_dict())
    elif report.ok:
        out.print(
            f"log intact: {report.entries} entries and {report.audit_entries} audit entries, "
            "every hash checks"
        )
    else:
        err.print(f"[bold red]log broken:[/] {safe(report.problem)}", highlight=False)
    if not report.ok:
        raise typer.Exit(1)


def replay_command(policy: PolicyFiles = None, as_json: JsonOption = False) -> None:
    """Rebuild every projection (standings, ledger, sanctions, labels) from the log.

    Refuses if the chain is broken, naming the entry. With --policy, the given versions are
    added to the recorded ones first (a recorded version never changes).

    Example: goodstanding replay --policy policies/2026.2.toml
    """
    with open_store() as store:
        policies = policies_of(store, policy)
        total = store.count(tables.events)
        with progress("replaying") as bar:
            task = bar.add_task("replay", total=total)
            try:
                applied = replay(store, policies, progress=lambda n: bar.advance(task, n))
            except (ChainError, PolicyError) as error:
                raise fail(str(error), 1) from None
        digest = store.digest()
    if as_json:
        print_json({"replayed": applied, "digest": digest})
    else:
        out.print(f"replayed {applied} events; projections digest {digest}")


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
