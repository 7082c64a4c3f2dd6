"""POST /v1/check from the read model: it follows another writer's events once refreshed, it
gives the answer reading the store gives, its hot path answers as the route does, and a
revoked token stops working within the refresh interval."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodstanding.engine import iso
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.service import backend, fastcheck
from goodstanding.service.context import Service
from goodstanding.service.readmodel import CheckModel
from goodstanding.service.routes.check import Action
from goodstanding.service.tokens import TokenCache, TokenError, create_token, revoke_token
from goodstanding.store import Store
from helpers import POLICY_V1, line
from service_helpers import Api, make_api
from streams import Stream, streams

ACTIONS: tuple[str, ...] = Action.__args__


@pytest.fixture
def api(db_url: str) -> Api:
    return make_api(db_url)


def _check(api: Api, account: str, **extra: object) -> dict[str, object]:
    response = api.client.post(
        "/v1/check",
        json={"account": account, "action": "post", **extra},
        headers=api.as_("platform"),
    )
    assert response.status_code == 200, response.text
    found: dict[str, object] = response.json()
    return found


def _ingest_in_another_process(url: str, lines: list[bytes], tmp_path: Path) -> None:
    events = tmp_path / "other-writer.jsonl"
    events.write_bytes(b"\n".join(lines) + b"\n")
    command = "from goodstanding.cli import app; app()"
    done = subprocess.run(
        [sys.executable, "-c", command, "--db", url, "ingest", str(events), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_a_check_follows_another_writer_once_refreshed(
    api: Api, db_url: str, tmp_path: Path
) -> None:
    assert _check(api, "m2")["decision"] == "allow"  # now held by the read model
    now = time.time()
    stamp = [iso(now - 60 + i) for i in range(8)]
    lines = []
    for i in range(4):
        lines.append(
            line("content.posted", stamp[i], "m2", content_id=f"x{i}", kind="post", text="buy now")
        )
        lines.append(
            line(
                "review.decided",
                stamp[4 + i],
                "mod",
                content_id=f"x{i}",
                rule="scam.phishing",
                verdict="violates",
            )
        )
    _ingest_in_another_process(db_url, lines, tmp_path)
    svc: Service = api.client.app.state.service  # type: ignore[attr-defined]
    assert svc.checks.refresh() >= 1  # what the background refresh does every interval
    denied = _check(api, "m2")
    assert denied["decision"] == "deny"
    assert denied["sanction"]["action"] == "suspension"  # type: ignore[index]
    assert "scam.phishing" in str(denied["statement"])
    standing = api.client.get("/v1/accounts/m2/standing", headers=api.as_("moderator")).json()
    assert (denied["band"], denied["score"]) == (standing["band"], standing["score"])


def test_a_check_at_a_past_time_reads_the_store(api: Api) -> None:
    before = _check(api, "m1", at="2026-01-02T12:00:00Z")
    assert before["decision"] == "allow"
    unborn = api.client.post(
        "/v1/check",
        json={"account": "m1", "action": "post", "at": "2025-01-01T00:00:00Z"},
        headers=api.as_("platform"),
    )
    assert unborn.status_code == 404
    assert unborn.json()["type"].endswith("/not-registered")


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(streams(), st.integers(2, 4))
def test_the_read_model_answers_as_the_store_does(stream: Stream, chunks: int) -> None:
    lines = stream.lines()
    accounts = sorted({e["actor"] for e in stream.events if e["type"] == "account.registered"})
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/gs.db"
        writer_store, reader_store = Store.open(url), Store.open(url)
        writer = Ingestor(writer_store, load_policies(writer_store, [str(POLICY_V1)]), now=None)
        policies = load_policies(reader_store)
        model = CheckModel(reader_store, policies, size=1_000)
        size = -(-len(lines) // chunks)
        for start in range(0, len(lines), size):
            writer.ingest(lines[start : start + size])
            model.refresh()
            t = model.position.latest_at or 0.0
            fresh = CheckModel(reader_store, policies, size=1_000)  # reads only the store
            for account in accounts:
                for action in ACTIONS:
                    try:
                        expected = fresh.answer(account, action, t)
                    except LookupError:
                        continue  # not registered yet
                    held = model.cached(account, action, t)  # None: not held yet
                    assert (held or model.answer(account, action, t)) == expected
        writer_store.close()
        reader_store.close()


def test_the_hot_path_answers_as_the_route_does(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    t = datetime(2026, 6, 1, tzinfo=UTC)
    monkeypatch.setattr(Service, "now", staticmethod(t.timestamp))
    answered = []
    real = fastcheck._answer

    def spy(*args: object) -> bytes | None:
        answered.append(found := real(*args))  # type: ignore[arg-type]
        return found

    monkeypatch.setattr(fastcheck, "_answer", spy)
    bodies = [
        {"account": account, "action": action, **extra}
        for account in ("m1", "m2", "mod", "zz", "", "x" * 201)
        for action in ("post", "administer_group", "fly")
        for extra in ({}, {"note": 1})
    ]
    for role in ("platform", "moderator", "member"):
        for body in bodies:
            fast = [api.client.post("/v1/check", json=body, headers=api.as_(role)) for _ in "12"]
            routed = api.client.post(
                "/v1/check", json={**body, "at": t.isoformat()}, headers=api.as_(role)
            )
            for response in fast:
                assert response.status_code == routed.status_code, (role, body)
                assert response.json() == routed.json(), (role, body)
    assert any(a is not None for a in answered)  # the hot path did answer some


def test_a_revoked_token_stops_working_within_the_refresh_interval(api: Api) -> None:
    engine = api.client.app.state.service.store.engine  # type: ignore[attr-defined]
    now = time.time()
    token, secret = create_token(engine, "platform", None, None, "soon revoked", now)
    cache = TokenCache(engine, ttl=0.25, size=10)
    assert cache.verify(secret, now).id == token.id
    revoke_token(engine, token.id, now + 0.1)
    assert cache.cached(secret, now + 0.2) is not None  # within the bound: not read again
    assert cache.cached(secret, now + 0.25) is None  # the bound passed: read again ...
    with pytest.raises(TokenError, match="revoked"):
        cache.verify(secret, now + 0.25)  # ... and refused
    expiring, short = create_token(engine, "platform", None, now + 0.1, "expires", now)
    assert cache.verify(short, now).id == expiring.id
    with pytest.raises(TokenError, match="expired"):
        cache.cached(short, now + 0.1)  # an expiry counts at once, within the bound too


def test_a_held_token_is_revalidated_in_the_background_and_a_revoked_one_dropped(
    api: Api,
) -> None:
    engine = api.client.app.state.service.store.engine  # type: ignore[attr-defined]
    now = time.time()
    token, secret = create_token(engine, "platform", None, None, "in use", now)
    cache = TokenCache(engine, ttl=0.5, size=10)
    cache.verify(secret, now)
    assert cache.revalidate(now + 0.4) == 1
    assert cache.cached(secret, now + 0.8) is not None  # read again at +0.4: still trusted
    revoke_token(engine, token.id, now + 0.85)
    assert cache.revalidate(now + 0.9) == 0  # the background read drops it ...
    assert cache.cached(secret, now + 0.95) is None  # ... so the next request reads the store
    with pytest.raises(TokenError, match="revoked"):
        cache.verify(secret, now + 0.95)


def test_an_account_read_while_the_log_moved_on_is_held_unless_it_changed_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/gs.db"
    writer_store, reader_store = Store.open(url), Store.open(url)
    writer = Ingestor(writer_store, load_policies(writer_store, [str(POLICY_V1)]), now=None)
    at = "2026-01-02T00:00:0{}Z"
    writer.ingest([line("account.registered", at.format(i), a) for i, a in enumerate("ab")])
    model = CheckModel(reader_store, load_policies(reader_store), size=100)
    read_at = backend.log_head(reader_store)
    post = line("content.posted", at.format(5), "b", content_id="p1", kind="post", text="hi")
    writer.ingest([post])  # b's score moves; a's does not
    model.refresh()  # the log moved on past where the reads below are made to have read
    assert model.position.seq > read_at
    monkeypatch.setattr(backend, "log_head", lambda store: read_at)
    t = model.position.latest_at or 0.0
    fresh = CheckModel(reader_store, model.policies, size=100)
    for account in "ab":
        assert model.answer(account, "post", t) == fresh.answer(account, "post", t)
    assert model.cached("a", "post", t) is not None  # unchanged since the read: held
    assert model.cached("b", "post", t) is None  # changed after the read: read again next time
    writer_store.close()
    reader_store.close()
