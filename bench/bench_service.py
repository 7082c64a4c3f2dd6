"""The HTTP service against a real uvicorn process on 127.0.0.1 (one worker):

- events/s through POST /v1/events in batches of 1,000, as a ratio to `Ingestor` on the same
  events in the same run, on SQLite and on PostgreSQL;
- POST /v1/check p50/p99 at 1,000 requests/s from a bounded load loop in its own process,
  while an ingest of later events of the same community runs beside it in another process;
  then the highest of a ladder of rates held with p99 < 10 ms (ingest still beside it);
- webhook deliveries/s to a local receiver.

`python -m bench service [--quick] [--checks]`: --quick uses fewer events and shorter load
phases; --checks measures only the check latencies (the database filled with Ingestor).
The load loop is this module run as `python -m bench.bench_service load ...`; the ingest
beside it, `python -m bench.bench_service ingest ...`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from bench.common import (
    machine_load,
    note,
    postgres_url,
    report,
    sim_stream,
    throwaway_keys,
    timed,
)
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.service.tokens import create_token
from goodstanding.service.webhooks import add_endpoint, deliver_due, schedule
from goodstanding.store import Store

ACCOUNTS, DAYS, BATCH = 2_000, 120, 1_000
CHECK_RATE = 1_000
LADDER = (500, 1_000, 1_500, 2_000, 3_000, 4_000)
P99_GOAL_MS = 10.0
CONNECTIONS = 64
_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Plan:
    """How much to do: events for the ingest ratio (the rest of the stream is ingested beside
    the checks), seconds at CHECK_RATE and at each rate of the ladder."""

    head: int = 40_000
    check_seconds: float = 5.0
    step_seconds: float = 3.0


QUICK = Plan(5_000, 2.0, 1.0)


@dataclass(frozen=True)
class Load:
    """What a load phase measured: latencies (s, sorted), the rate achieved, failures."""

    latencies: list[float]
    achieved: float
    failed: int

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in ms."""
        return self.latencies[min(len(self.latencies) - 1, int(len(self.latencies) * p))] * 1e3


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
        for _ in range(600):
            try:
                httpx.get(f"{base}/openapi.json", timeout=1.0)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _ingest_ratio(name: str, direct_url: str, api_url: str, lines: list[bytes]) -> None:
    """Ingests `lines` batch by batch with Ingestor into one fresh database and through the
    API into another, taking turns (so that the machine's changing load falls on both
    alike), and reports the API's rate and its ratio to Ingestor's."""
    direct = Store.open(direct_url)
    ingestor = Ingestor(direct, load_policies(direct))
    token = _platform_token(api_url)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    accepted = {"direct": 0, "api": 0}
    seconds = {"direct": 0.0, "api": 0.0}
    with _server(api_url) as base, httpx.Client(timeout=600.0) as client:
        note(f"{name}: {len(lines):,} events with Ingestor and through POST /v1/events in turn")
        for start in range(0, len(lines), BATCH):
            batch = lines[start : start + BATCH]
            began = time.perf_counter()
            accepted["direct"] += ingestor.ingest(batch, batch=BATCH).accepted
            seconds["direct"] += time.perf_counter() - began
            began = time.perf_counter()
            response = client.post(f"{base}/v1/events", content=b"\n".join(batch), headers=headers)
            response.raise_for_status()
            seconds["api"] += time.perf_counter() - began
            accepted["api"] += int(response.json()["accepted"])
    direct.close()
    rate, direct_rate = accepted["api"] / seconds["api"], accepted["direct"] / seconds["direct"]
    report(
        f"POST /v1/events, {name}",
        rate / direct_rate,
        "x Ingestor",
        f"{accepted['api']:,} sim events in batches of {BATCH:,}: {rate:,.0f} events/s through "
        f"the API, {direct_rate:,.0f} with Ingestor in the same run (batch by batch in turn), "
        f"one worker, {machine_load()}",
    )


def _platform_token(url: str) -> str:
    store = Store.open(url)
    load_policies(store)
    _, token = create_token(store.engine, "platform", None, None, "bench", time.time())
    store.close()
    return token


async def _load(
    base: str, token: str, accounts: list[str], rate: float, seconds: float
) -> tuple[list[float], float, int]:
    """Sends POST /v1/check at `rate` a second for `seconds` on up to CONNECTIONS keep-alive
    connections (each request at its scheduled time, whether or not earlier ones have been
    answered); returns the latencies from send to the end of the answer, the rate achieved
    and the number of answers other than 200."""
    host, port = base.removeprefix("http://").split(":")
    head = (
        f"POST /v1/check HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\nContent-Length: "
    ).encode()
    requests = [
        head + b"%d\r\n\r\n%s" % (len(body), body)
        for body in (json.dumps({"account": a, "action": "post"}).encode() for a in accounts)
    ]
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    free = asyncio.Semaphore(CONNECTIONS)
    latencies: list[float] = []
    failed = 0

    async def one(request: bytes) -> None:
        nonlocal failed
        async with free:
            reader, writer = idle.pop() if idle else await asyncio.open_connection(host, int(port))
            sent = time.perf_counter()
            writer.write(request)
            headers = await reader.readuntil(b"\r\n\r\n")
            found = _LENGTH.search(headers)
            await reader.readexactly(int(found[1]) if found else 0)
            latencies.append(time.perf_counter() - sent)
            failed += not headers.startswith(b"HTTP/1.1 200")
            idle.append((reader, writer))

    total = int(rate * seconds)
    tasks = []
    started = time.perf_counter()
    for n in range(total):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(requests[n % len(requests)])))
    await asyncio.gather(*tasks)
    achieved = total / (time.perf_counter() - started)
    for _, writer in idle:
        writer.close()
    return sorted(latencies), achieved, failed


def _load_process(base: str, token: str, rate: float, seconds: float, accounts: Path) -> Load:
    """Runs the load loop in its own process (so that its work is not this one's), checking
    the accounts listed in the file `accounts` in turn."""
    command = [sys.executable, "-m", "bench.bench_service", "load", base, token, str(rate)]
    done = subprocess.run(
        [*command, str(seconds), str(accounts)], capture_output=True, check=True, text=True
    )
    latencies, achieved, failed = json.loads(done.stdout)
    return Load(latencies, achieved, failed)


@contextmanager
def _ingest_beside(url: str, stream: Path, skip: int) -> Iterator[subprocess.Popen[bytes]]:
    """An ingest of the stream's events after the first `skip` into `url`, in its own
    process, batches of BATCH, for as long as the block runs (or until the events run out)."""
    command = [sys.executable, "-m", "bench.bench_service", "ingest", url, str(stream), str(skip)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(2.0)  # its policies and detectors built, its first batch under way
        yield process
    finally:
        process.terminate()
        process.wait(timeout=60)


def _checks(url: str, stream: Path, plan: Plan) -> None:
    """Check latency at CHECK_RATE, then the ladder of rates, with an ingest beside."""
    token = _platform_token(url)
    store = Store.open(url)
    registered = [str(row[0]) for row in store.execute_sql("SELECT id FROM accounts ORDER BY id")]
    store.close()
    accounts = Path(url.removeprefix("sqlite:///")).with_name("accounts.txt")
    accounts.write_text("\n".join(registered))
    with _server(url) as base, _ingest_beside(url, stream, plan.head) as ingest:
        note(f"warming the read model (one check of each of {len(registered):,} accounts)")
        _load_process(base, token, 500, len(registered) / 500, accounts)
        note(f"checking at {CHECK_RATE:,}/s for {plan.check_seconds:g} s, ingest beside")
        load = _load_process(base, token, CHECK_RATE, plan.check_seconds, accounts)
        beside = "an ingest beside it" if ingest.poll() is None else "an ingest that ended"
        report(
            "POST /v1/check p99",
            load.percentile(0.99),
            "ms",
            f"{len(load.latencies):,} checks at {load.achieved:,.0f}/s from a load loop in "
            f"another process, {beside} (another process, same SQLite database); "
            f"p50 {load.percentile(0.5):.2f} ms, mean {statistics.fmean(load.latencies) * 1e3:.2f}"
            f" ms, {load.failed} not 200; one worker, {machine_load()}",
        )
        held = None
        for rate in LADDER:
            step = _load_process(base, token, rate, plan.step_seconds, accounts)
            p99 = step.percentile(0.99)
            note(f"{rate:,}/s: achieved {step.achieved:,.0f}/s, p99 {p99:.2f} ms")
            if p99 >= P99_GOAL_MS or step.achieved < rate * 0.95 or step.failed:
                break
            held = (rate, p99, ingest.poll() is None)
        if held is None:
            report("POST /v1/check, highest rate with p99 < 10 ms", 0, "requests/s", "none held")
        else:
            rate, p99, running = held
            report(
                "POST /v1/check, highest rate with p99 < 10 ms",
                rate,
                "requests/s",
                f"of {', '.join(map(str, LADDER))}, {plan.step_seconds:g} s each: "
                f"p99 {p99:.2f} ms, "
                f"{'with the ingest beside' if running else 'after the ingest beside ended'}; "
                f"one worker, {machine_load()}",
            )


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


def _webhooks(url: str) -> None:
    store = Store.open(url)
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
            f"{sent:,} signed deliveries to a local receiver, one worker, {machine_load()}",
        )
    store.close()


def main(argv: list[str] | None = None) -> None:
    """Prints the API's ingest ratio to Ingestor (SQLite, PostgreSQL), check p99 at 1,000/s
    with an ingest beside, the highest rate held with p99 < 10 ms, and webhook deliveries/s."""
    options = set(argv or ())
    if options - {"--quick", "--checks"}:
        raise SystemExit(f"unknown option(s) {sorted(options)}: takes --quick, --checks")
    plan = QUICK if "--quick" in options else Plan()
    only_checks = "--checks" in options
    throwaway_keys()
    stream = sim_stream(ACCOUNTS, DAYS)
    with stream.open("rb") as source:
        lines = [line.rstrip(b"\n") for line in itertools.islice(source, plan.head)]
    with tempfile.TemporaryDirectory() as folder:
        api = f"sqlite:///{folder}/api.db"
        if only_checks:
            store = Store.open(api)
            Ingestor(store, load_policies(store)).ingest(lines, batch=BATCH)
            store.close()
        else:
            _ingest_ratio("SQLite", f"sqlite:///{folder}/direct.db", api, lines)
        _checks(api, stream, plan)
        if not only_checks:
            _webhooks(api)
    if not only_checks:
        with postgres_url() as direct_url, postgres_url() as api_url:
            _ingest_ratio("PostgreSQL", direct_url, api_url, lines)


def _ingest_role(url: str, stream: str, skip: str) -> None:
    """The ingest beside the checks: the stream's events after the first `skip`."""
    store = Store.open(url)
    ingestor = Ingestor(store, load_policies(store))
    with open(stream, "rb") as source:
        ingestor.ingest(itertools.islice(source, int(skip), None), batch=BATCH)


if __name__ == "__main__":
    role, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("main", [])
    if role == "load":
        base, token, rate, seconds, accounts = args
        names = Path(accounts).read_text().split()
        print(json.dumps(asyncio.run(_load(base, token, names, float(rate), float(seconds)))))
    elif role == "ingest":
        _ingest_role(*args)
    else:
        main(args)
