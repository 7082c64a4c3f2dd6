"""The synthetic community: write its event stream and ground truth."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from goodstanding.cli.common import JsonOption, err, fail, failing_on, out, print_json, safe


def sim(
    accounts: Annotated[int, typer.Option(help="Number of accounts.")] = 1000,
    days: Annotated[int, typer.Option(help="Days of activity.")] = 30,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same stream.")] = 1,
    out_file: Annotated[
        str, typer.Option("--out", help="Where to write the JSON Lines; - for stdout.")
    ] = "var/sim.jsonl",
    truth: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the ground truth (default: beside --out, x.truth.json; "
            "none when --out is -)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write a synthetic community's event stream (and its ground truth beside it).

    With --out - the stream goes to stdout (the summary to stderr) and the ground truth only
    where --truth says.

    Example: goodstanding sim --accounts 10000 --days 90 --seed 7 --out var/demo.jsonl
    Example: goodstanding sim --out - | goodstanding ingest -
    """
    from goodstanding.sim import SimConfig, truth_path_for, write_stream

    with failing_on(ValueError):
        config = SimConfig(accounts=accounts, days=days, seed=seed)
    to_stdout = out_file == "-"
    truth_file = truth if truth is not None or to_stdout else truth_path_for(out_file)
    try:
        for folder in {Path(out_file).parent, *([truth_file.parent] if truth_file else [])}:
            folder.mkdir(parents=True, exist_ok=True)
        if to_stdout:
            counts = write_stream(config, sys.stdout.buffer, truth_file)
        else:
            with Path(out_file).open("wb") as stream:
                counts = write_stream(config, stream, truth_file)
    except OSError as error:
        raise fail(f"cannot write {error.filename or out_file}: {error.strerror}") from None
    where = "stdout" if to_stdout else out_file
    lines = sum(counts.values())
    if as_json:
        data = {
            "file": where,
            "truth": None if truth_file is None else str(truth_file),
            "lines": lines,
        }
        if to_stdout:
            err.print_json(data=data | {"by_type": counts})
        else:
            print_json(data | {"by_type": counts})
        return
    say = err if to_stdout else out
    say.print(
        f"wrote {lines:,} events to {safe(where)} "
        f"(ground truth: {safe(truth_file or 'not written')})",
        highlight=False,
    )
    for kind, n in counts.items():
        say.print(f"  {kind:20} {n:>10,}", highlight=False)
