"""The synthetic community: write its event stream and ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from goodstanding.cli.common import JsonOption, fail, out, print_json, safe


def sim(
    accounts: Annotated[int, typer.Option(help="Number of accounts.")] = 1000,
    days: Annotated[int, typer.Option(help="Days of activity.")] = 30,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same stream.")] = 1,
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the JSON Lines.")] = Path(
        "var/sim.jsonl"
    ),
    as_json: JsonOption = False,
) -> None:
    """Write a synthetic community's event stream (and its ground truth beside it).

    Example: goodstanding sim --accounts 10000 --days 90 --seed 7 --out var/demo.jsonl
    """
    from goodstanding.sim import SimConfig, write_jsonl

    try:
        config = SimConfig(accounts=accounts, days=days, seed=seed)
    except ValueError as error:
        raise fail(str(error)) from None
    out_file.parent.mkdir(parents=True, exist_ok=True)
    stats = write_jsonl(config, out_file)
    if as_json:
        print_json(
            {
                "file": str(stats.path),
                "truth": str(stats.truth_path),
                "lines": stats.lines,
                "by_type": stats.by_type,
            }
        )
        return
    out.print(
        f"wrote {stats.lines:,} events to {safe(stats.path)} "
        f"(ground truth: {safe(stats.truth_path)})"
    )
    for kind, n in stats.by_type.items():
        out.print(f"  {kind:20} {n:>10,}")
