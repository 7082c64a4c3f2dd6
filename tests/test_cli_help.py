"""The command line's --version and --help: the version from the package, plain help text."""

from __future__ import annotations

from typer.testing import CliRunner

from goodstanding.cli import app


def test_version_and_help_read_cleanly() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("goodstanding ")
    text = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "80"}).output
    assert "<bool>" not in text and "╭" not in text
