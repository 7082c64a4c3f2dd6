"""Standings: an account's standing, the explanation of its score, the community summary."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Column, Table

from goodstanding.cli.common import (
    AtOption,
    JsonOption,
    open_store,
    out,
    policies_of,
    print_json,
    read_at,
    safe,
)
from goodstanding.queries import explain as explained
from goodstanding.queries import standing as standings
from goodstanding.queries import summary as summaries

AccountArgument = Annotated[str, typer.Argument(help="The account id.")]


def standing(account: AccountArgument, at: AtOption = None, as_json: JsonOption = False) -> None:
    """Show an account's score, band, privileges, active sanctions and strikes.

    With --at, the standing as the log's events up to that time left it; an account that
    registered later is "not registered at" that time (exit code 2, like an unknown id).

    Example: goodstanding standing a000042 --json
    """
    data = read_at(standings.standing, account, at)
    if as_json:
        print_json(data)
        return
    out.print(f"[bold]{safe(data['account'])}[/] ({data['role']}) as of {data['as_of']}")
    out.print(
        f"score {data['score']:.2f}  band [bold]{data['band']}[/]  "
        f"(policy {safe(data['policy_version'])})"
    )
    out.print(f"may: {', '.join(data['privileges']) or 'nothing'}")
    out.print(f"why: {safe(data['privileges_reason'])}", highlight=False)
    for s in data["sanctions"]:
        out.print(
            f"sanction: {s['action']} since {s['since']} until {s['until'] or 'no end'} "
            f"(rule {safe(s['rule'])})"
        )
    for s in data["strikes"]:
        out.print(
            f"strike: {safe(s['rule'])} on {safe(s['content'])} at {s['at']}, "
            f"expires {s['expires_at']}"
        )


def explain(account: AccountArgument, at: AtOption = None, as_json: JsonOption = False) -> None:
    """Print every ledger line behind an account's score, with the rule text and evidence.

    The score is the policy's start plus every ledger delta faded by its age (half-life),
    kept within the policy's range.

    Example: goodstanding explain a000042
    """
    data = read_at(explained.explanation, account, at)
    if as_json:
        print_json(data)
        return
    low, high = data["range"]
    kept = {
        None: f"within the range [{low:g}, {high:g}]",
        "min": f"clamped to the minimum {low:g} (unclamped {data['unclamped_score']:.2f})",
        "max": f"clamped to the maximum {high:g} (unclamped {data['unclamped_score']:.2f})",
    }[data["clamped"]]
    out.print(
        f"[bold]{safe(data['account'])}[/] as of {data['as_of']}: score {data['score']:.2f} = "
        f"start {data['start']:g} + {data['sum_of_faded_entries']:.2f} from "
        f"{len(data['ledger'])} ledger lines (half-life {data['half_life_days']:g} days), "
        f"{kept}; band {data['band']}",
        highlight=False,
    )
    table = Table(
        Column("at", no_wrap=True),
        Column("delta", no_wrap=True, justify="right"),
        Column("now", no_wrap=True, justify="right"),
        Column("reason", overflow="fold"),
        Column("rule", overflow="fold"),
        Column("evidence", overflow="fold"),
    )
    for line in data["ledger"]:
        rule = (
            f"{line['rule']} ({line['policy_version']}): {line['rule_text']}"
            if line["rule"]
            else ""
        )
        if line["dated"] != line["at"]:
            rule += f" (dated {line['dated']} for its fading: {line['note'] or ''})"
        table.add_row(
            line["at"],
            f"{line['delta']:+.2f}",
            f"{line['now']:+.2f}",
            safe(line["reason"]),
            safe(rule),
            safe(", ".join(line["evidence"])),
        )
    out.print(table)
    for s in data["sanction_history"]:
        out.print(
            f"[bold]{s['action']}[/] at {s['at']} until {s['until'] or 'no end'}: "
            f"{safe(s['reasons'])}",
            highlight=False,
        )


def summary(as_json: JsonOption = False) -> None:
    """Summarise the community: accounts per band, sanctions by step, top rules.

    Example: goodstanding summary
    """
    with open_store() as store:
        data = summaries.summary(store, policies_of(store))
    if as_json:
        print_json(data)
        return
    out.print(f"[bold]goodstanding[/]: {data['events']} events, as of {data['as_of']}")
    table = Table("band", "accounts", title="Accounts per band")
    for name, n in data["accounts_per_band"].items():
        table.add_row(safe(name), str(n))
    out.print(table)
    table = Table("step", "sanctions", title="Sanctions by step")
    for name, n in data["sanctions_by_step"].items():
        table.add_row(name, str(n))
    out.print(table)
    table = Table("rule", "strikes", title="Top rules (upheld violations)")
    for item in data["top_rules"]:
        table.add_row(safe(item["rule"]), str(item["strikes"]))
    out.print(table)
    out.print(f"{data['denials']} denied actions, {data['ledger_entries']} ledger entries")
