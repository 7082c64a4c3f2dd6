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

from sqlalchemy import create_engine, text

from goodstanding.store import Store, verify

PAUSE = 0.3
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


def test_kill_9_during_creation_and_every_upgrade_step(tmp_path: Path) -> None:
    rng = random.Random(12_4)
    seen: set[str | None] = set()
    for attempt in range(10):
        path = tmp_path / f"gs{attempt}.db"
        url = f"sqlite:///{path}"
        first = rng.randint(1, STEPS)
        _killed_during_step(url, first, rng)
        seen.add(_revision(path))
        left = STEPS - (first - 1)
        if (
            left > 1 and attempt % 3 == 0
        ):  # a second kill, during the upgrade of what the first left behind
            _killed_during_step(url, rng.randint(1, left), rng)
            seen.add(_revision(path))
        store = Store.open(url)
        assert verify(store).ok
        store.close()
    assert len(seen) >= 4, seen  # the kills landed at several different steps
    cli = "from goodstanding.cli import app; app()"
    done = subprocess.run(
        [sys.executable, "-c", cli, "--db", url, "verify"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
