"""Group-chat records as an operator and an auditor meet them: text kept only encrypted and
out of the log, holds, audited exports, purges past the maximum, a missing master key."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from goodstanding.cli import app
from helpers import POLICY_V1, line

runner = CliRunner()
T = "2026-01-02T00:00:00Z"
SECRET = "meet at the old mill at nine"
PAST = "2026-11-01T00:00:00Z"  # after the records' maximum, before the wall clock


def gs(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def chat(tmp_path: Path) -> str:
    rows = [line("account.registered", T, a, id=f"r{a}") for a in ("ann", "ben")]
    rows += [
        line("group.created", T, "ann", id="g", group_id="g1", name="mill"),
        line("group.joined", T, "ben", id="j", group_id="g1"),
        line(
            "content.posted",
            "2026-01-02T01:00:00Z",
            "ben",
            id="m",
            content_id="msg1",
            kind="message",
            group_id="g1",
            text=SECRET,
        ),
    ]
    stream = tmp_path / "chat.jsonl"
    stream.write_bytes(b"\n".join(rows) + b"\n")
    policy = tmp_path / "policy.toml"  # records past their maximum well before today
    policy.write_text(POLICY_V1.read_text() + "\n[records]\nmin_days = 30\nmax_days = 60\n")
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    gs(db, "ingest", str(stream), "--policy", str(policy))
    return db


def test_message_text_is_only_an_encrypted_record(chat: str) -> None:
    path = chat.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        for (body,) in conn.execute("SELECT body FROM events"):
            assert SECRET.encode() not in bytes(body)
    assert SECRET.encode() not in Path(path).read_bytes()


def test_export_is_audited_and_holds_name_real_groups(chat: str, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    gs(
        chat,
        "records",
        "export",
        "--group",
        "g1",
        "--from",
        "2026-01-01T00:00:00Z",
        "--to",
        "2026-02-01T00:00:00Z",
        "--reason",
        "audit Q1",
        "--by",
        "auditor1",
        "--out",
        str(out),
    )
    [record] = [json.loads(x) for x in out.read_text().splitlines()]
    assert record["text"] == SECRET and record["author_id"] == "ben"
    verified = json.loads(gs(chat, "verify", "--json"))
    assert verified["ok"] and verified["audit_entries"] == 1
    assert "unknown group 'nope'" in gs(
        chat, "records", "hold", "place", "group", "nope", "--reason", "x", "--by", "legal", code=2
    )


def test_purge_keeps_held_records_and_deletes_the_rest(chat: str, tmp_path: Path) -> None:
    assert "hold 1 placed" in gs(
        chat,
        "records",
        "hold",
        "place",
        "account",
        "ben",
        "--reason",
        "investigation",
        "--by",
        "legal",
    )
    kept = json.loads(gs(chat, "records", "purge", "--by", "ops", "--json"))
    assert kept["records_deleted"] == 0 and kept["skipped_held"] == 1
    gs(chat, "records", "hold", "lift", "1", "--reason", "closed", "--by", "legal")
    done = json.loads(gs(chat, "records", "purge", "--by", "ops", "--json"))
    assert done["records_deleted"] == 1
    again = json.loads(gs(chat, "records", "purge", "--by", "ops", "--json"))
    assert again["records_deleted"] == 0  # idempotent
    assert json.loads(gs(chat, "verify", "--json"))["audit_entries"] == 5


def test_a_missing_master_key_is_refused(
    chat: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOODSTANDING_RECORDS_MASTER_KEY")
    out = gs(chat, "records", "purge", "--by", "ops", code=2)
    assert "GOODSTANDING_RECORDS_MASTER_KEY" in out
    more = tmp_path / "more.jsonl"
    more.write_bytes(
        line(
            "content.posted",
            "2026-01-02T02:00:00Z",
            "ann",
            id="m2",
            content_id="msg2",
            kind="message",
            group_id="g1",
            text="hi",
        )
        + b"\n"
    )
    refused = json.loads(gs(chat, "ingest", str(more), "--json", code=1))
    assert (
        refused["accepted"] == 0 and "cannot be kept as a record" in refused["errors"][0]["error"]
    )


def test_a_purge_never_runs_as_of_a_later_instant_than_the_clock(chat: str) -> None:
    out = gs(chat, "records", "purge", "--now", "2099-01-01T00:00:00Z", "--by", "ops", code=2)
    assert "later than the clock" in out
    earlier = json.loads(gs(chat, "records", "purge", "--now", PAST, "--by", "ops", "--json"))
    assert earlier["records_deleted"] == 1  # nothing was deleted by the refused run


def export(db: str, out: Path, *extra: str, reason: str = "audit Q1", code: int = 0) -> str:
    return gs(
        db,
        "records",
        "export",
        "--group",
        "g1",
        "--from",
        "2026-01-01T00:00:00Z",
        "--to",
        "2026-02-01T00:00:00Z",
        "--reason",
        reason,
        "--by",
        "auditor1",
        "--out",
        str(out),
        *extra,
        code=code,
    )


def test_an_export_is_private_needs_a_reason_and_never_overwrites(
    chat: str, tmp_path: Path
) -> None:
    out = tmp_path / "export.jsonl"
    assert "--reason" in export(chat, out, reason="  ", code=2)
    assert not out.exists()
    reversed_period = gs(
        chat, "records", "export", "--group", "g1", "--from", "2026-02-01T00:00:00Z",
        "--to", "2026-01-01T00:00:00Z", "--reason", "x", "--by", "a", "--out", str(out), code=2,
    )  # fmt: skip
    assert "is not after" in reversed_period and not out.exists()
    export(chat, out)
    assert out.stat().st_mode & 0o777 == 0o600
    out.write_text("the auditor's notes\n")
    assert "refusing to overwrite" in export(chat, out, code=2)
    assert out.read_text() == "the auditor's notes\n"
    done = json.loads(export(chat, out, "--force", "--json"))
    assert done == {"group": "g1", "records": 1, "file": str(out)}
    assert SECRET in out.read_text() and out.stat().st_mode & 0o777 == 0o600
    audited = json.loads(gs(chat, "verify", "--json"))["audit_entries"]
    assert audited == 2  # the refused exports wrote nothing to the audit log


def test_a_purge_leaves_nothing_recoverable_in_the_sqlite_files(chat: str) -> None:
    path = Path(chat.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as conn:
        ciphertexts = [bytes(c) for (c,) in conn.execute("SELECT ciphertext FROM record_records")]
        wrapped = [bytes(k) for (k,) in conn.execute("SELECT wrapped_key FROM record_keys")]
    assert ciphertexts and wrapped
    reader = sqlite3.connect(path)  # another connection stays open, idle, during the purge
    reader.execute("SELECT count(*) FROM events").fetchall()
    try:
        done = json.loads(gs(chat, "records", "purge", "--by", "ops", "--json"))
    finally:
        reader.close()
    assert done["records_deleted"] == 1 and done["keys_destroyed"] == 1
    assert "truncated" in done["scrubbed"]
    raw = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    for secret in [*ciphertexts, *wrapped]:
        assert secret not in raw
