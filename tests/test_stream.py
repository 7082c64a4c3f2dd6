"""`goodstanding stream` in real processes (a JVM each): a sim stream in several files,
killed (SIGKILL, the whole process group) in the middle of a micro-batch and right after a
micro-batch's commit, restarted from the same checkpoint, ends with the projections of one
`ingest` of the same lines, every event logged once, the chain verified, and each
(query id, batch id) recorded once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

import goodstanding
from goodstanding.cli import app
from goodstanding.events import MAX_LINE_BYTES
from goodstanding.pipeline.spark_stream import HOOK_ENV
from goodstanding.store import Store, verify
from goodstanding.store import schema as tables
from sim_log import sim_stream

RUN = "from goodstanding.cli import app; app(prog_name='goodstanding')"
SRC = str(Path(goodstanding.__file__).parents[1])
QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
"""Short runs: the JVM's start-up matters more than its peak speed."""
LIMIT = 120.0  # seconds one run may take before the test fails
FILES = 5
NOW = time.time()


def _files(stream: Path, source: Path) -> list[bytes]:
    """The stream cut into FILES files under `source`, each modified a second after the one
    before, the second with a malformed line and one over the line limit, the last one
    hidden (a name Spark skips, as a writer would name a file it has not finished); all the
    lines, in file order."""
    lines = stream.read_bytes().splitlines(keepends=True)
    size = len(lines) // FILES + 1
    parts = [lines[k * size : (k + 1) * size] for k in range(FILES)]
    parts[1][3:3] = [b'{"type": "nope"}\n', b'{"id": "' + b"x" * MAX_LINE_BYTES + b'"}\n']
    for k, part in enumerate(parts):
        path = source / (f".part-{k}.jsonl" if k == FILES - 1 else f"part-{k}.jsonl")
        path.write_bytes(b"".join(part))
        os.utime(path, (NOW + k, NOW + k))  # Spark takes the oldest first
    return [line for part in parts for line in part]


def _run(url: str, folder: Path, name: str, hook: str | None = None) -> subprocess.Popen[bytes]:
    """`goodstanding stream --available-now`, one file per micro-batch, in a new process
    group; output into files named after the run; the test hook set when given."""
    env = {**os.environ, "PYTHONPATH": SRC, "JAVA_TOOL_OPTIONS": QUICK_JVM}
    if hook is not None:
        env[HOOK_ENV] = hook
    args = ["--source", str(folder / "in"), "--checkpoint", str(folder / "ck"), "--available-now"]
    with (folder / f"{name}.out").open("wb") as out, (folder / f"{name}.err").open("wb") as err:
        return subprocess.Popen(
            [
                sys.executable,
                "-c",
                RUN,
                "--db",
                url,
                "stream",
                *args,
                "--max-files-per-trigger",
                "1",
            ],
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )


def _killed_at(process: subprocess.Popen[bytes], marker: Path, err: Path) -> None:
    """Kills the process and its JVM (SIGKILL) once the hook has written `marker`."""
    deadline = time.monotonic() + LIMIT
    while not marker.exists():
        assert process.poll() is None, err.read_text()
        assert time.monotonic() < deadline, "the stream never reached the hook"
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_a_stream_killed_twice_applies_each_batch_once(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "ck").mkdir()
    lines = _files(sim_stream(tmp_path), tmp_path / "in")
    url = f"sqlite:///{tmp_path / 'stream.db'}"

    mid = tmp_path / "mid-batch"
    _killed_at(_run(url, tmp_path, "first", f"before-commit:1:{mid}"), mid, tmp_path / "first.err")
    store = Store.open(url)
    assert [b.batch_id for b in store.applied_batches()] == [0]
    store.close()

    committed = tmp_path / "committed"
    second = _run(url, tmp_path, "second", f"after-commit:2:{committed}")
    _killed_at(second, committed, tmp_path / "second.err")
    refusals = (tmp_path / "second.err").read_text()
    assert "rejected part-1.jsonl:4: " in refusals
    assert f"rejected part-1.jsonl:5: the line is {MAX_LINE_BYTES + 10:,} bytes" in refusals

    hidden = tmp_path / "in" / f".part-{FILES - 1}.jsonl"
    hidden.rename(hidden.with_name(hidden.name[1:]))  # finished: moved in atomically
    last = _run(url, tmp_path, "last")
    assert last.wait(timeout=LIMIT) == 0, (tmp_path / "last.err").read_text()
    output = (tmp_path / "last.out").read_text()
    assert "batch 2: applied before (delivered again after a restart), skipped" in output
    assert f"batch {FILES - 1}: " in output

    one_go = tmp_path / "one-go.jsonl"
    one_go.write_bytes(b"".join(lines))
    one_url = f"sqlite:///{tmp_path / 'one-go.db'}"
    result = CliRunner().invoke(app, ["--db", one_url, "ingest", str(one_go)])
    assert result.exit_code == 1 and "2 rejected" in result.output, result.output
    expected = Store.open(one_url)
    store = Store.open(url)
    try:
        assert store.digest() == expected.digest()
        with store.engine.connect() as conn:
            ids = [entry.id for entry in store.entries(conn)]
        assert len(ids) == len(set(ids)) == expected.count(tables.events)
        assert verify(store).ok
        applied = store.applied_batches()
        assert [b.batch_id for b in applied] == list(range(FILES))
        assert len({b.query_id for b in applied}) == 1
        assert sum(b.accepted for b in applied) == len(ids)
        assert sum(b.refused for b in applied) == 2
    finally:
        store.close()
        expected.close()
