"""The command line on a first run: sim to stdout, grouped refusals, local keys, missing
databases, key files written by the key commands, and policy check's problems."""

from __future__ import annotations

import json
import shutil
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


def test_a_reading_command_refuses_a_database_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = runner.invoke(app, ["--db", f"sqlite:///{missing}", "summary"])
    assert result.exit_code == 2
    assert f"no database at {missing}" in result.stderr.replace("\n", "")
    assert "goodstanding init" in result.stderr.replace("\n", " ")
    assert not missing.exists()


def test_init_creates_the_database_a_reading_command_then_opens(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'new.db'}"
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    assert (tmp_path / "new.db").exists()
    assert runner.invoke(app, ["--db", db, "verify"]).exit_code == 0


@pytest.fixture
def first_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with no ./var/ and no keys configured: a first run on the default database."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODSTANDING_IDENTITY_KEYS")
    monkeypatch.delenv("GOODSTANDING_RECORDS_MASTER_KEY")
    monkeypatch.delenv("GOODSTANDING_DB", raising=False)
    return tmp_path


def test_a_first_ingest_on_the_default_database_makes_local_keys(first_run: Path) -> None:
    stream = first_run / "in.jsonl"
    sim = runner.invoke(app, ["sim", "--accounts", "60", "--days", "3", "--out", str(stream)])
    assert sim.exit_code == 0, sim.output
    result = runner.invoke(app, ["ingest", str(stream)])
    assert result.exit_code == 0, result.output
    for name in ("identity.key", "records.key"):
        path = first_run / "var" / name
        assert path.stat().st_mode & 0o777 == 0o600
        assert str(Path("var") / name) in result.stderr
    again = runner.invoke(app, ["ingest", str(stream)])
    assert again.exit_code == 0, again.output
    assert "made a local" not in again.stderr
    assert runner.invoke(app, ["records", "hold", "list"]).exit_code == 0


def test_require_keys_and_other_databases_make_no_local_keys(first_run: Path) -> None:
    stream = first_run / "in.jsonl"
    stream.write_text(_needs_keys(2))
    strict = runner.invoke(app, ["ingest", "--require-keys", str(stream)])
    assert strict.exit_code == 1 and "this line carries an identity value" in strict.stderr
    other = runner.invoke(app, ["--db", f"sqlite:///{first_run / 'o.db'}", "ingest", str(stream)])
    assert other.exit_code == 1
    assert not (first_run / "var" / "identity.key").exists()


def test_init_on_the_default_database_makes_local_keys(first_run: Path) -> None:
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert (first_run / "var" / "goodstanding.db").exists()
    assert (first_run / "var" / "records.key").stat().st_mode & 0o777 == 0o600
    assert runner.invoke(app, ["init"]).exit_code == 0


def test_a_bad_configured_key_fails_before_input_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOODSTANDING_RECORDS_MASTER_KEY", "not base64!")
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    result = runner.invoke(app, ["--db", db, "ingest", "-"], input="{bad json\n")
    assert result.exit_code == 2, result.output
    assert "GOODSTANDING_RECORDS_MASTER_KEY" in result.stderr
    assert not (tmp_path / "gs.db").exists()


@pytest.mark.parametrize("command", [["identity", "generate-key"], ["records", "keygen"]])
def test_keygen_out_writes_a_private_file_and_never_overwrites(
    tmp_path: Path, command: list[str]
) -> None:
    key = tmp_path / "k.key"
    result = runner.invoke(app, [*command, "--out", str(key)])
    assert result.exit_code == 0, result.output
    assert key.stat().st_mode & 0o777 == 0o600 and result.stdout == ""
    text = key.read_text()
    again = runner.invoke(app, [*command, "--out", str(key)])
    assert again.exit_code == 2 and "refusing to overwrite" in again.stderr
    assert key.read_text() == text


def test_a_generated_identity_key_file_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from goodstanding.identity import load_keyring

    key = tmp_path / "id.key"
    assert (
        runner.invoke(app, ["identity", "generate-key", "--kid", "k7", "--out", str(key)]).exit_code
        == 0
    )
    loaded = load_keyring({"GOODSTANDING_IDENTITY_KEYFILE": str(key)})
    assert loaded.ring.current.kid == "k7"


DEFAULT = Path(__file__).resolve().parent.parent / "src/goodstanding/policies/default.toml"


def _policy_check(*files: Path) -> list[dict[str, object]]:
    result = runner.invoke(app, ["policy", "check", "--json", *map(str, files)])
    assert result.exit_code == 1, result.output
    problems: list[dict[str, object]] = json.loads(result.stdout)["problems"]
    return problems


def test_policy_check_names_the_effective_from_line_of_an_overlap(tmp_path: Path) -> None:
    copy = tmp_path / "copy.toml"
    copy.write_text(DEFAULT.read_text().replace('version = "2026.1"', 'version = "2026.2"'))
    shutil.copytree(DEFAULT.parent / "terms", tmp_path / "terms")  # the files it names
    (problem,) = _policy_check(DEFAULT, copy)
    assert problem["file"] == str(copy) and problem["line"] == 10
    assert problem["key"] == "policy.effective_from"


def test_policy_check_names_the_key_of_a_toml_syntax_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(DEFAULT.read_text().replace("start = 50.0", "start = 50.0.0"))
    (problem,) = _policy_check(bad)
    assert problem["key"] == "scoring.start" and problem["line"] == 14


def test_policy_check_reports_every_structure_problem(tmp_path: Path) -> None:
    text = DEFAULT.read_text().replace("start = 50.0", 'start = "fifty"')
    text = text.replace('name = "Default community policy"', 'nmae = "typo"')
    bad, other = tmp_path / "bad.toml", tmp_path / "other.toml"
    bad.write_text(text)
    other.write_text(text)
    problems = _policy_check(bad, other)
    keys = {(p["file"], p["key"]) for p in problems}
    for file in (str(bad), str(other)):
        assert {(file, "scoring.start"), (file, "policy.nmae")} <= keys


def test_sim_piped_into_ingest(first_run: Path) -> None:
    stream = runner.invoke(app, ["sim", "--accounts", "50", "--days", "2", "--out", "-"])
    assert stream.exit_code == 0, stream.output
    result = runner.invoke(app, ["ingest", "-", "--json"], input=stream.stdout)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accepted"] == len(stream.stdout.splitlines())


def test_identity_rotate_uses_the_local_key_of_the_default_database(first_run: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    result = runner.invoke(app, ["identity", "rotate", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["current"] == "k1"
