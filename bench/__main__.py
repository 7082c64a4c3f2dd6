"""Runs every benchmark (or those named on the command line):
`python -m bench [name ...] [--option ...]`.

Each module `bench/bench_<name>.py` has a `main() -> None` that prints one result line per
figure, in the form `<figure>: <value> <unit> (<conditions>)`. A benchmark that takes
options has `main(argv: list[str] | None = None)`; options (from the first argument that
starts with "-") go to it, and only when it is the one benchmark named.

`python -m bench compare BASE` measures this tree against a base commit (bench/compare.py);
it is not one of the benchmarks that a bare `python -m bench` runs.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    """Runs the chosen benchmarks in name order, or the comparison with a base commit."""
    if argv[:1] == ["compare"]:
        from bench import compare

        compare.main(argv[1:])
        return
    first_option = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    argv, options = argv[:first_option], argv[first_option:]
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    chosen = [n for n in names if not argv or n.removeprefix("bench_") in argv or n in argv]
    unknown = set(argv) - {n.removeprefix("bench_") for n in names} - set(names)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have: {names}")
    if options and (len(argv) != 1 or len(chosen) != 1):
        raise SystemExit(f"options {options} need exactly one benchmark named before them")
    if len(chosen) == 1:
        run = importlib.import_module(f"bench.{chosen[0]}").main
        if not options:
            run()
        elif inspect.signature(run).parameters:
            run(options)
        else:
            raise SystemExit(f"benchmark {chosen[0]} takes no options, got {options}")
        return
    for name in chosen:  # each in a fresh process: one's heap must not slow the next
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench", name], check=True)
        print(f"# {name} took {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
