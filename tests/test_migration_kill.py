"""A migration killed (SIGKILL, a real process) at any step leaves the database as the last
finished step left it: every command opens it afterwards and verify passes (issue 12.4)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from goodstanding.store import Store, verify

PAUSE = 0.1
STEPS = len(
    list((Path(__file__).parents[1] / "src/goodstanding/store/migrations/versions").glob("0*.py"))
)
OPEN = "import sys; from goodstanding.store import Store; Store.open(sys.argv[1])"


def _killed_during_step(url: str, step: int, rng: random.Random) -> None:
    """Opens the store at `url` in a new process (as every command does) and kills it
    (SIGKILL) part way through migration step `step` (1: the first step this run applies)."""
    env = {**os.environ, "GOODSTANDING_MIGRATION_PAUSE": str(PAUSE)}
    process = subprocess.Popen(
        [sys.executable, "-c", OPEN, url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    for _ in range(step):
        line = process.stderr.readline()
        assert line.startswith(b"migration step applied"), line
    time.sleep(rng.uniform(0, PAUSE))
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()


def _revision(path: Path) -> str | None:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
        version = (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if "alembic_version" in names
            else None
        )
    engine.dispose()
    return version


@pytest.mark.parametrize("attempt", range(10))
def test_kill_9_during_creation_and_upgrade(tmp_path: Path, attempt: int) -> None:
    rng = random.Random(attempt)
    url = f"sqlite:///{tmp_path / 'gs.db'}"
    first = 1 + attempt % STEPS  # every step is killed at least once over the attempts
    _killed_during_step(url, first, rng)
    assert _revision(tmp_path / "gs.db") == (None if first == 1 else f"{first - 1:04d}")
    left = STEPS - (first - 1)
    if left > 1 and attempt % 3 == 0:  # a second kill, upgrading what the first left behind
        _killed_during_step(url, rng.randint(1, left), rng)
    if attempt == STEPS - 1:  # once, the command line itself opens and verifies it
        cli = "from goodstanding.cli import app; app()"
        done = subprocess.run(
            [sys.executable, "-c", cli, "--db", url, "verify"], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    store = Store.open(url)
    assert verify(store).ok
    assert _revision(tmp_path / "gs.db") == f"{STEPS:04d}"
    store.close()
