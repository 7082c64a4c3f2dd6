"""Identities through ingest and the fold: no raw number is ever stored, banned identities
cannot come back under another account, and a reversed ban lifts the block."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from stdnum.cn import ric

from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.store import Store
from helpers import POLICY_V1

KEY = base64.b64encode(bytes(range(7, 39))).decode()


def resident_number(seq: int = 123) -> str:
    body = f"11010119900307{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # it ignores the last character


def ev(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def registered(who: str, at: str = "2026-01-02T00:00:00Z", **extra: object) -> bytes:
    return ev(id=f"r-{who}", type="account.registered", at=at, actor=who, **extra)


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOODSTANDING_IDENTITY_KEYS", f"k1:{KEY}")
    monkeypatch.delenv("GOODSTANDING_IDENTITY_KEYFILE", raising=False)


def banned_person(number: str) -> list[bytes]:
    """An account verified with `number`, then banned for two threats."""
    lines = [
        registered("alice"),
        registered("kyc", role="moderator"),
        registered("mod", role="moderator"),
        registered("mod2", role="moderator"),
        ev(
            id="s1",
            type="identity.submitted",
            at="2026-01-02T00:01:00Z",
            actor="alice",
            account="alice",
            kind="cn.ric",
            value=number,
        ),
        ev(
            id="v1",
            type="identity.verified",
            at="2026-01-02T00:02:00Z",
            actor="kyc",
            account="alice",
            submission="s1",
            method="document",
        ),
    ]
    for i in (1, 2):
        lines += [
            ev(
                id=f"p{i}",
                type="content.posted",
                at=f"2026-01-02T0{i}:00:00Z",
                actor="alice",
                content_id=f"c{i}",
                kind="post",
                text="...",
            ),
            ev(
                id=f"d{i}",
                type="review.decided",
                at=f"2026-01-02T0{i}:30:00Z",
                actor="mod",
                content_id=f"c{i}",
                rule="threat.violence",
                verdict="violates",
            ),
        ]
    return lines


def ingest(tmp_path: Path, lines: list[bytes]) -> tuple[Store, object]:
    store = Store.open(f"sqlite:///{tmp_path / 'gs.db'}")
    report = Ingestor(store, load_policies(store, [str(POLICY_V1)])).ingest(lines)
    return store, report


def test_a_banned_identity_cannot_register_again(tmp_path: Path, keyed: None) -> None:
    number = resident_number()
    store, report = ingest(tmp_path, banned_person(number))
    assert not report.errors, report.errors  # type: ignore[attr-defined]
    bans = store.execute_sql("SELECT sanction_id FROM sanctions WHERE action = 'ban'")
    assert len(bans) == 1
    blocked = store.execute_sql(
        "SELECT fingerprint, decision FROM identity_log WHERE status = 'blocked'"
    )
    assert blocked and blocked[0][1] == bans[0][0]
    typed_differently = f"{number[:6]} {number[6:14]}-{number[14:-1]}{number[-1].lower()}"
    retry = Ingestor(store, load_policies(store)).ingest(
        [
            registered(
                "alice2",
                at="2026-02-01T00:00:00Z",
                identity={"kind": "cn.ric", "value": typed_differently},
            )
        ]
    )
    assert retry.accepted == 1  # the attempt is recorded ...
    assert not store.execute_sql("SELECT id FROM accounts WHERE id = 'alice2'")  # ... refused
    refusal = store.execute_sql(
        "SELECT reason, decision FROM identity_log WHERE status = 'refused'"
    )
    assert "blocked" in refusal[0][0] and "appeal" in refusal[0][0]
    assert refusal[0][1] == bans[0][0]
    digits = number[:-1]
    for table in ("events", "identities", "identity_log", "accounts"):
        for row in store.execute_sql(f"SELECT * FROM {table}"):
            assert digits not in repr(row), f"raw identity number stored in {table}"


def test_reversing_the_ban_lifts_the_block(tmp_path: Path, keyed: None) -> None:
    number = resident_number(456)
    lines = banned_person(number)
    lines += [
        ev(
            id="a1",
            type="appeal.filed",
            at="2026-01-03T00:00:00Z",
            actor="alice",
            appeal_id="ap",
            decision_id="d2",
        ),
        ev(
            id="a2",
            type="appeal.decided",
            at="2026-01-04T00:00:00Z",
            actor="mod2",
            appeal_id="ap",
            outcome="reversed",
        ),
    ]
    store, report = ingest(tmp_path, lines)
    assert not report.errors, report.errors  # type: ignore[attr-defined]
    assert store.execute_sql("SELECT COUNT(*) FROM identity_log WHERE status = 'unblocked'")[0][0]
    retry = Ingestor(store, load_policies(store)).ingest(
        [
            registered(
                "alice3", at="2026-02-01T00:00:00Z", identity={"kind": "cn.ric", "value": number}
            )
        ]
    )
    assert retry.accepted == 1
    refused = store.execute_sql("SELECT reason FROM identity_log WHERE status = 'refused'")
    # no longer blocked; refused only because the identity already holds its one account
    assert [r[0] for r in refused] == [
        "this identity already holds 1 account(s); the policy allows 1"
    ]


def test_without_a_key_identity_lines_are_refused_and_nothing_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOODSTANDING_IDENTITY_KEYS", raising=False)
    monkeypatch.delenv("GOODSTANDING_IDENTITY_KEYFILE", raising=False)
    number = resident_number(789)
    _store, report = ingest(
        tmp_path,
        [
            registered("bob"),
            ev(
                id="s",
                type="identity.submitted",
                at="2026-01-02T00:01:00Z",
                actor="bob",
                account="bob",
                kind="cn.ric",
                value=number,
            ),
        ],
    )
    errors = report.errors  # type: ignore[attr-defined]
    assert [e.line for e in errors] == [2]
    assert "no identity key is configured" in errors[0].message
    assert number not in str(errors[0]) and number[:-1] not in str(errors[0])
    assert report.accepted == 1  # type: ignore[attr-defined]


def test_invalid_identifiers_are_refused_with_their_reason(tmp_path: Path, keyed: None) -> None:
    bad = resident_number()[:-1] + ("0" if resident_number()[-1] != "0" else "1")
    store, _ = ingest(
        tmp_path,
        [
            registered("carol"),
            ev(
                id="s",
                type="identity.submitted",
                at="2026-01-02T00:01:00Z",
                actor="carol",
                account="carol",
                kind="cn.ric",
                value=bad,
            ),
        ],
    )
    [(reason,)] = store.execute_sql("SELECT reason FROM identity_log WHERE status = 'refused'")
    assert reason.startswith("bad_check_digit")


def test_privileges_can_require_a_verified_identity(tmp_path: Path, keyed: None) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text(POLICY_V1.read_text() + '\n[identity]\nrequired_for = ["comment"]\n')
    store = Store.open(f"sqlite:///{tmp_path / 'gs.db'}")
    lines = [
        registered("dan"),
        registered("kyc", role="moderator"),
        ev(
            id="p",
            type="content.posted",
            at="2026-01-02T01:00:00Z",
            actor="dan",
            content_id="c",
            kind="post",
            text="hi",
        ),
        ev(
            id="c1",
            type="content.posted",
            at="2026-01-02T01:01:00Z",
            actor="dan",
            content_id="k1",
            kind="comment",
            parent_id="c",
            text="first",
        ),
        ev(
            id="s",
            type="identity.submitted",
            at="2026-01-02T01:02:00Z",
            actor="dan",
            account="dan",
            kind="phone",
            value="+86 138 0013 8000",
        ),
        ev(
            id="v",
            type="identity.verified",
            at="2026-01-02T01:03:00Z",
            actor="kyc",
            account="dan",
            submission="s",
        ),
        ev(
            id="c2",
            type="content.posted",
            at="2026-01-02T01:04:00Z",
            actor="dan",
            content_id="k2",
            kind="comment",
            parent_id="c",
            text="second",
        ),
    ]
    Ingestor(store, load_policies(store, [str(policy)])).ingest(lines)
    denials = store.execute_sql("SELECT event_id, privilege, reason FROM denials")
    assert [(d[0], d[1]) for d in denials] == [("c1", "comment")]
    assert "need a verified identity" in denials[0][2]


def test_identity_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from goodstanding.cli import app

    runner = CliRunner()
    made = runner.invoke(app, ["identity", "generate-key", "--kid", "k2"])
    kid, _, secret = made.output.strip().partition(":")
    assert made.exit_code == 0 and kid == "k2" and len(base64.b64decode(secret)) >= 32
    monkeypatch.setenv("GOODSTANDING_IDENTITY_KEYS", f"k2:{secret},k1:{KEY}")
    monkeypatch.delenv("GOODSTANDING_IDENTITY_KEYFILE", raising=False)
    number = resident_number(321)
    ingest(tmp_path, banned_person(number))  # under k2 now; k1 is still active
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    data = json.loads(runner.invoke(app, ["--db", db, "identity", "rotate", "--json"]).output)
    assert data["current"] == "k2" and data["fingerprints_by_key"] == {"k2": 1}
    assert data["retirable"] == ["k1"]
    assert runner.invoke(app, ["--db", db, "identity", "rotate", "--retire", "k1"]).exit_code == 0
    refused = runner.invoke(app, ["--db", db, "identity", "rotate", "--retire", "k2"])
    assert refused.exit_code == 1 and "it is the current key" in refused.output
    monkeypatch.delenv("GOODSTANDING_IDENTITY_KEYS")
    missing = runner.invoke(app, ["--db", db, "identity", "rotate"])
    assert missing.exit_code == 2 and "GOODSTANDING_IDENTITY_KEYS" in missing.output
