"""POST /v1/events: single events and NDJSON batches, idempotency, conflicts and refusals."""

from __future__ import annotations

import json

import pytest

from goodstanding.service.context import Limits
from goodstanding.store import schema
from helpers import line
from service_helpers import Api, make_api

NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
def api(db_url: str) -> Api:
    return make_api(db_url)


def _events(api: Api) -> int:
    return int(api.client.app.state.service.store.count(schema.events))  # type: ignore[attr-defined]


def _post(api: Api, body: bytes, headers: dict[str, str] | None = None, **params: str):  # type: ignore[no-untyped-def]
    return api.client.post(
        "/v1/events",
        content=body,
        params=params,
        headers={**api.as_("platform"), "Content-Type": "application/json", **(headers or {})},
    )


def test_one_event_is_accepted_then_a_duplicate_then_a_conflict(api: Api) -> None:
    event = line("account.registered", "2026-01-05T00:00:00Z", "m3", id="reg-m3")
    first = _post(api, event)
    assert first.status_code == 201, first.text
    assert first.json()["results"] == [{"line": 1, "id": "reg-m3", "status": "accepted"}]
    again = _post(api, event)
    assert again.status_code == 200
    assert again.json()["results"][0]["status"] == "duplicate"
    before = _events(api)
    changed = line("account.registered", "2026-01-06T00:00:00Z", "m3", id="reg-m3")
    conflict = _post(api, changed)
    assert conflict.status_code == 409
    assert conflict.headers["content-type"] == "application/problem+json"
    assert "different body" in conflict.json()["detail"]
    assert _events(api) == before


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"type": "account.registered", "id": ', "malformed JSON"),
        (
            b'{"type": "no.such", "id": "x", "at": "2026-01-05T00:00:00Z", "actor": "a"}',
            "unknown event type",
        ),
        (b'{"type": "account.registered", "id": "x", "actor": "a"}', "`at`"),
    ],
)
def test_bad_events_are_refused_with_the_reason_and_nothing_written(
    api: Api, body: bytes, reason: str
) -> None:
    before = _events(api)
    response = _post(api, body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/invalid-event")
    assert reason in problem["detail"]
    assert _events(api) == before


def test_missing_field_names_the_field(api: Api) -> None:
    response = _post(api, b'{"type": "account.registered", "id": "x", "actor": "a"}')
    assert response.json()["field"] == "at"


def test_a_batch_answers_every_line(api: Api) -> None:
    lines = [
        line("account.registered", "2026-01-05T00:00:00Z", "m4", id="reg-m4"),
        b"",
        b"not json",
        line("account.registered", "2026-01-05T00:00:00Z", "m4", id="reg-m4"),
    ]
    response = _post(api, b"\n".join(lines), NDJSON)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["line"], r["status"]) for r in results] == [
        (1, "accepted"),
        (3, "refused"),
        (4, "duplicate"),
    ]
    assert "malformed JSON" in results[1]["reason"]


def test_strict_refuses_the_whole_batch(api: Api) -> None:
    before = _events(api)
    lines = [line("account.registered", "2026-01-05T00:00:00Z", "m5"), b"{}"]
    response = _post(api, b"\n".join(lines), NDJSON, strict="true")
    assert response.status_code == 422
    body = response.json()
    assert body["refused_all"] is True
    assert [r["status"] for r in body["results"]] == ["refused", "refused"]
    assert _events(api) == before


def test_size_limits_and_content_type(db_url: str) -> None:
    api = make_api(db_url, Limits(event_bytes=300, batch_bytes=2000))
    before = _events(api)
    big = json.dumps({"type": "account.registered", "pad": "x" * 400}).encode()
    assert _post(api, big).status_code == 413
    batch = b"\n".join(
        [line("account.registered", "2026-01-05T00:00:00Z", f"z{i}") for i in range(40)]
    )
    assert _post(api, batch, NDJSON).status_code == 413
    wrong = _post(api, b"a,b", {"Content-Type": "text/csv"})
    assert wrong.status_code == 415
    assert wrong.headers["content-type"] == "application/problem+json"
    assert _events(api) == before


def test_writes_are_attributed_to_the_token(api: Api) -> None:
    rows = api.client.app.state.service.store.execute_sql(  # type: ignore[attr-defined]
        "SELECT actor, type FROM audit_log ORDER BY seq"
    )
    assert rows[-1][1] == "events.ingest"
    assert rows[-1][0].startswith("token:") and "(platform)" in rows[-1][0]
