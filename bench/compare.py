"""The fold (and a smaller ingest) of this tree against a base commit, interleaved in one run:
`python -m bench compare BASE [--rounds N] [--ingest-accounts N] [--ingest-days N]
[--no-ingest] [--cpu] [--freeze]`.

The base is checked out with `git worktree add` into a temporary folder and removed after.
Each round runs every benchmark once per tree, each in a fresh process, alternating which
tree goes first, so that a machine loaded by other work slows both alike. It prints, per
figure, the median of each tree and the ratio new/old (for a time, lower is better).

Both options act in the benchmark's process, alike for both trees, without changing either
tree's code: `--cpu` replaces the clock the benchmark module reads (its `time.perf_counter`
and `bench.common.timed`) by the process's CPU time; `--freeze` (fold benchmark only) runs
`gc.collect()` and `gc.freeze()` whenever an `Engine` is built, so what the benchmark holds
by then (its decoded input) is out of the collector's reach.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import CACHE, ROOT, note

RESULT = re.compile(r"^(?P<figure>.+?): (?P<value>[\d,.]+) (?P<unit>[^(]+?) \(")

# Run inside the tree measured, with that tree's bench/ and src/ first on the path: its own
# benchmark module, with the stream size set and the stream cache shared between trees.
DRIVER = """
import sys
import time
from pathlib import Path
import bench.common
bench.common.CACHE = Path(sys.argv[1])
if sys.argv[4] == "cpu":  # the benchmark's own clock reads this process's CPU time
    class CpuClock:
        def __getattr__(self, name):
            return getattr(time, name)
        perf_counter = staticmethod(time.process_time)
    def timed(fn):
        started = time.process_time()
        result = fn()
        return result, time.process_time() - started
    bench.common.timed = timed
if sys.argv[5] == "freeze" and "{name}" == "fold":  # the input, out of the collector's reach
    import gc
    import goodstanding.engine
    built = goodstanding.engine.Engine.__init__
    def freezing(self, *args, **kwargs):
        gc.collect()
        gc.freeze()
        built(self, *args, **kwargs)
    goodstanding.engine.Engine.__init__ = freezing
import bench.bench_{name} as bench_module
if sys.argv[4] == "cpu":
    bench_module.time = CpuClock()  # its `timed` came from bench.common, patched above
bench_module.ACCOUNTS, bench_module.DAYS = int(sys.argv[2]), int(sys.argv[3])
bench_module.main()
"""


def main(argv: list[str]) -> None:
    """Prints the figures of fold (and ingest) for this tree and BASE, and their ratios."""
    parser = argparse.ArgumentParser(prog="python -m bench compare")
    parser.add_argument("base", help="the commit to compare against, e.g. d47b19e")
    parser.add_argument("--rounds", type=int, default=2, help="runs per tree (default 2)")
    parser.add_argument("--fold-accounts", type=int, default=20_000)
    parser.add_argument("--fold-days", type=int, default=90)
    parser.add_argument("--ingest-accounts", type=int, default=2_000)
    parser.add_argument("--ingest-days", type=int, default=30)
    parser.add_argument("--no-ingest", action="store_true", help="compare the fold alone")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time by the benchmark process's CPU time instead of the wall clock: steadier "
        "on a machine loaded by other work, but it leaves out waiting for the disk and the "
        "PostgreSQL server's own work",
    )
    parser.add_argument(
        "--freeze",
        action="store_true",
        help="in the fold benchmark, move what exists when an engine is built (the decoded "
        "input among it) out of the garbage collector's reach, in both trees, so that the "
        "figures compare the folds rather than the collector walking the benchmark's lists",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    runs = [("fold", args.fold_accounts, args.fold_days)]
    if not args.no_ingest:
        runs.append(("ingest", args.ingest_accounts, args.ingest_days))
    results: dict[str, dict[str, list[float]]] = {"new": {}, "old": {}}
    units: dict[str, str] = {}
    with base_tree(args.base) as base:
        trees = {"new": ROOT, "old": base}
        for round_ in range(args.rounds):
            order = ["new", "old"] if round_ % 2 == 0 else ["old", "new"]
            for name, accounts, days in runs:
                for which in order:
                    note(f"round {round_ + 1}: {name} on the {which} tree")
                    measured = _run(
                        which, trees[which], name, accounts, days, args.cpu, args.freeze
                    )
                    for figure, value, unit in measured:
                        results[which].setdefault(figure, []).append(value)
                        units[figure] = unit
    _print_ratios(args.base, results, units)


@contextmanager
def base_tree(commit: str) -> Iterator[Path]:
    """The commit checked out (detached) in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-base-") as folder:
        tree = Path(folder) / "tree"
        git = ["git", "-C", str(ROOT)]
        subprocess.run([*git, "worktree", "add", "--detach", "-q", str(tree), commit], check=True)
        try:
            yield tree
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(tree)], check=False)
            subprocess.run([*git, "worktree", "prune"], check=False)


def _run(
    which: str, tree: Path, name: str, accounts: int, days: int, cpu: bool, freeze: bool
) -> list[tuple[str, float, str]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), str(tree / "src")])}
    driver = DRIVER.format(name=name)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            driver,
            str(CACHE),
            str(accounts),
            str(days),
            "cpu" if cpu else "wall",
            "freeze" if freeze else "collect",
        ],
        cwd=tree,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    found = []
    for line in done.stdout.splitlines():
        print(f"  {which}: {line}", file=sys.stderr, flush=True)
        matched = RESULT.match(line)
        if matched:
            value = float(matched["value"].replace(",", ""))
            found.append((matched["figure"], value, matched["unit"]))
    return found


def _print_ratios(
    base: str, results: dict[str, dict[str, list[float]]], units: dict[str, str]
) -> None:
    for figure, unit in units.items():
        new, old = results["new"].get(figure), results["old"].get(figure)
        if not new or not old:
            print(f"{figure}: measured on one tree only ({'new' if new else base})")
            continue
        new_m, old_m = statistics.median(new), statistics.median(old)
        print(
            f"{figure}: {new_m / old_m:.2f} new/old ({_number(new_m)} vs {_number(old_m)} {unit}; "
            f"medians of {len(new)} interleaved runs each, new {_spread(new)}, old "
            f"{_spread(old)}; base {base})",
            flush=True,
        )


def _number(value: float) -> str:
    return f"{value:,.{0 if value >= 100 else 2}f}"


def _spread(values: list[float]) -> str:
    return f"{_number(min(values))} to {_number(max(values))}"
