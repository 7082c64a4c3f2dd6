"""`goodstanding stream` on local[2] with checkpointing, into SQLite: the sustained rate of a
sim stream cut into files (from the first micro-batch's commit to the last, so the JVM's
start-up is left out; the whole run, and an `ingest` of the same lines in the same run, are
given too), and the recovery after kill -9 in the middle of a micro-batch (from the restart
to the first micro-batch committed).

`python -m bench stream [--events N] [--files F]` (default 40,000 events in 8 files, two
files per micro-batch)."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, machine_load, note, report, sim_stream, throwaway_keys, timed
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.pipeline.spark_stream import HOOK_ENV
from goodstanding.store import Store

DAYS = 90
EVENTS_PER_ACCOUNT = 53  # the sim's accounts x 90 days, as in bench_replay
RUN = "from goodstanding.cli import app; app(prog_name='goodstanding')"


def _cut(stream: Path, folder: Path, files: int) -> int:
    """The stream cut into `files` files under `folder` (names and modification times in
    stream order); its number of lines."""
    lines = stream.read_bytes().splitlines(keepends=True)
    size = len(lines) // files + 1
    now = time.time()
    for k in range(files):
        path = folder / f"part-{k:04d}.jsonl"
        path.write_bytes(b"".join(lines[k * size : (k + 1) * size]))
        os.utime(path, (now + k, now + k))
    return len(lines)


def _stream(url: str, folder: Path, hook: str | None = None) -> subprocess.Popen[str]:
    """`goodstanding stream --available-now` over folder/in, two files per micro-batch."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    if hook is not None:
        env[HOOK_ENV] = hook
    args = ["--source", str(folder / "in"), "--checkpoint", str(folder / "ck"), "--available-now"]
    return subprocess.Popen(
        [sys.executable, "-c", RUN, "--db", url, "stream", *args, "--max-files-per-trigger", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )


def _batches(process: subprocess.Popen[str]) -> list[tuple[float, int]]:
    """The time each micro-batch's line was printed and the lines it read, until the end."""
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        if line.startswith("batch ") and " read, " in line:
            seen.append((time.perf_counter(), int(line.split(": ", 1)[1].split(" ", 1)[0])))
    if process.wait() != 0:
        raise SystemExit(f"the stream failed (exit {process.returncode})")
    return seen


def main(argv: list[str] | None = None) -> None:
    """Prints the sustained rate, the whole run's time and the recovery time."""
    parser = argparse.ArgumentParser(prog="python -m bench stream")
    parser.add_argument("--events", type=int, default=40_000)
    parser.add_argument("--files", type=int, default=8)
    options = parser.parse_args(argv or [])
    throwaway_keys()
    accounts = max(100, options.events // EVENTS_PER_ACCOUNT)
    stream = sim_stream(accounts, DAYS)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "in").mkdir()
        (folder / "ck").mkdir()
        lines = _cut(stream, folder / "in", options.files)
        conditions = (
            f"{lines:,} events of the sim of {accounts:,} accounts x {DAYS} days in "
            f"{options.files} files, 2 per micro-batch, local[2], SQLite, {machine_load()}"
        )
        note("streaming the files")
        started = time.perf_counter()
        batches = _batches(_stream(f"sqlite:///{folder}/run.db", folder))
        first, last = batches[0][0], batches[-1][0]
        after_first = sum(read for _, read in batches[1:])
        note("ingesting the same lines in one process, for comparison")
        alone = Store.open(f"sqlite:///{folder}/ingest.db")
        with stream.open("rb") as source:
            ingested, seconds = timed(lambda: Ingestor(alone, load_policies(alone)).ingest(source))
        alone.close()
        report(
            "stream, sustained (first micro-batch's commit to the last)",
            after_first / (last - first),
            "events/s",
            f"{len(batches)} micro-batches; the whole run {last - started:.1f} s with the "
            f"JVM's start-up; `ingest` of the same lines in this run "
            f"{ingested.accepted / seconds:,.0f} events/s; {conditions}",
        )
        for name in ("ck", "in"):
            shutil.rmtree(folder / name)
            (folder / name).mkdir()
        _cut(stream, folder / "in", options.files)
        note("killing a stream in its second micro-batch, then restarting it")
        marker = folder / "killed"
        killed = _stream(f"sqlite:///{folder}/recovery.db", folder, f"before-commit:1:{marker}")
        while not marker.exists():
            if killed.poll() is not None:
                raise SystemExit("the stream ended before the hook")
            time.sleep(0.05)
        os.killpg(killed.pid, signal.SIGKILL)
        killed.communicate()
        restarted = time.perf_counter()
        recovered = _batches(_stream(f"sqlite:///{folder}/recovery.db", folder))
        report(
            "stream, recovery after kill -9 mid-batch (restart to the first batch committed)",
            recovered[0][0] - restarted,
            "s",
            f"JVM start-up and Spark's recovery from the checkpoint included; {conditions}",
        )
