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
