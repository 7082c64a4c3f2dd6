"""The command line as a user meets it: sim, ingest, standing, explain, verify, replay."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from goodstanding.cli import app
from helpers import POLICY_V1

runner = CliRunner()


def gs(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("cli")
    stream = folder / "sim.jsonl"
    db = f"sqlite:///{folder / 'gs.db'}"
    gs(db, "sim", "--accounts", "400", "--days", "20", "--seed", "3", "--out", str(stream))
    report = json.loads(gs(db, "ingest", str(stream), "--json"))
    assert report["accepted"] > 3000 and report["rejected"] == 0
    return db, stream


def test_reingesting_changes_nothing(community: tuple[str, Path]) -> None:
    db, stream = community
    before = json.loads(gs(db, "summary", "--json"))
    report = json.loads(gs(db, "ingest", str(stream), "--json"))
    assert report["accepted"] == 0 and report["duplicates"] == report["read"]
    assert json.loads(gs(db, "summary", "--json")) == before


def test_summary_counts_every_account_once(community: tuple[str, Path]) -> None:
    db, _ = community
    data = json.loads(gs(db, "summary", "--json"))
    assert sum(data["accounts_per_band"].values()) >= 400
    assert data["sanctions_by_step"].get("warning", 0) > 0
    text = gs(db, "summary")
    assert "Accounts per band" in text and "Sanctions by step" in text


def _sanctioned(db: str) -> str:
    path = db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT account_id FROM sanctions ORDER BY event_seq LIMIT 1").fetchone()
    return str(row[0])


def test_standing_and_explain_agree(community: tuple[str, Path]) -> None:
    db, _ = community
    account = _sanctioned(db)
    standing = json.loads(gs(db, "standing", account, "--json"))
    explained = json.loads(gs(db, "explain", account, "--json"))
    assert standing["score"] == explained["score"]
    raw = explained["start"] + explained["sum_of_faded_entries"]
    assert round(min(max(raw, 0.0), 100.0), 2) == pytest.approx(standing["score"], abs=0.01)
    violations = [line for line in explained["ledger"] if line["reason"] == "violation"]
    assert violations and all(line["rule_text"] for line in violations)
    assert explained["sanction_history"][0]["reasons"].startswith("Rule ")
    text = gs(db, "explain", account)
    assert "ledger lines" in text and "violation" in text


def test_unknown_account_is_an_error(community: tuple[str, Path]) -> None:
    db, _ = community
    assert "unknown account 'nobody'" in gs(db, "standing", "nobody", code=2)


def test_verify_then_tamper(tmp_path: Path, community: tuple[str, Path]) -> None:
    _, stream = community
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    lines = stream.read_text().splitlines()[:300]
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(lines) + "\n")
    gs(db, "ingest", str(small))
    assert "log intact: 300 entries and 0 audit entries" in gs(db, "verify")
    digest = json.loads(gs(db, "replay", "--json"))["digest"]
    assert json.loads(gs(db, "replay", "--json"))["digest"] == digest
    with sqlite3.connect(tmp_path / "gs.db") as conn:
        conn.execute("DELETE FROM events WHERE seq = 42")
    out = gs(db, "verify", code=1)
    assert "entry 42 is missing" in out
    assert "entry 42" in gs(db, "replay", code=1)


def test_ingest_reports_bad_lines_and_strict_refuses(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id":"e1","type":"account.registered","at":"2026-01-02T00:00:00Z","actor":"a"}\n'
        '{"id":"e2","type":"account.registered","at":"2026-01-02T00:00:00","actor":"b"}\n'
    )
    strict = json.loads(gs(db, "ingest", str(bad), "--strict", "--json", code=1))
    assert strict["refused_all"] and strict["accepted"] == 0
    assert strict["errors"][0]["line"] == 2
    kept = gs(db, "ingest", str(bad), code=1)
    assert "1 accepted" in kept
    assert "line 2" in kept and "offset" in kept


def test_policy_check(tmp_path: Path) -> None:
    assert "ok: version t1" in gs("sqlite://", "policy", "check", str(POLICY_V1))
    broken = tmp_path / "broken.toml"
    broken.write_text(
        POLICY_V1.read_text().replace("half_life_days = 30.0", "half_life_days = -2.0")
    )
    out = gs("sqlite://", "policy", "check", str(broken), code=1)
    assert f"{broken}:" in out and "scoring.half_life_days" in out


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "theirs.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    assert "not a goodstanding store" in gs(f"sqlite:///{path}", "summary", code=2)


@pytest.mark.parametrize(
    "command", ["ingest", "standing", "explain", "verify", "replay", "sim", "summary"]
)
def test_every_command_explains_itself(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output


def test_queue_rules_report_and_rings(community: tuple[str, Path]) -> None:
    db, stream = community
    items = json.loads(gs(db, "queue", "--limit", "5", "--json"))
    assert items and all(i["evidence"] for i in items)
    assert [i["priority"] for i in items] == sorted((i["priority"] for i in items), reverse=True)
    report = json.loads(gs(db, "rules", "report", "harassment.insults", "--json"))
    assert report["matched"] > 0 and report["reviewed"] == report["upheld"] + report["rejected"]
    truth = json.loads(stream.with_name("sim.truth.json").read_text())
    members = {a for ring in truth["rings"] for a in ring}
    found = json.loads(gs(db, "rings", "--json"))["rings"]
    # not asserted non-empty: the sim's ring keeps posting link spam while restricted, and
    # content never shown (a denial) is not judged, so its likes make no ring here
    assert {a for ring in found for a in ring} <= members  # nobody innocent is flagged
