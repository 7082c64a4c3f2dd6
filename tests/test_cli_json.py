"""Every `--json` output of the command line, on a small synthetic community: JSON that
parses, with every time an RFC 3339 UTC string and no epoch number anywhere."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from goodstanding.cli import app

ROOT = Path(__file__).resolve().parents[1]
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
TIME_KEY = re.compile(r"^(at|now|cutoff|since|until|as_of|from|to|.*_at)$")
PERIOD = ("--from", "2026-01-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z")


def gs(db: str, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def leaves(data: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from (
                leaves(value, f"{path}.{key}")
                if isinstance(value, dict | list)
                else iter([(f"{path}.{key}", str(key), value)])
            )
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from (
                leaves(value, f"{path}[{i}]")
                if isinstance(value, dict | list)
                else iter([(f"{path}[{i}]", "", value)])
            )


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("json")
    url = f"sqlite:///{folder / 'gs.db'}"
    stream = folder / "s.jsonl"
    gs(url, "sim", "--accounts", "150", "--days", "10", "--out", str(stream), "--json")
    gs(url, "ingest", str(stream), "--json")
    return url, folder


def test_every_json_output_writes_times_as_rfc3339(db: tuple[str, Path]) -> None:
    url, folder = db
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        account = conn.execute("SELECT account_id FROM sanctions LIMIT 1").fetchone()[0]
        group = conn.execute("SELECT id FROM groups LIMIT 1").fetchone()[0]
        rule = conn.execute("SELECT rule_id FROM flags LIMIT 1").fetchone()[0]
        owner = conn.execute("SELECT owner_id FROM comment_reviews LIMIT 1").fetchone()[0]
    notice = gs(url, "notices", "list", "--json", "--limit", "1")[0]["id"]
    outputs = {
        "hold place": gs(
            url,
            "records",
            "hold",
            "place",
            "group",
            group,
            "--reason",
            "r",
            "--by",
            "legal",
            "--json",
        ),
        "hold lift": gs(
            url, "records", "hold", "lift", "1", "--reason", "r", "--by", "legal", "--json"
        ),
    }
    commands: list[tuple[str, ...]] = [
        ("standing", account),
        ("explain", account),
        ("queue",),
        ("comments", "queue", owner),
        ("rules", "report", rule),
        ("rings",),
        ("group", group),
        ("summary",),
        ("notices", "list", "--all"),
        ("notices", "ack", notice, "--by", "mailer"),
        ("verify",),
        ("replay",),
        ("records", "hold", "list"),
        ("records", "purge", "--by", "x"),
        (
            "records",
            "export",
            "--group",
            group,
            *PERIOD,
            "--reason",
            "r",
            "--by",
            "a",
            "--out",
            str(folder / "r.jsonl"),
        ),
        ("export", "sor", *PERIOD, "--by", "op", "--out", str(folder / "sor.jsonl")),
        ("export", "account", account, "--out", str(folder / "a.json")),
        ("export", "account", account),
        ("report", "transparency", *PERIOD),
        ("identity", "rotate"),
        ("policy", "check", str(ROOT / "policies" / "default.toml")),
    ]
    for args in commands:
        outputs[" ".join(args[:2])] = gs(url, *args, "--json")
    times = 0
    for name, data in outputs.items():
        for path, key, value in leaves(data):
            if isinstance(value, int | float) and not isinstance(value, bool):
                assert not 1e9 < value < 4e9, f"{name}: {path} = {value} looks like epoch time"
            if TIME_KEY.match(key) and value is not None:
                assert isinstance(value, str) and RFC3339.fullmatch(value), f"{name}: {path}"
                times += 1
    assert times > 50
