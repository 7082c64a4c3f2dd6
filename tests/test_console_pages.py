"""Console pages through the app over a real store (no browser): a revoked token ends its
sessions, failed sign-ins are rate-limited, roles are kept to their pages, a form without
its CSRF secret or on an item another moderator holds writes nothing, and a review, its
appeal and the reversal work on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from goodstanding.service.context import Limits
from goodstanding.service.tokens import create_token, revoke_token
from helpers import line
from service_helpers import Api, csrf_of, make_api, signed_in


@pytest.fixture
def api(tmp_path: Path) -> Api:
    return make_api(f"sqlite:///{tmp_path}/gs.db", Limits(failures=3))


def _events(api: Api) -> int:
    store = api.client.app.state.service.store
    return int(store.execute_sql("SELECT COUNT(*) FROM events")[0][0])


def test_a_revoked_token_ends_its_sessions(api: Api) -> None:
    client, _ = signed_in(api, "moderator")
    assert client.get("/queue").status_code == 200
    store = api.client.app.state.service.store
    token_id = api.tokens["moderator"].removeprefix("gs_").split("_")[0]
    revoke_token(store.engine, token_id, time.time())
    answer = client.get("/queue", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/sign-in?next=/queue")


def test_failed_sign_ins_are_rate_limited(api: Api) -> None:
    client = TestClient(api.client.app)
    csrf = csrf_of(client.get("/sign-in").text)
    codes = [
        client.post("/sign-in", data={"token": f"gs_{n}_wrong", "csrf": csrf}).status_code
        for n in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    refused = client.post("/sign-in", data={"token": api.tokens["auditor"], "csrf": csrf})
    assert refused.status_code == 429 and "Too many failed sign-ins" in refused.text


def test_a_sign_in_without_the_forms_secret_is_refused(api: Api) -> None:
    client = TestClient(api.client.app)
    answer = client.post("/sign-in", data={"token": api.tokens["auditor"], "csrf": "made-up"})
    assert answer.status_code == 403 and "gs_session" not in answer.cookies


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("auditor", "/queue", 403),
        ("auditor", "/appeals", 403),
        ("auditor", "/dashboard", 200),
        ("member", "/dashboard", 403),
        ("member", "/accounts/m2", 404),
        ("platform", "/me", 403),
        ("moderator", "/me", 403),
        ("moderator", "/accounts/m1", 200),
    ],
)
def test_each_role_reaches_only_its_pages(api: Api, role: str, path: str, status: int) -> None:
    client, _ = signed_in(api, role)
    assert client.get(path).status_code == status


def test_a_decision_without_the_csrf_secret_writes_nothing(api: Api) -> None:
    client, csrf = signed_in(api, "moderator")
    before = _events(api)
    form = {"content": "c1", "rule": "spam.bulk", "verdict": "violates"}
    answer = client.post("/review/decide", data=form)
    assert answer.status_code == 403
    assert client.post("/review/decide", data={**form, "csrf": csrf + "x"}).status_code == 403
    assert _events(api) == before
    decided = client.post("/review/decide", data={**form, "csrf": csrf}, follow_redirects=False)
    assert decided.status_code == 303 and _events(api) == before + 1


def test_an_item_another_moderator_holds_cannot_be_decided(api: Api) -> None:
    store = api.client.app.state.service.store
    store.claim("c1", "spam.bulk", "someone-else", time.time(), 600.0)
    client, csrf = signed_in(api, "moderator")
    before = _events(api)
    answer = client.post(
        "/review/decide",
        data={"content": "c1", "rule": "spam.bulk", "verdict": "violates", "csrf": csrf},
    )
    assert answer.status_code == 409 and "someone-else holds this item" in answer.text
    assert _events(api) == before


def test_pages_are_sent_with_a_strict_content_security_policy(api: Api) -> None:
    client, _ = signed_in(api, "auditor")
    headers = client.get("/dashboard").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["cache-control"] == "no-store"


PHISHING = "您的银行卡已冻结，请立即验证您的账户：secure-login-bank.example"  # noqa: RUF001


def test_a_review_an_appeal_and_its_reversal_on_both_databases(db_url: str) -> None:
    api = make_api(db_url)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    events = [
        line("account.registered", "2026-01-02T00:00:00Z", "mod2", role="moderator"),
        line("content.posted", now, "m1", content_id="c2", kind="post", text=PHISHING),
    ]
    platform = {**api.as_("platform"), "Content-Type": "application/x-ndjson"}
    assert api.client.post("/v1/events", content=b"\n".join(events), headers=platform).is_success
    store = api.client.app.state.service.store
    api.tokens["mod2"] = create_token(store.engine, "moderator", "mod2", None, "t", time.time())[1]

    moderator, csrf = signed_in(api, "moderator")
    queue = moderator.get("/queue")
    assert "c2" in queue.text and "scam.phishing" in queue.text
    item = moderator.get("/review", params={"content": "c2", "rule": "scam.phishing"})
    assert "<mark>secure-login-bank.example</mark>" in item.text
    decided = moderator.post(
        "/review/decide",
        data={"content": "c2", "rule": "scam.phishing", "verdict": "violates", "csrf": csrf},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    assert "c2" not in moderator.get("/queue").text
    for path in ("/dashboard", "/accounts/m1", "/appeals"):
        assert moderator.get(path).status_code == 200, path

    member, member_csrf = signed_in(api, "member")
    decision = re.search(r'name="decision" value="([^"]+)"', member.get("/me").text)
    assert decision, "the decision is open to appeal"
    filed = member.post(
        "/me/appeals",
        data={"decision": decision[1], "reason": "a test", "csrf": member_csrf},
    )
    assert "waiting for a moderator" in filed.text

    own = moderator.get("/appeals")
    appeal = re.search(r'name="appeal" value="([^"]+)"', own.text)
    assert appeal is None and "You took this decision" in own.text
    other, other_csrf = signed_in(api, "mod2")
    appeal = re.search(r'name="appeal" value="([^"]+)"', other.get("/appeals").text)
    assert appeal
    refused = moderator.post(
        "/appeals/decide", data={"appeal": appeal[1], "outcome": "reversed", "csrf": csrf}
    )
    assert refused.status_code == 403 and "another moderator must" in refused.text
    reversed_ = other.post(
        "/appeals/decide", data={"appeal": appeal[1], "outcome": "reversed", "csrf": other_csrf}
    )
    assert "decided: reversed" in reversed_.text
    account = other.get("/accounts/m1").text
    assert "appeal_reversed" in account and "the decision was reversed" in account
    assert "reversed: the decision was withdrawn" in member.get("/me").text


def test_a_moderator_suspends_from_the_account_page_and_another_lifts_it(db_url: str) -> None:
    api = make_api(db_url)
    store = api.client.app.state.service.store
    mod2 = line("account.registered", "2026-01-02T00:00:00Z", "mod2", role="moderator")
    platform = {**api.as_("platform"), "Content-Type": "application/x-ndjson"}
    assert api.client.post("/v1/events", content=mod2, headers=platform).is_success
    api.tokens["mod2"] = create_token(store.engine, "moderator", "mod2", None, "t", time.time())[1]
    moderator, csrf = signed_in(api, "moderator")
    page = moderator.get("/accounts/m1").text
    assert 'action="/sanctions"' in page and '<option value="suspension">' in page
    form = {
        "account": "m1",
        "action": "suspension",
        "days": "2",
        "rule": "spam.bulk",
        "note": "Forty identical <b>messages</b>",
        "csrf": csrf,
    }
    assert moderator.post("/sanctions", data={**form, "csrf": "x"}).status_code == 403
    imposed = moderator.post("/sanctions", data=form)
    assert (
        imposed.status_code == 200 and "Forty identical &lt;b&gt;messages&lt;/b&gt;" in imposed.text
    )
    assert "Forty identical <b>" not in imposed.text  # the statement is escaped
    again = moderator.post("/sanctions", data=form)
    assert again.status_code == 422 and "already bound" in again.text
    bad_days = moderator.post("/sanctions", data={**form, "days": "soon"})
    assert bad_days.status_code == 422 and "Days must be a number" in bad_days.text

    member, _ = signed_in(api, "member")
    mine = member.get("/me").text
    assert "Forty identical" in mine  # the member's statement of reasons ...
    assert "a moderator found your conduct breaks spam.bulk" in mine  # ... open to appeal

    other, other_csrf = signed_in(api, "mod2")
    sanction = re.search(r'name="sanction_id" value="([^"]+)"', other.get("/accounts/m1").text)
    assert sanction and sanction[1].endswith("/m1/suspension")
    lift = {"account": "m1", "sanction_id": sanction[1], "note": "second look", "csrf": other_csrf}
    lifted = other.post("/sanctions/lift", data=lift)
    assert lifted.status_code == 200 and "lifted by a moderator: second look" in lifted.text
    assert 'name="sanction_id"' not in lifted.text  # nothing binds any more
    check = {"account": "m1", "action": "post"}
    assert (
        api.client.post("/v1/check", json=check, headers=api.as_("platform")).json()["decision"]
        == "allow"
    )
