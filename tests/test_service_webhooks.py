"""Webhooks: messages written with their effects, signed per Standard Webhooks, delivered
at least once to a real receiver on 127.0.0.1 (down for a while, then up), dead after the
last try, never re-sent by a replay."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from goodstanding.cli import app as cli
from goodstanding.service.webhooks import add_endpoint, deliver_due, deliveries, retry
from goodstanding.store import Store
from service_helpers import Api, make_api
from test_service_routes import _violations


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def receiver(port: int, secret: str) -> Iterator[list[dict[str, object]]]:
    """An HTTP receiver that verifies each signature and keeps the messages it accepts."""
    received: list[dict[str, object]] = []
    key = base64.b64decode(secret.removeprefix("whsec_"))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            signed = f"{self.headers['webhook-id']}.{self.headers['webhook-timestamp']}.".encode()
            expected = base64.b64encode(hmac.new(key, signed + body, hashlib.sha256).digest())
            given = self.headers["webhook-signature"].split(",", 1)[1].encode()
            ok = hmac.compare_digest(expected, given)
            if ok:
                received.append({"id": self.headers["webhook-id"], **json.loads(body)})
            self.send_response(204 if ok else 401)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def api(db_url: str) -> Api:
    return make_api(db_url)


def test_deliveries_survive_a_receiver_that_is_down_then_up(api: Api) -> None:
    engine = api.client.app.state.service.store.engine  # type: ignore[attr-defined]
    port = _free_port()
    _, secret = add_endpoint(engine, f"http://127.0.0.1:{port}/hook", 0.0)
    _violations(api, "m2", 4)
    down = deliver_due(engine, 1000.0)
    assert down["delivered"] == 0 and down["retry"] > 0
    assert deliver_due(engine, 1000.5)["retry"] == 0  # not due yet: backoff
    with receiver(port, secret) as received:
        up = deliver_due(engine, 1010.0)
        assert up["delivered"] == down["retry"]
        types = {r["type"] for r in received}
        assert {"sanction.imposed", "content.hidden"} <= types
        ids = [r["id"] for r in received]
        assert len(ids) == len(set(ids))
        assert all(
            str(r["id"]).split(":")[0] in ("sanctions", "labels", "notices") for r in received
        )
    assert {d.status for d in deliveries(engine)} == {"delivered"}
    assert deliver_due(engine, 5000.0) == {"delivered": 0, "retry": 0, "dead": 0}


def test_dead_after_the_last_try_and_retried_on_demand(api: Api) -> None:
    engine = api.client.app.state.service.store.engine  # type: ignore[attr-defined]
    port = _free_port()
    _, secret = add_endpoint(engine, f"http://127.0.0.1:{port}/hook", 0.0)
    _violations(api, "m2", 2)
    t = 1000.0
    for _ in range(3):
        deliver_due(engine, t, max_attempts=3)
        t += 10_000
    found = deliveries(engine)
    assert found and {d.status for d in found} == {"dead"}
    retry(engine, found[0].message_id, t)
    with receiver(port, secret) as received:
        assert deliver_due(engine, t)["delivered"] == 1
        assert received[0]["id"] == found[0].message_id


def test_replay_sends_nothing_again(api: Api, db_url: str) -> None:
    engine = api.client.app.state.service.store.engine  # type: ignore[attr-defined]
    _violations(api, "m2", 2)
    before = api.client.app.state.service.store.execute_sql(  # type: ignore[attr-defined]
        "SELECT id FROM webhook_messages ORDER BY id"
    )
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db_url, "replay"]).exit_code == 0
    store = Store.open(db_url)
    after = store.execute_sql("SELECT id FROM webhook_messages ORDER BY id")
    store.close()
    assert before == after and before
    del engine


def test_the_cli_adds_and_lists(db_url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db_url, "init"]).exit_code == 0  # only ingest/init create
    added = runner.invoke(cli, ["--db", db_url, "webhooks", "add", "http://127.0.0.1:9/x"])
    assert added.exit_code == 0, added.output
    assert added.stdout.strip().splitlines()[-1].startswith("whsec_")
    assert runner.invoke(cli, ["--db", db_url, "webhooks", "add", "ftp://x"]).exit_code == 2
    assert runner.invoke(cli, ["--db", db_url, "webhooks", "list"]).exit_code == 0
    assert runner.invoke(cli, ["--db", db_url, "webhooks", "retry", "nope"]).exit_code == 2
