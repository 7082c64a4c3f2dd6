"""Every shell example in README.md and docs/*.md runs: each line of a ```sh block that
starts with `goodstanding ` (with its `\\` continuation lines) is run against a small sim
database, built once for this module, and must exit 0, or the code its comment names
(`# exits 2`). `serve` runs until stopped and is skipped, and so is `stream` (a JVM each).

The examples are written for the `make demo` database (10,000 accounts over 90 days); the
small one here has fewer accounts and days, so the table below rewrites what differs:

| in the docs                          | here                                              |
|--------------------------------------|---------------------------------------------------|
| `sim --accounts N --days D`          | `--accounts 300 --days 20` (the module's stream)  |
| a `labels:...` notice id             | the small database's first `labels:` notice       |
| a `sanctions:...` notice id          | the small database's first `sanctions:` notice    |

Account ids (a000042), group ids (g00001), rule ids and times are the demo's and exist
here too."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from goodstanding.cli import app

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ACCOUNTS, DAYS = 300, 20
SKIPPED = {"serve": "runs until stopped", "stream": "starts Spark; tests/test_stream.py runs it"}


def _examples() -> list[tuple[str, str]]:
    """(where, command line) for every example, in document order."""
    found: list[tuple[str, str]] = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for block in re.finditer(r"^```sh\n(.*?)^```", text, re.S | re.M):
            start = text.count("\n", 0, block.start()) + 2
            lines = block[1].splitlines()
            n = 0
            while n < len(lines):
                first = n
                command = lines[n]
                while command.endswith("\\") and n + 1 < len(lines):
                    n += 1
                    command = command[:-1] + " " + lines[n].strip()
                n += 1
                if command.startswith("goodstanding "):
                    found.append((f"{document.name}:{start + first}", command))
    return found


EXAMPLES = _examples()


def _expected_code(command: str) -> int:
    comment = command.partition(" #")[2]
    said = re.search(r"\bexits? (?:with )?(?:code )?(\d+)", comment)
    return int(said[1]) if said else 0


runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, str]]:
    """The folder the examples run in (policies/ beside them), the database URL, and the
    notice ids the examples' ones stand for."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "policies").symlink_to(ROOT / "policies")
    db = f"sqlite:///{folder / 'gs.db'}"
    stream = str(folder / "var" / "sim.jsonl")
    sim = ["sim", "--accounts", str(ACCOUNTS), "--days", str(DAYS), "--seed", "1"]
    for args in ([*sim, "--out", stream], ["ingest", stream]):
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 0, result.output
    listed = runner.invoke(app, ["--db", db, "notices", "list", "--json"])
    notices = [notice["id"] for notice in json.loads(listed.output)]
    firsts = {
        kind: next(n for n in notices if n.startswith(f"{kind}:"))
        for kind in ("labels", "sanctions")
    }
    return folder, db, firsts


def _here(command: str, notices: dict[str, str]) -> list[str]:
    """The example's arguments, rewritten for the small database (module docstring)."""
    args = shlex.split(command, comments=True)[1:]
    if args and args[0] == "sim":
        values = {"--accounts": str(ACCOUNTS), "--days": str(DAYS)}
        args = [values.get(args[n - 1], a) if n else a for n, a in enumerate(args)]
    return [
        notices[a.partition(":")[0]] if re.fullmatch(r"(labels|sanctions):\d+:\d+", a) else a
        for a in args
    ]


def test_the_docs_have_examples() -> None:
    assert len(EXAMPLES) > 20
    assert any(where.startswith("README.md") for where, _ in EXAMPLES)


@pytest.mark.parametrize(("where", "command"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_the_example_runs(
    where: str,
    command: str,
    demo: tuple[Path, str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, db, notices = demo
    monkeypatch.chdir(folder)
    piped: bytes | None = None
    stages = command.split(" | ")  # a pipeline: each stage reads the one before's stdout
    for n, stage in enumerate(stages):
        args = _here(stage, notices)
        if args[0] in SKIPPED:
            pytest.skip(f"{args[0]} {SKIPPED[args[0]]}")
        result = runner.invoke(app, ["--db", db, *args], input=piped)
        expected = _expected_code(command) if n == len(stages) - 1 else 0
        assert result.exit_code == expected, (
            f"{where}: {command}\nexit {result.exit_code}:\n{result.output}"
        )
        piped = result.stdout_bytes
