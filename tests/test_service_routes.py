"""The read and write routes: checks, identity checks, accounts, content, queue, reviews and
appeals, reports; problem details on every error path; docs without a CDN."""

from __future__ import annotations

import re
import time

import pytest

from goodstanding.service.tokens import create_token
from helpers import line
from service_helpers import Api, make_api


@pytest.fixture
def api(db_url: str) -> Api:
    return make_api(db_url)


def _violations(api: Api, account: str, count: int) -> None:
    """Posts by `account` that a moderator finds violating, enough to suspend it."""
    posts = [
        line(
            "content.posted",
            f"2026-01-04T00:00:0{i}Z",
            account,
            content_id=f"p{i}",
            kind="post",
            text="buy now",
        )
        for i in range(count)
    ]
    headers = {**api.as_("platform"), "Content-Type": "application/x-ndjson"}
    assert api.client.post("/v1/events", content=b"\n".join(posts), headers=headers).is_success
    for i in range(count):
        review = api.client.post(
            "/v1/reviews",
            json={"content_id": f"p{i}", "rule": "scam.phishing", "verdict": "violates"},
            headers=api.as_("moderator"),
        )
        assert review.status_code == 201, review.text


def test_check_allows_and_denies_with_the_reason(api: Api) -> None:
    response = api.client.post(
        "/v1/check", json={"account": "m1", "action": "post"}, headers=api.as_("platform")
    )
    assert response.status_code == 200, response.text
    assert response.json()["decision"] == "allow"
    _violations(api, "m2", 4)
    denied = api.client.post(
        "/v1/check", json={"account": "m2", "action": "post"}, headers=api.as_("platform")
    ).json()
    assert denied["decision"] == "deny"
    assert denied["sanction"]["action"] == "suspension"
    assert denied["rule"]["id"] == "scam.phishing"
    assert "scam.phishing" in denied["statement"]
    unknown = api.client.post(
        "/v1/check", json={"account": "zz", "action": "post"}, headers=api.as_("platform")
    )
    assert unknown.status_code == 404


def test_a_bad_check_names_the_field(api: Api) -> None:
    response = api.client.post(
        "/v1/check", json={"account": "m1", "action": "fly"}, headers=api.as_("platform")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "action"
    assert response.headers["content-type"] == "application/problem+json"


def test_a_review_is_made_as_the_token_and_sanctions_show(api: Api) -> None:
    review = api.client.post(
        "/v1/reviews",
        json={"content_id": "c1", "rule": "spam.bulk", "verdict": "violates"},
        headers=api.as_("moderator"),
    )
    assert review.status_code == 201, review.text
    content = api.client.get("/v1/content/c1", headers=api.as_("moderator"))
    assert content.status_code == 200
    assert content.json()["author"] == "m1"
    audit = api.client.app.state.service.store.execute_sql(  # type: ignore[attr-defined]
        "SELECT actor, type FROM audit_log ORDER BY seq"
    )
    assert audit[-1][1] == "review.decided" and "moderator:mod" in audit[-1][0]
    body = api.client.app.state.service.store.execute_sql(  # type: ignore[attr-defined]
        "SELECT actor FROM events WHERE type = 'review.decided'"
    )
    assert body[0][0] == "mod"
    sanctions = api.client.get("/v1/accounts/m1/sanctions", headers=api.as_("member"))
    assert sanctions.status_code == 200
    explained = api.client.get("/v1/accounts/m1/explain", headers=api.as_("member"))
    assert explained.status_code == 200 and "ledger" in explained.json()
    statements = api.client.get("/v1/accounts/m1/statements", headers=api.as_("member"))
    assert statements.status_code == 200


def test_a_report_on_unknown_content_is_refused_and_nothing_written(api: Api) -> None:
    store = api.client.app.state.service.store  # type: ignore[attr-defined]
    before = store.execute_sql("SELECT COUNT(*) FROM events")[0][0]
    response = api.client.post(
        "/v1/reports", json={"content_id": "nope", "rule": "spam"}, headers=api.as_("member")
    )
    assert response.status_code == 422
    assert store.execute_sql("SELECT COUNT(*) FROM events")[0][0] == before


def test_identity_check_never_echoes_the_value(api: Api) -> None:
    value = "+46701234567"
    response = api.client.post(
        "/v1/identity/check",
        json={"kind": "phone", "value": value},
        headers=api.as_("platform"),
    )
    assert response.status_code == 200, response.text
    assert value not in response.text and "701234567" not in response.text
    assert response.json()["allowed"] is True


def test_reports_for_auditors(api: Api) -> None:
    period = {"from": "2026-01-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}
    report = api.client.get("/v1/transparency", params=period, headers=api.as_("auditor"))
    assert report.status_code == 200, report.text
    statements = api.client.get("/v1/statements", params=period, headers=api.as_("auditor"))
    assert statements.status_code == 200
    assert statements.headers["content-type"].startswith("application/x-ndjson")
    backwards = {"from": period["to"], "to": period["from"]}
    assert (
        api.client.get("/v1/transparency", params=backwards, headers=api.as_("auditor"))
    ).status_code == 422


def test_unknown_paths_and_methods_are_problems(api: Api) -> None:
    missing = api.client.get("/v1/nothing")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = api.client.put("/v1/check")
    assert wrong.status_code == 405
    assert wrong.json()["type"].endswith("/method-not-allowed")


def test_docs_need_no_cdn(api: Api) -> None:
    page = api.client.get("/docs").text
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", page)
    assert urls and all(u.startswith("/") for u in urls), urls
    assert "cdn" not in page.lower()
    for url in urls:
        assert api.client.get(url).status_code == 200, url
    assert "/v1/events" in api.client.get("/openapi.json").json()["paths"]


def test_an_unexpected_error_is_a_problem_without_a_trace(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from goodstanding.service import backend

    def broken(*_: object) -> list[dict[str, object]]:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(backend, "queue", broken)
    client = TestClient(api.client.app, raise_server_exceptions=False)
    response = client.get("/v1/queue", headers=api.as_("moderator"))
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_a_moderator_suspends_an_account_and_another_lifts_it(api: Api) -> None:
    svc = api.client.app.state.service  # type: ignore[attr-defined]
    second = line("account.registered", "2026-01-02T00:00:00Z", "mod2", role="moderator")
    headers = {**api.as_("platform"), "Content-Type": "application/x-ndjson"}
    assert api.client.post("/v1/events", content=second, headers=headers).is_success
    _, secret = create_token(svc.store.engine, "moderator", "mod2", None, "test", time.time())
    body = {"action": "suspension", "days": 2, "rule": "spam.bulk", "note": "40 identical DMs"}
    imposed = api.client.post("/v1/accounts/m2/sanctions", json=body, headers=api.as_("moderator"))
    assert imposed.status_code == 201, imposed.text
    check = {"account": "m2", "action": "post"}
    denied = api.client.post("/v1/check", json=check, headers=api.as_("platform")).json()
    assert denied["decision"] == "deny" and denied["sanction"]["action"] == "suspension"
    assert "40 identical DMs" in denied["statement"]
    sanction_id = denied["sanction"]["id"]
    again = api.client.post("/v1/accounts/m2/sanctions", json=body, headers=api.as_("moderator"))
    assert again.status_code == 422 and "already bound" in again.json()["detail"]
    lift = {"sanction_id": sanction_id, "note": "second look: not the sender"}
    own = api.client.post(
        "/v1/accounts/mod/sanctions/lift", json=lift, headers=api.as_("moderator")
    )
    assert own.status_code == 422
    lifted = api.client.post(
        "/v1/accounts/m2/sanctions/lift", json=lift, headers={"Authorization": f"Bearer {secret}"}
    )
    assert lifted.status_code == 201, lifted.text
    allowed = api.client.post("/v1/check", json=check, headers=api.as_("platform")).json()
    assert allowed["decision"] == "allow"
    member = api.client.post("/v1/accounts/m2/sanctions", json=body, headers=api.as_("member"))
    assert member.status_code == 403
    empty = api.client.post(
        "/v1/accounts/m2/sanctions", json={**body, "note": ""}, headers=api.as_("moderator")
    )
    assert empty.status_code == 422 and "note" in empty.text
