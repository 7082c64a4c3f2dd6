"""Tokens and roles: hashed storage, roles per route, members confined to their own
account, expiry, revocation, failed authentications rate-limited, and the CLI."""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from goodstanding.cli import app as cli
from goodstanding.service.context import Limits
from goodstanding.service.tokens import create_token, list_tokens, revoke_token
from service_helpers import Api, make_api


@pytest.fixture
def api(db_url: str) -> Api:
    return make_api(db_url)


def _engine(api: Api):  # type: ignore[no-untyped-def]
    return api.client.app.state.service.store.engine  # type: ignore[attr-defined]


def test_secrets_are_stored_only_as_hashes(api: Api) -> None:
    rows = api.client.app.state.service.store.execute_sql(  # type: ignore[attr-defined]
        "SELECT secret_sha256 FROM api_tokens"
    )
    stored = {r[0] for r in rows}
    assert not stored & set(api.tokens.values())
    assert all(len(s) == 64 for s in stored)


def test_no_token_and_a_wrong_token_are_401(api: Api) -> None:
    assert api.client.get("/v1/queue").status_code == 401
    wrong = api.client.get("/v1/queue", headers={"Authorization": "Bearer gs_nope_nope"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_a_wrong_role_is_403(api: Api) -> None:
    response = api.client.get("/v1/queue", headers=api.as_("platform"))
    assert response.status_code == 403
    assert response.json()["type"].endswith("/forbidden")
    assert api.client.get("/v1/queue", headers=api.as_("moderator")).status_code == 200


def test_a_member_sees_only_their_own_account(api: Api) -> None:
    own = api.client.get("/v1/accounts/m1/standing", headers=api.as_("member"))
    assert own.status_code == 200, own.text
    assert own.json()["account"] == "m1"
    other = api.client.get("/v1/accounts/m2/standing", headers=api.as_("member"))
    assert other.status_code == 404
    unknown = api.client.get("/v1/accounts/nobody/standing", headers=api.as_("moderator"))
    assert unknown.status_code == 404
    assert unknown.json()["type"].endswith("/unknown-account")


def test_expired_and_revoked_tokens_are_refused(api: Api) -> None:
    engine = _engine(api)
    now = time.time()
    token, secret = create_token(engine, "moderator", "mod", now + 0.5, "short", now)
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.client.get("/v1/queue", headers=headers).status_code == 200
    time.sleep(0.6)
    expired = api.client.get("/v1/queue", headers=headers)
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]
    token, secret = create_token(engine, "moderator", "mod", None, "revoked", now)
    revoke_token(engine, token.id, time.time())
    revoked = api.client.get("/v1/queue", headers={"Authorization": f"Bearer {secret}"})
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["detail"]


def test_failed_authentications_are_rate_limited(db_url: str) -> None:
    api = make_api(db_url, Limits(failures=3, failure_window=60), seed=False)
    for _ in range(3):
        assert api.client.get("/v1/queue").status_code == 401
    limited = api.client.get("/v1/queue", headers=api.as_("moderator"))
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1


def test_the_cli_creates_lists_and_revokes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path}/cli.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "init"]).exit_code == 0  # only ingest/init create
    made = runner.invoke(cli, ["--db", db, "token", "create", "--role", "auditor"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("gs_")
    listed = runner.invoke(cli, ["--db", db, "token", "list"])
    assert listed.exit_code == 0 and "auditor" in listed.stdout
    assert secret not in listed.stdout
    member = runner.invoke(cli, ["--db", db, "token", "create", "--role", "member"])
    assert member.exit_code == 2 and "--account" in member.output
    token_id = secret.removeprefix("gs_").split("_", 1)[0]
    revoked = runner.invoke(cli, ["--db", db, "token", "revoke", token_id])
    assert revoked.exit_code == 0, revoked.output
    from goodstanding.store import Store

    store = Store.open(db)
    assert [t.state(time.time()) for t in list_tokens(store.engine)] == ["revoked"]
    store.close()
