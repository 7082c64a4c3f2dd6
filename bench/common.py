"""Shared helpers for benchmarks: cached sim streams, timing, memory, a PostgreSQL server."""

from __future__ import annotations

import base64
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from goodstanding import sim
from goodstanding.sim import SimConfig, truth_path_for, write_jsonl

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
T = TypeVar("T")


def sim_stream(accounts: int, days: int, seed: int = 11) -> Path:
    """A sim stream as JSON Lines, generated once per version of the generator and kept under
    var/bench/."""
    CACHE.mkdir(parents=True, exist_ok=True)
    version = sim_version()
    path = CACHE / f"sim-{accounts}-{days}-{seed}-{version}.jsonl"
    if not path.exists():
        partial = path.with_name(path.name + ".partial.jsonl")
        write_jsonl(SimConfig(accounts=accounts, days=days, seed=seed), partial)
        truth_path_for(partial).replace(truth_path_for(path))
        partial.rename(path)
    return path


def sim_version() -> str:
    """A short digest of every source file of the sim package (and the default policy it
    reads), so that a change to any of them makes a new cached stream."""
    package = Path(sim.__file__).resolve().parent
    files = [*sorted(package.glob("*.py")), package.parent / "policies" / "default.toml"]
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:10]


def throwaway_keys() -> None:
    """Fresh identity and records keys for this process, as an operator would configure
    them (the sim's group messages are kept as records, its identities sealed)."""
    from goodstanding.identity import generate_key

    os.environ["GOODSTANDING_RECORDS_MASTER_KEY"] = base64.b64encode(os.urandom(32)).decode()
    os.environ["GOODSTANDING_IDENTITY_KEYS"] = "bench:" + generate_key()


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Runs fn once; returns its result and the wall-clock seconds it took."""
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def rss_bytes() -> int:
    """This process's resident memory now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def report(figure: str, value: float, unit: str, conditions: str) -> None:
    """Prints one benchmark result line."""
    print(f"{figure}: {value:,.{0 if value >= 100 else 2}f} {unit} ({conditions})", flush=True)


def note(message: str) -> None:
    """Progress for the person waiting (stderr, so result lines stay clean)."""
    print(f"  .. {message}", file=sys.stderr, flush=True)


@contextmanager
def postgres_url() -> Iterator[str]:
    """A fresh database on a throwaway PostgreSQL server (the one the tests use)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pgserver import running_postgres

    with running_postgres() as server:
        yield server.create_database("bench")


def machine_load() -> str:
    """The machine's load as the conditions of a figure name it: the one-minute load average
    against the cores (a figure measured at a load above the cores is what other work left)."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
