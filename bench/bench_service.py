"""The HTTP service against a real uvicorn process on 127.0.0.1: events/s through
POST /v1/events (batches of 1,000) against `Ingestor` on the same events, /v1/check latency
at a bounded rate, and webhook deliveries/s to a local receiver."""

from __future__ import annotations

import itertools
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from bench.common import note, report, sim_stream, throwaway_keys, timed
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.service.tokens import create_token
from goodstanding.service.webhooks import add_endpoint, deliver_due, schedule
from goodstanding.store import Store

ACCOUNTS, DAYS, EVENTS, BATCH = 2_000, 30, 60_000, 1_000
CHECK_RATE, CHECK_SECONDS = 200, 5.0


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _server(url: str) -> Iterator[str]:
    """`goodstanding serve` over `url` in its own process; yields its base URL."""
    port = _port()
    command = "from goodstanding.cli import app; app()"
    process = subprocess.Popen(
        [sys.executable, "-c", command, "--db", url, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/openapi.json", timeout=1.0)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _through_api(base: str, token: str, lines: list[bytes]) -> int:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    accepted = 0
    with httpx.Client(timeout=600.0) as client:
        for start in range(0, len(lines), BATCH):
            body = b"\n".join(lines[start : start + BATCH])
            response = client.post(f"{base}/v1/events", content=body, headers=headers)
            response.raise_for_status()
            accepted += int(response.json()["accepted"])
    return accepted


def _checks(base: str, token: str, accounts: list[str]) -> list[float]:
    """Latencies (s) of /v1/check sent at CHECK_RATE a second for CHECK_SECONDS."""
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    interval = 1.0 / CHECK_RATE
    with httpx.Client(timeout=10.0) as client:
        started = time.perf_counter()
        for n, account in enumerate(itertools.cycle(accounts)):
            due = started + n * interval
            if due - started > CHECK_SECONDS:
                break
            time.sleep(max(0.0, due - time.perf_counter()))
            sent = time.perf_counter()
            response = client.post(
                f"{base}/v1/check", json={"account": account, "action": "post"}, headers=headers
            )
            response.raise_for_status()
            latencies.append(time.perf_counter() - sent)
    return sorted(latencies)


@contextmanager
def _receiver() -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """Prints the API's ingest rate and its ratio to Ingestor, check p50/p99, and webhook
    deliveries/s."""
    throwaway_keys()
    with sim_stream(ACCOUNTS, DAYS).open("rb") as stream:
        lines = [line.rstrip(b"\n") for line in itertools.islice(stream, EVENTS)]
    conditions = f"{len(lines):,} sim events, SQLite, default policy"
    with tempfile.TemporaryDirectory() as folder:
        direct = Store.open(f"sqlite:///{folder}/direct.db")
        note("ingesting with Ingestor")
        result, direct_seconds = timed(
            lambda: Ingestor(direct, load_policies(direct)).ingest(lines, batch=BATCH)
        )
        direct.close()
        url = f"sqlite:///{folder}/api.db"
        store = Store.open(url)
        load_policies(store)
        _, token = create_token(store.engine, "platform", None, None, "bench", time.time())
        with _server(url) as base:
            note("ingesting through POST /v1/events")
            accepted, api_seconds = timed(lambda: _through_api(base, token, lines))
            rate = accepted / api_seconds
            report(
                "POST /v1/events",
                rate,
                "events/s",
                f"{conditions}, batches of {BATCH:,}; "
                f"{rate / (result.accepted / direct_seconds):.2f} x Ingestor on the same events",
            )
            note("checking at a bounded rate")
            accounts = [f"a{i + 1:06d}" for i in range(ACCOUNTS)]
            latencies = _checks(base, token, accounts)
            p50 = latencies[len(latencies) // 2] * 1000
            p99 = latencies[int(len(latencies) * 0.99)] * 1000
            report(
                "POST /v1/check p50",
                p50,
                "ms",
                f"{len(latencies):,} checks at {CHECK_RATE}/s from one client, p99 {p99:.2f} ms",
            )
        with _receiver() as port:
            add_endpoint(store.engine, f"http://127.0.0.1:{port}/hook", 0.0)
            pending = schedule(store.engine, time.time())
            note(f"delivering {pending:,} webhooks")

            def drain() -> int:
                total = 0
                while delivered := deliver_due(store.engine, time.time())["delivered"]:
                    total += delivered
                return total

            sent, seconds = timed(drain)
            report(
                "webhook deliveries",
                sent / seconds,
                "deliveries/s",
                f"{sent:,} signed deliveries to a local receiver, one worker",
            )
        store.close()


if __name__ == "__main__":
    main()
