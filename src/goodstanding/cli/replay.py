"""Replaying the log under policies, and checking policy files: replay (--what-if), policy check."""

from __future__ import annotations

from collections.abc import Sequence
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
from goodstanding.cli.write_lock import NoWait, WaitNotice, busy_exit
from goodstanding.pipeline import replay
from goodstanding.pipeline.projections_out import (
    Manifest,
    ProjectionsRefused,
    load_projections,
    recorded_policies,
    replay_out,
)
from goodstanding.pipeline.replay import detector_changes
from goodstanding.pipeline.whatif import Refusals
from goodstanding.pipeline.whatif import what_if as run_what_if
from goodstanding.policy import PolicyError, PolicySet, Problem
from goodstanding.queries.outcomes import Outcome
from goodstanding.store import ChainError, LogBroken, Store, StoreError, WriterBusy
from goodstanding.store import schema as tables
from goodstanding.store.folders import FolderError
from goodstanding.store.parquet import ParquetError


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
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write the projections as Parquet files into this folder (one sub-folder per "
            "table, and a manifest) instead of into the store.",
        ),
    ] = None,
    into_store: Annotated[
        bool,
        typer.Option("--into-store", help="With --out: then load the folder into the store."),
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="With --out: replace an earlier --out there.")
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
        or disappear, changed rules' precision against reviews, logged events the drafts would
        refuse, which then change nothing); nothing is recorded. A replay
    holds the store's write lock while it runs (ingests wait for it); it waits for the lock as
    ingest does (--no-wait: exit code 75).

        With --out DIR, the projections are written as Parquet files under DIR instead (the
        recorded versions only; the store is not changed and no lock is taken), with a
        manifest naming the log head, policy versions and projections digest;
        `goodstanding load DIR` (or --into-store) then puts them into the store.

        Example: goodstanding replay --what-if --policy policies/next.toml
    """
    wait, notice = (0.0 if no_wait else None), WaitNotice()
    if out_dir is None and (into_store or overwrite):
        raise fail("--into-store and --overwrite go with --out DIR")
    if out_dir is not None and (what_if or policy):
        raise fail(
            "--out replays under the recorded policy versions and writes nothing to the store: "
            "record new versions first (goodstanding replay --policy FILE), or drop --what-if"
        )
    with open_store() as store:
        if out_dir is not None:
            _replay_out(
                store, out_dir, overwrite, into_store, accept_changed_detectors, wait, as_json
            )
            return
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


def _replay_out(
    store: Store,
    folder: Path,
    overwrite: bool,
    into_store: bool,
    accept_changed: bool,
    wait: float | None,
    as_json: bool,
) -> None:
    """replay --out (and --into-store): the projections into Parquet files, then the store."""
    total = store.count(tables.events)
    with progress("replaying") as bar:
        task = bar.add_task("replay", total=total)
        try:
            policies, _ = recorded_policies(store)
            _accepted(detector_changes(policies), accept_changed)
            manifest = replay_out(
                store,
                folder,
                overwrite=overwrite,
                accept_changed_detectors=accept_changed,
                progress=lambda n: bar.advance(task, n),
            )
        except FolderError as error:
            raise fail(str(error)) from None
        except (ChainError, PolicyError, ProjectionsRefused, ParquetError) as error:
            raise fail(str(error), 1) from None
    if into_store:
        _load(store, folder, wait)
    if as_json:
        print_json({**manifest.as_dict(), "out": str(folder), "loaded": into_store})
        return
    loaded = "; loaded into the store" if into_store else ""
    out.print(
        f"replayed {manifest.replayed} events into {safe(folder)}; projections digest "
        f"{manifest.digest}{loaded}",
        highlight=False,
        soft_wrap=True,
    )


def _load(store: Store, folder: Path, wait: float | None) -> Manifest:
    """Loads a folder of projections into the store, failing the command when refused."""
    try:
        return load_projections(store, folder, wait=wait, on_wait=WaitNotice())
    except WriterBusy as busy:
        raise busy_exit(busy) from None
    except (ProjectionsRefused, ParquetError, LogBroken) as error:
        raise fail(str(error), 1) from None


def load_command(
    folder: Annotated[Path, typer.Argument(help="A folder `replay --out` wrote.")],
    no_wait: NoWait = False,
    as_json: JsonOption = False,
) -> None:
    """Load projections that `replay --out` wrote into the store, replacing its own.

    All or nothing, in one transaction holding the store's write lock, and only while the
    store's log head and recorded policy versions are those of the folder's manifest (the
    projections would not match another log) and its files match the manifest's digest.

    Example: goodstanding load var/projections
    """
    with open_store() as store:
        manifest = _load(store, folder, 0.0 if no_wait else None)
    if as_json:
        print_json(
            {"loaded": str(folder), "head_seq": manifest.head_seq, "digest": manifest.digest}
        )
    else:
        out.print(
            f"loaded the projections of {manifest.replayed} events (log head "
            f"{manifest.head_seq}) from {safe(folder)}; projections digest {manifest.digest}",
            highlight=False,
            soft_wrap=True,
        )


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
    _refusals(result.refused)
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


def _refusals(refused: Refusals) -> None:
    """Says how many logged events the drafts would refuse, and the first few with why."""
    if not refused.count:
        return
    out.print(
        f"  under the drafts, {refused.count:,} logged events would have been refused "
        "(a refused event changes nothing); the first:",
        highlight=False,
        soft_wrap=True,
    )
    for r in refused.first:
        out.print(
            f"    #{r.seq} {safe(r.event_id)} ({safe(r.type)}): {safe(r.reason)}",
            highlight=False,
            soft_wrap=True,
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
