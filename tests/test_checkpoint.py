"""Signed checkpoints anchor the log outside the database: forgeries by anyone who can write
the database, even with a recomputed chain, are caught by verify --checkpoint (issue 12.10)."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, select, text
from sqlalchemy.sql.schema import Table
from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.keyfiles import KeyFileError
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.store import Store, entry_hash, head_key, verify
from goodstanding.store import schema as tables
from goodstanding.store.checkpoint import (
    CheckpointError,
    generate_key,
    latest_checkpoint,
    load_signing_key,
    public_key_text,
    read_checkpoint,
    sign_checkpoint,
    verify_checkpoints,
)
from helpers import POLICY_V1, line
from test_pipeline import stream

KEY = Ed25519PrivateKey.generate()


def _store(tmp_path: Path) -> Store:
    store = Store.open(f"sqlite:///{tmp_path / 'gs.db'}")
    Ingestor(store, load_policies(store, [str(POLICY_V1)])).ingest(stream())
    store.audit("op", "records.hold.place", "account:m1", "a court order", 1.8e9)
    store.audit("op", "records.hold.lift", "account:m1", "order lifted", 1.8e9 + 1)
    return store


def _rechain(conn: Connection, table: Table, start: int, edit: Callable[[bytes], bytes]) -> None:
    """Rewrites entries from `start` on with `edit` applied to the first, recomputing every
    hash after it and the head marker: a forgery plain verify cannot see."""
    rows = conn.execute(select(table).where(table.c.seq >= start).order_by(table.c.seq)).all()
    prev = conn.execute(select(table.c.hash).where(table.c.seq == start - 1)).scalar()
    prev = prev or "0" * 64
    for row in rows:
        body = edit(bytes(row.body)) if row.seq == start else bytes(row.body)
        digest = entry_hash(row.seq, prev, body)
        conn.execute(
            table.update()
            .where(table.c.seq == row.seq)
            .values(body=body, prev_hash=prev, hash=digest)
        )
        prev = digest
    conn.execute(
        tables.meta.update()
        .where(tables.meta.c.key == head_key(table))
        .values(value=f"{rows[-1].seq}:{prev}")
    )


def _delete_tail_and_head(conn: Connection) -> None:
    conn.execute(text("DELETE FROM events WHERE seq = 10"))
    conn.execute(text("DELETE FROM goodstanding_meta WHERE key = 'head'"))


def _delete_tail_rewrite_head(conn: Connection) -> None:
    conn.execute(text("DELETE FROM events WHERE seq = 10"))
    nine = conn.execute(text("SELECT hash FROM events WHERE seq = 9")).scalar()
    conn.execute(text(f"UPDATE goodstanding_meta SET value = '9:{nine}' WHERE key = 'head'"))


def _replace_tail(conn: Connection) -> None:
    forged = line(
        "content.engaged", "2026-01-02T07:00:00Z", "mod", id="d1", content_id="c3", kind="like"
    )
    conn.execute(
        text("UPDATE events SET type = 'content.engaged', body = :b WHERE seq = 10"), {"b": forged}
    )
    _rechain(conn, tables.events, 10, lambda body: body)


def _flip_verdict(conn: Connection) -> None:
    _rechain(conn, tables.events, 10, lambda body: body.replace(b'"violates"', b'"clear"'))


def _rewrite_audit(conn: Connection) -> None:
    _rechain(conn, tables.audit_log, 1, lambda body: body.replace(b"court order", b"whim"))


FORGERIES = {
    "delete the tail and the head marker": _delete_tail_and_head,
    "delete the tail, rewrite the head": _delete_tail_rewrite_head,
    "replace the tail with a forged row, recomputed chain": _replace_tail,
    "flip violates to clear, recomputed chain": _flip_verdict,
    "rewrite an audit entry, recomputed chain": _rewrite_audit,
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_every_forgery_is_caught_by_a_checkpoint(tmp_path: Path, forgery: str) -> None:
    store = _store(tmp_path)
    checkpoint = sign_checkpoint(store, KEY, 1.9e9)
    with store.engine.begin() as conn:
        FORGERIES[forgery](conn)
    assert verify(store).ok  # the forgery is invisible to the chain alone
    report = verify_checkpoints(store, [("cp.json", checkpoint)], KEY.public_key())
    assert not report.ok and "checkpoint cp.json signed" in (report.problem or "")


def test_an_extended_log_still_extends_its_checkpoints(tmp_path: Path) -> None:
    store = _store(tmp_path)
    first = sign_checkpoint(store, KEY, 1.9e9)
    ingestor = Ingestor(store, load_policies(store))
    ingestor.ingest(
        [
            line(
                "content.posted",
                "2026-01-03T00:00:00Z",
                "m1",
                id="p9",
                content_id="c9",
                kind="post",
                text="more",
            )
        ]
    )
    second = sign_checkpoint(store, KEY, 1.9e9 + 1)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM events WHERE seq = 11"))
        conn.execute(text("DELETE FROM goodstanding_meta WHERE key = 'head'"))
    report = verify_checkpoints(store, [("a", first)], KEY.public_key())
    assert report.ok
    assert not verify_checkpoints(store, [("a", first), ("b", second)], KEY.public_key()).ok


def test_another_key_and_a_tampered_file_are_refused(tmp_path: Path) -> None:
    store = _store(tmp_path)
    other = Ed25519PrivateKey.generate()
    forged = sign_checkpoint(store, other, 1.9e9)
    with pytest.raises(CheckpointError, match="not the trusted key"):
        verify_checkpoints(store, [("f", forged)], KEY.public_key())
    genuine = sign_checkpoint(store, KEY, 1.9e9)
    path = tmp_path / "cp.json"
    data = json.loads(genuine.to_json())
    data["seq"] = 9
    path.write_text(json.dumps(data))
    with pytest.raises(CheckpointError, match="signature does not verify"):
        verify_checkpoints(store, [("cp.json", read_checkpoint(path))], KEY.public_key())
    with pytest.raises(CheckpointError, match="public key"):
        verify_checkpoints(store, [("cp.json", genuine)])
    assert verify_checkpoints(store, [("g", genuine)], pinned_key_id=genuine.key_id).ok


def test_the_checkpoint_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    keyfile = tmp_path / "cp.key"
    made = runner.invoke(app, ["checkpoint", "keygen", "--out", str(keyfile)])
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    public = made.output.split("public key: ")[1].split()[0]
    monkeypatch.setenv("GOODSTANDING_CHECKPOINT_KEYFILE", str(keyfile))
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(stream()) + b"\n")
    folder = tmp_path / "checkpoints"
    ingest = [
        "--db",
        db,
        "ingest",
        str(events),
        "--checkpoint-every",
        "5",
        "--checkpoint-dir",
        str(folder),
    ]
    assert runner.invoke(app, ingest).exit_code == 0
    latest = latest_checkpoint(folder)
    assert latest is not None and latest.seq == 10
    out = tmp_path / "now.json"
    assert runner.invoke(app, ["--db", db, "checkpoint", "--out", str(out)]).exit_code == 0
    checked = runner.invoke(
        app, ["--db", db, "verify", "--checkpoint", str(out), "--public-key", public]
    )
    assert checked.exit_code == 0 and "extends 1 checkpoint" in checked.output, checked.output
    store = Store.open(db)
    with store.engine.begin() as conn:
        _flip_verdict(conn)
    store.close()
    broken = runner.invoke(
        app, ["--db", db, "verify", "--checkpoint", str(out), "--key-id", latest.key_id]
    )
    assert broken.exit_code == 1 and "rewritten" in broken.output, broken.output


def test_a_signing_key_others_may_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cp.key"
    generate_key(path)
    path.chmod(0o644)
    with pytest.raises(CheckpointError, match="group and others"):
        load_signing_key(path)
    with pytest.raises(KeyFileError, match="already exists"):
        generate_key(path)


def test_verify_prints_a_checkpoint_file_name_as_it_is(tmp_path: Path) -> None:
    store = _store(tmp_path)
    named = tmp_path / "cp[bold]x.json"  # a name that is also Rich markup
    named.write_text(sign_checkpoint(store, KEY, 1.9e9).to_json())
    with store.engine.begin() as conn:
        _flip_verdict(conn)
    store.close()
    public = public_key_text(KEY.public_key())
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    verify_args = ["--db", db, "verify", "--checkpoint", str(named), "--public-key", public]
    broken = CliRunner().invoke(app, verify_args, env={"COLUMNS": "400"})  # the path unwrapped
    assert broken.exit_code == 1
    assert f"checkpoint {named} signed" in " ".join(broken.output.split()), broken.output
