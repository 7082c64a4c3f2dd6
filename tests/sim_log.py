"""A small sim community's event stream, ingested into a store for the tests of exports and
replays into files."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from goodstanding.cli import app

runner = CliRunner()


def sim_stream(folder: Path, accounts: int = 80, days: int = 8) -> Path:
    """A sim stream (JSON Lines) written under `folder`."""
    path = folder / "sim.jsonl"
    args = ["sim", "--accounts", str(accounts), "--days", str(days), "--seed", "3"]
    result = runner.invoke(app, [*args, "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


def ingested(db_url: str, stream: Path) -> None:
    """Ingests the stream into the store at `db_url`."""
    result = runner.invoke(app, ["--db", db_url, "ingest", str(stream)])
    assert result.exit_code == 0, result.output
