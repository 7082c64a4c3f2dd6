"""GET /v1/audit (auditors, page by page by position) and GET /v1/checkpoint (public: the
latest signed checkpoint, which verify --checkpoint accepts as served)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from goodstanding.cli import app as cli
from goodstanding.store.checkpoint import KEYFILE_ENV, generate_key, key_id
from helpers import line
from service_helpers import Api, make_api


@pytest.fixture
def api(db_url: str) -> Api:
    return make_api(db_url)


def test_the_audit_log_pages_by_position_for_auditors(api: Api) -> None:
    review = api.client.post(
        "/v1/reviews",
        json={"content_id": "c1", "rule": "spam.bulk", "verdict": "clear"},
        headers=api.as_("moderator"),
    )
    assert review.status_code == 201, review.text
    entries, after = [], 0
    while True:
        page = api.client.get(
            "/v1/audit", params={"after": after, "limit": 1}, headers=api.as_("auditor")
        )
        assert page.status_code == 200, page.text
        entries += page.json()["entries"]
        if page.json()["next"] is None:
            break
        after = page.json()["next"]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    actions = {e["action"]: e for e in entries}
    assert "platform" in actions["events.ingest"]["actor"]
    assert "moderator:mod" in actions["review.decided"]["actor"]
    assert actions["review.decided"]["target"] == "c1"
    assert all(e["at"].endswith("Z") and len(e["hash"]) == 64 for e in entries)
    everything = api.client.get("/v1/audit", headers=api.as_("auditor")).json()
    assert everything["entries"] == entries and everything["next"] is None
    assert api.client.get("/v1/audit", headers=api.as_("platform")).status_code == 403
    too_many = api.client.get("/v1/audit", params={"limit": 1001}, headers=api.as_("auditor"))
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "limit"


def test_the_latest_checkpoint_is_published_for_anyone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, folder = f"sqlite:///{tmp_path}/gs.db", tmp_path / "checkpoints"
    api = make_api(url, checkpoints=folder)
    none_yet = api.client.get("/v1/checkpoint")
    assert none_yet.status_code == 404
    assert none_yet.json()["type"].endswith("/no-checkpoint")
    key = tmp_path / "checkpoint.key"
    public = generate_key(key)
    monkeypatch.setenv(KEYFILE_ENV, str(key))
    events = tmp_path / "more.jsonl"
    events.write_bytes(line("account.registered", "2026-01-04T00:00:00Z", "m9") + b"\n")
    runner = CliRunner()
    ingest = ["--db", url, "ingest", str(events), "--checkpoint-every", "1"]
    done = runner.invoke(cli, [*ingest, "--checkpoint-dir", str(folder)])
    assert done.exit_code == 0, done.output
    served = api.client.get("/v1/checkpoint")  # no token: public
    assert served.status_code == 200, served.text
    checkpoint = served.json()
    assert checkpoint["key_id"] == key_id(public)
    store = api.client.app.state.service.store  # type: ignore[attr-defined]
    assert checkpoint["seq"] == store.execute_sql("SELECT MAX(seq) FROM events")[0][0]
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(checkpoint))
    verify = ["--db", url, "verify", "--checkpoint", str(kept), "--key-id", key_id(public)]
    verified = runner.invoke(cli, verify)
    assert verified.exit_code == 0, verified.output
    (folder / "checkpoint-999999999999-000000000000.json").write_text("{not json")
    broken = api.client.get("/v1/checkpoint")
    assert broken.status_code == 503
    assert str(folder) not in broken.text and "checkpoint-9" not in broken.text
