"""Single-process replay of a sim stream: plain, into Parquet files (`replay --out`) and under
a version that differs only in a scoring weight (both as ratios against the plain replay in
the same run), extrapolated to 10,000,000 events; the export of the log as Parquet; and a
what-if of a weight-only draft on the same store.

`python -m bench replay [--events N]` (default 1,000,000; the sim's 90 days with as many
accounts as give about N events)."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import machine_load, note, report, sim_stream, throwaway_keys, timed
from goodstanding.pipeline import Ingestor, load_policies, replay
from goodstanding.pipeline.log_export import export_log
from goodstanding.pipeline.projections_out import replay_out
from goodstanding.pipeline.whatif import what_if
from goodstanding.policy.versions import DEFAULT_POLICY
from goodstanding.store import Store
from goodstanding.store import schema as tables

DAYS = 90
EVENTS_PER_ACCOUNT = 53  # the sim's 20,000 accounts x 90 days give about 1.06 million events
TARGET = 10_000_000


def cpu_timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Runs fn once; the wall-clock and the CPU seconds (this process) it took. On a shared
    machine the CPU seconds are closer to what a quiet one would take."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def weight_only(folder: Path, version: str, starts: str, post: str) -> Path:
    """The default policy as another version from `starts`, its post weight `post`, written
    into `folder` with the term files it names."""
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    text = text.replace('version = "2026.1"', f'version = "{version}"', 1)
    text = text.replace("effective_from = 2026-01-01T00:00:00Z", f"effective_from = {starts}", 1)
    text = text.replace("post = 0.3", f"post = {post}", 1)
    path = folder / f"{version}.toml"
    path.write_text(text, encoding="utf-8")
    # the files the policy names, beside it as beside the default
    shutil.copytree(DEFAULT_POLICY.parent / "terms", folder / "terms", dirs_exist_ok=True)
    return path


def main(argv: list[str] | None = None) -> None:
    """Prints replay rates and times, the changed-weight ratio, the 10 M extrapolation and the
    what-if time."""
    parser = argparse.ArgumentParser(prog="python -m bench replay")
    parser.add_argument("--events", type=int, default=1_000_000)
    events = parser.parse_args(argv).events
    throwaway_keys()
    accounts = max(100, events // EVENTS_PER_ACCOUNT)
    path = sim_stream(accounts, DAYS)
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{folder}/bench.db")
        note(f"ingesting the sim of {accounts:,} accounts x {DAYS} days")
        with path.open("rb") as lines:
            Ingestor(store, load_policies(store), now=None).ingest(lines)
        n = store.count(tables.events)
        conditions = (
            f"{n:,} events, sim {accounts:,} accounts x {DAYS} days, SQLite, {machine_load()}"
        )
        note("first replay (fills the detection cache)")
        cold, cold_cpu = cpu_timed(lambda: replay(store, load_policies(store)))
        report(
            "replay, detection cache empty",
            n / cold,
            "events/s",
            f"{cold:.1f} s, {n / cold_cpu:,.0f} events per CPU second; {conditions}",
        )
        note("plain replay")
        plain, plain_cpu = cpu_timed(lambda: replay(store, load_policies(store)))
        report(
            "replay, plain",
            n / plain,
            "events/s",
            f"{plain:.1f} s, {n / plain_cpu:,.0f} events per CPU second; {conditions}",
        )
        note("replay into Parquet files (replay --out)")
        files, files_cpu = cpu_timed(lambda: replay_out(store, Path(folder) / "projections"))
        report(
            "replay into Parquet files (replay --out)",
            n / files,
            "events/s",
            f"{files:.1f} s, {files / plain:.2f} x the plain replay's time, "
            f"{n / files_cpu:,.0f} events per CPU second; {conditions}",
        )
        note("export of the log as Parquet")
        exported, exported_cpu = cpu_timed(lambda: export_log(store, Path(folder) / "log"))
        report(
            "export log --format parquet",
            n / exported,
            "events/s",
            f"{exported:.1f} s (verify included), {n / exported_cpu:,.0f} events per CPU "
            f"second; {conditions}",
        )
        changed = weight_only(Path(folder), "bench-weight", "2026-01-01T00:00:01Z", "0.4")
        policies = load_policies(store, [str(changed)])
        note("replay under a changed scoring weight")
        weighted, weighted_cpu = cpu_timed(lambda: replay(store, policies))
        report(
            "replay, changed scoring weight",
            n / weighted,
            "events/s",
            f"{weighted:.1f} s, {weighted / plain:.2f} x the plain replay's time, "
            f"{n / weighted_cpu:,.0f} events per CPU second; {conditions}",
        )
        report(
            "replay of 10,000,000 events with a changed scoring weight, extrapolated",
            TARGET / (n / weighted),
            "s",
            f"at the measured {n / weighted:,.0f} events/s ({TARGET / (n / weighted_cpu):,.0f} "
            "CPU seconds); goal < 60 s",
        )
        draft = weight_only(Path(folder), "bench-draft", "2026-01-01T00:00:02Z", "0.5")
        note("what-if of a weight-only draft")
        result, seconds = timed(lambda: what_if(store, [draft]))
        report(
            "what-if, weight-only draft",
            seconds,
            "s",
            f"{n / seconds:,.0f} events/s, {len(result.changes):,} accounts change; {conditions}",
        )
        store.close()
