"""The command line on a first run: sim to stdout, grouped refusals, local keys, missing
databases, key files written by the key commands, and policy check's problems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from goodstanding.cli import app

runner = CliRunner()


def test_sim_out_dash_writes_the_stream_to_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    truth = tmp_path / "t.json"
    result = runner.invoke(
        app, ["sim", "--accounts", "50", "--days", "2", "--out", "-", "--truth", str(truth)]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines and all(json.loads(line)["type"] for line in lines)
    assert not (tmp_path / "-").exists()
    assert "moderators" in json.loads(truth.read_text())


def _needs_keys(count: int) -> str:
    """Lines that carry an identity value, so need an identity key."""
    return "".join(
        json.dumps({"type": "identity.submitted", "id": f"e{i}", "at": "2026-01-01T00:00:00Z"})
        + "\n"
        for i in range(count)
    )


def test_refusals_are_grouped_by_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOODSTANDING_IDENTITY_KEYS")
    stream = tmp_path / "in.jsonl"
    stream.write_text(_needs_keys(12) + '{"type": "nope"}\n')
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    result = runner.invoke(app, ["--db", db, "ingest", str(stream)])
    assert result.exit_code == 1, result.output
    assert result.stderr.count("this line carries an identity value") == 1
    assert "refused 12 lines (lines 1, 2, 3, 4, 5, ...)" in result.stderr
    assert "line 13" in result.stderr
    verbose = runner.invoke(app, ["--db", db, "ingest", "--verbose", str(stream)])
    assert verbose.stderr.count("this line carries an identity value") == 12
