"""Groups: a group's members by band, its admins, its flags."""

from __future__ import annotations

from typing import Annotated

import typer

from goodstanding.cli.common import AtOption, JsonOption, out, print_json, read_at, safe
from goodstanding.queries import groups


def group_command(
    group_id: Annotated[str, typer.Argument(help="The group id.")],
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a group: members by band, admins and whether they may act, open flags.

    Example: goodstanding group g0001
    """
    data = read_at(groups.group, group_id, at)
    if as_json:
        print_json(data)
        return
    out.print(
        f"[bold]{safe(data['group'])}[/] {safe(repr(data['name']))}: {data['members']} members, "
        f"owner {safe(data['owner'])}, as of {data['as_of']}"
    )
    for band, ids in data["members_by_band"].items():
        out.print(
            f"  {band:12} {len(ids):>6}  {safe(', '.join(ids[:8]))}"
            + (" ..." if len(ids) > 8 else "")
        )
    for admin in data["admins"]:
        state = "acting" if admin["acting"] else "[red]suspended[/]: standing too low"
        out.print(f"  {admin['role']:6} {safe(admin['account'])}: {state}")
    if data["without_acting_admin"]:
        out.print("[bold red]flagged:[/] no acting admin")
    for flag in data["flags"]:
        out.print(f"  {flag['at']}  {safe(flag['message'])}")
