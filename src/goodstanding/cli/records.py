"""Group-chat records: the master key, legal holds, exports for auditors, purges."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from goodstanding.cli.common import (
    ByOption,
    FromOption,
    JsonOption,
    KeyOutOption,
    ReasonOption,
    ToOption,
    fail,
    failing_on,
    open_store,
    out,
    parse_time,
    period,
    policies_of,
    print_json,
    safe,
    write_key,
    write_private,
)
from goodstanding.engine import iso
from goodstanding.pipeline.records_export import ExportRefused, export_records
from goodstanding.policy.retention import Retention
from goodstanding.queries.lookup import exists
from goodstanding.records import RecordsError, RecordStore, generate_master_key
from goodstanding.store import Store


@contextmanager
def _records() -> Iterator[tuple[Store, RecordStore]]:
    with open_store() as store:
        policy = policies_of(store).versions[-1]
        retention = Retention(policy.records.min_days, policy.records.max_days)
        with failing_on(RecordsError):
            records = RecordStore.from_env(store.engine, retention=retention)
        yield store, records


def records_keygen(out_file: KeyOutOption = None) -> None:
    """Print a new master key for group-chat records (base64), for
    GOODSTANDING_RECORDS_MASTER_KEY or a key file kept outside the database; --out writes it
    as a new key file.

    Example: goodstanding records keygen --out /etc/goodstanding/records.key
    """
    write_key(out_file, generate_master_key() + "\n")


def hold_place(
    scope: Annotated[str, typer.Argument(help="group or account")],
    target: Annotated[str, typer.Argument(help="The group or account id.")],
    reason: ReasonOption,
    by: ByOption,
    as_json: JsonOption = False,
) -> None:
    """Place a legal hold: the records of a group or an account are kept, past any maximum,
    until the hold is lifted.

    Example: goodstanding records hold place group g0042 --reason "court order 17/2026" --by legal
    """
    with _records() as (store, records):
        if scope not in ("group", "account"):
            raise fail(f"a hold's scope is 'group' or 'account', not {scope!r}")
        if not exists(store, scope, target):  # type: ignore[arg-type]
            raise fail(f"unknown {scope} {target!r}: a hold names an existing {scope}")
        now = time.time()
        hold = records.place_hold(scope, target, reason, by, now)  # type: ignore[arg-type]
        store.audit(by, "records.hold.place", f"{scope}:{target}", reason, now, {"hold": hold.id})
    if as_json:
        print_json({"hold": hold.id, "scope": scope, "target": target})
    else:
        out.print(f"hold {hold.id} placed on {scope} {safe(target)}")


def hold_lift(
    hold_id: Annotated[int, typer.Argument(help="The hold's id.")],
    reason: ReasonOption,
    by: ByOption,
    as_json: JsonOption = False,
) -> None:
    """Lift a legal hold; the records it kept become deletable again under the retention rules.

    Example: goodstanding records hold lift 3 --reason "case closed" --by legal
    """
    with _records() as (store, records):
        now = time.time()
        with failing_on(RecordsError):
            hold = records.lift_hold(hold_id, by, now)
        store.audit(
            by, "records.hold.lift", f"{hold.scope}:{hold.target}", reason, now, {"hold": hold_id}
        )
    if as_json:
        print_json({"hold": hold_id, "lifted": True})
    else:
        out.print(f"hold {hold_id} lifted")


def hold_list(as_json: JsonOption = False) -> None:
    """List legal holds, active and lifted.

    Example: goodstanding records hold list
    """
    with _records() as (_, records):
        holds = [asdict(h) for h in records.holds()]
    if as_json:
        print_json(holds)
        return
    for h in holds:
        state = f"lifted by {safe(h['lifted_by'])}" if h.get("lifted_at") else "active"
        out.print(f"{h['id']}: {h['scope']} {safe(h['target'])} ({state}): {safe(h['reason'])}")


def records_export(
    group: Annotated[str, typer.Option(help="The group whose records to export.")],
    start: FromOption,
    end: ToOption,
    reason: ReasonOption,
    by: ByOption,
    out_file: Annotated[Path, typer.Option("--out", help="JSON Lines file to write.")] = Path(
        "records-export.jsonl"
    ),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out file.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Export a group's records for an auditor, decrypted, as JSON Lines (a new file, mode
    0600); every export is recorded in the audit log and counted in the transparency report.
    A reason is required; an existing file is replaced only with --force.

    Example: goodstanding records export --group g0042 --from 2026-01-01T00:00:00Z
    --to 2026-02-01T00:00:00Z --reason "audit 2026-Q1" --by auditor1
    """
    if not reason.strip():
        raise fail("--reason must say why the records are exported (it is audited)")
    lower, upper = period(start, end)
    if out_file.exists() and not force:
        raise fail(f"{out_file} exists; refusing to overwrite it without --force")
    with _records() as (store, records):
        try:
            count = export_records(
                store,
                records,
                group,
                (lower, upper),
                reason,
                by,
                time.time(),
                {"from": start, "to": end, "file": out_file.name},
                lambda text: write_private(out_file, text),
            )
        except ExportRefused as error:
            raise fail(f"{error}: nothing was exported") from None
    if as_json:
        print_json({"group": group, "records": count, "file": str(out_file)})
    else:
        out.print(f"exported {count} records of {safe(group)} to {safe(out_file)}")


def records_purge(
    by: ByOption,
    now: Annotated[
        str | None,
        typer.Option(help="Purge as of this earlier time (default: now; never later)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Delete records past the policy's maximum retention that no hold keeps, and destroy the
    data keys of periods wholly past it (crypto-shredding). Nothing under the minimum or on
    hold is ever deleted; safe to rerun or to kill at any point.

    Example: goodstanding records purge
    """
    wall = time.time()
    at = parse_time(now, "--now") if now is not None else wall
    if at > wall:
        raise fail(
            f"--now {now} is later than the clock ({iso(wall)}): a purge may only be run as of "
            "an earlier instant, never delete records before their time"
        )
    with _records() as (store, records):
        report = records.purge(at)
        data = asdict(report)
        store.audit(
            by,
            "records.purge",
            "records",
            "retention maximum reached",
            time.time(),
            {"as_of": iso(at), **{k: v for k, v in data.items() if isinstance(v, int | float)}},
        )
    if as_json:
        print_json(data)
    else:
        out.print(
            f"purge as of {iso(at)}: "
            + ", ".join(
                f"{k.replace('_', ' ')} {v}"
                for k, v in data.items()
                if isinstance(v, int) and not isinstance(v, bool)
            )
        )
