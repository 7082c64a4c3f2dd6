"""Due process: a person's own data, statements of reasons, notices, transparency reports."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from goodstanding.cli.common import (
    ByOption,
    FromOption,
    JsonOption,
    ToOption,
    err,
    fail,
    failing_on,
    json_text,
    known_ids,
    open_store,
    out,
    period,
    policies_of,
    print_json,
    safe,
    write_atomically,
    write_or_print,
)
from goodstanding.dueprocess.collect import statements_of_reasons
from goodstanding.dueprocess.notices import Notice, NoticeError, acknowledge, notices
from goodstanding.dueprocess.sor import EU_EEA
from goodstanding.dueprocess.transparency import render_html, transparency_report
from goodstanding.engine import iso
from goodstanding.queries.own_data import account_export

OutFile = Annotated[Path | None, typer.Option("--out", help="Write here (default: stdout).")]


def export_account(
    account: Annotated[str, typer.Argument(help="The account id.")],
    out_file: OutFile = None,
    as_json: JsonOption = False,
) -> None:
    """Everything held about one person, as JSON: their events, ledger, decisions, sanctions,
    appeals (and identity fingerprints with their kinds, never the values); nothing about
    anyone else (no reporters, no moderators). With --out and --json, what was written is
    printed as JSON.

    Example: goodstanding export account a000042 --out a000042.json
    """
    with open_store() as store, known_ids():
        data = account_export(store, account)
    write_or_print(out_file, json_text(data))
    if as_json and out_file is not None:
        print_json({"account": account, "file": str(out_file)})


def export_sor(
    start: FromOption,
    end: ToOption,
    by: ByOption,
    out_file: Annotated[Path, typer.Option("--out", help="JSON Lines file to write.")] = Path(
        "statements-of-reasons.jsonl"
    ),
    scope: Annotated[
        str,
        typer.Option(help="Territorial scope: ISO country codes, comma-separated."),
    ] = ",".join(EU_EEA),
    as_json: JsonOption = False,
) -> None:
    """Write a statement of reasons for every restriction applied in the period, in the EU DSA
    Transparency Database's submission format, as JSON Lines. Every statement is checked
    against the database's schema first; if one fails, nothing is written.

    Example: goodstanding export sor --from 2026-01-01T00:00:00Z --to 2026-02-01T00:00:00Z
    --by operator1
    """
    lower, upper = period(start, end)
    with open_store() as store:
        policies = policies_of(store)
        try:
            items = statements_of_reasons(
                store, policies, lower, upper, [c.strip().upper() for c in scope.split(",")]
            )
        except ValueError as error:
            raise fail(f"nothing written: {error}") from None
        write_atomically(out_file, "".join(json.dumps(i) + "\n" for i in items))
        store.audit(
            by,
            "sor.export",
            "statements-of-reasons",
            "export to the DSA Transparency Database",
            time.time(),
            {"from": start, "to": end, "statements": len(items), "file": out_file.name},
        )
    if as_json:
        print_json({"file": str(out_file), "statements": len(items), "from": lower, "to": upper})
    else:
        out.print(f"wrote {len(items)} statements of reasons to {safe(out_file)}")


def notices_list(
    account: Annotated[str | None, typer.Option(help="Only this account's notices.")] = None,
    include_acked: Annotated[
        bool, typer.Option("--all", help="Include notices already acknowledged.")
    ] = False,
    limit: Annotated[
        int, typer.Option(min=1, help="Show at most this many (the total is printed).")
    ] = 50,
    as_json: JsonOption = False,
) -> None:
    """List the notices waiting to be delivered (each decision's statement of reasons, and the
    decisions in a person's favour), oldest first, and their total.

    Example: goodstanding notices list --account a000042
    """
    with open_store() as store:
        found = notices(store, policies_of(store), account, include_acked)
    shown = found[:limit]
    if as_json:
        print_json([asdict(n) for n in shown])
        return
    _print_notices(shown)
    err.print(
        f"{len(shown)} of {len(found)} notice(s) shown"
        if len(shown) < len(found)
        else f"{len(found)} notice(s)"
    )


def _print_notices(shown: list[Notice]) -> None:
    for n in shown:
        state = f" (acknowledged by {safe(n.acked_by)})" if n.acked_by else ""
        out.print(
            f"[bold]{safe(n.id)}[/] to {safe(n.account_id)} at {iso(n.at)}{state}: "
            f"{safe(n.subject)}"
        )
        out.print(safe(n.body, multiline=True), highlight=False)
        out.print()


def notices_ack(
    notice_ids: Annotated[list[str], typer.Argument(help="The notices delivered.")],
    by: ByOption,
    as_json: JsonOption = False,
) -> None:
    """Acknowledge notices as delivered (recorded in the audit log). Unknown ids refuse the
    whole call; ones already acknowledged are left as they were.

    Example: goodstanding notices ack sanctions:1042:0 labels:977:0 --by delivery-service
    """
    with open_store() as store:
        now = time.time()
        with failing_on(NoticeError):
            new = acknowledge(store, policies_of(store), notice_ids, by, now)
        if new:
            store.audit(by, "notices.ack", "outbox", "delivered", now, {"notices": new})
    already = len(notice_ids) - len(new)
    if as_json:
        print_json(
            {"acknowledged": new, "already": [i for i in dict.fromkeys(notice_ids) if i not in new]}
        )
        return
    out.print(
        f"acknowledged {len(new)} notice(s)"
        + (f"; {already} already acknowledged" if already else "")
    )


def report_transparency(
    start: FromOption,
    end: ToOption,
    fmt: Annotated[str, typer.Option("--format", help="json or html.")] = "json",
    out_file: OutFile = None,
    as_json: JsonOption = False,
) -> None:
    """The transparency report (DSA Arts. 15, 24) for a period: decisions by category, action
    and automation, notices received, appeals and their outcomes, median times to decide,
    suspensions and bans, record exports. HTML is one self-contained page with charts.

    Example: goodstanding report transparency --from 2026-01-01T00:00:00Z
    --to 2026-07-01T00:00:00Z --format html --out report.html
    """
    if fmt not in ("json", "html"):
        raise fail(f"--format is json or html, not {fmt!r}")
    if as_json and fmt == "html":
        raise fail("--json prints the report as JSON: give --format json or leave --format out")
    lower, upper = period(start, end)
    with open_store() as store:
        data = transparency_report(store, policies_of(store), lower, upper)
    write_or_print(
        out_file,
        render_html(data, time.time()) if fmt == "html" else json_text(data),
    )
