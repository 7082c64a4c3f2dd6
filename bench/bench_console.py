"""Console pages: the time to render each page (median of RUNS requests through the app in
this process, signed in as a moderator, an auditor or a member). A what-if run's own pages
are not timed: a run replays the whole log. `--db URL` measures an existing
database, such as the demo's (it adds two tokens and their sessions to it); without it, a
sim of 2,000 accounts over 30 days."""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from urllib.parse import quote

from fastapi.testclient import TestClient

from bench.common import note, report, sim_stream, throwaway_keys
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.queries.moderation import review_queue
from goodstanding.service.app import create_app
from goodstanding.service.tokens import create_token
from goodstanding.store import Store

ACCOUNTS, DAYS, RUNS = 2_000, 30, 5
DAY = 86400.0


def _signed_in(app: object, token: str) -> TestClient:
    client = TestClient(app)  # type: ignore[arg-type]
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/sign-in").text)
    assert csrf is not None
    client.post("/sign-in", data={"token": token, "csrf": csrf[1]})
    return client


def _median_ms(client: TestClient, path: str) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        answer = client.get(path)
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, (path, answer.status_code)
    return statistics.median(times) * 1000


def measure(url: str, conditions: str) -> None:
    """Prints the render time of each console page over the database at `url`."""
    app = create_app(url)
    store: Store = app.state.service.store
    policies = app.state.service.policies
    first = review_queue(store, policies, 1)[0]
    busiest = store.execute_sql(
        "SELECT account_id FROM ledger GROUP BY account_id ORDER BY COUNT(*) DESC LIMIT 1"
    )[0][0]
    biggest = store.execute_sql("SELECT id FROM groups ORDER BY members DESC, id LIMIT 1")[0][0]
    low, high = store.execute_sql("SELECT MIN(at), MAX(at) FROM events")[0]
    period = f"from={_day(low)}&to={_day(high + DAY)}"
    content, rule, author = first["content"], first["rule"], first["author"]
    oldest, newest = policies.versions[0].version, policies.versions[-1].version
    now = time.time()
    moderator = _signed_in(
        app, create_token(store.engine, "moderator", "m0001", None, "bench", now)[1]
    )
    auditor = _signed_in(app, create_token(store.engine, "auditor", None, None, "bench", now)[1])
    member = _signed_in(app, create_token(store.engine, "member", busiest, None, "bench", now)[1])
    pages = [
        (moderator, "/dashboard", "/dashboard"),
        (moderator, "/queue", "/queue"),
        (moderator, "/review", f"/review?content={quote(content)}&rule={quote(rule)}"),
        (moderator, f"/accounts/{author}", f"/accounts/{quote(author)}"),
        (moderator, f"/accounts/{busiest} (the busiest)", f"/accounts/{quote(busiest)}"),
        (moderator, "/appeals", "/appeals"),
        (member, "/me (the busiest account)", "/me"),
        (moderator, "/policy", "/policy"),
        (moderator, f"/policy/versions/{newest}", f"/policy/versions/{quote(newest)}"),
        (moderator, "/policy/diff", f"/policy/diff?old={quote(oldest)}&new={quote(newest)}"),
        (moderator, "/whatif", "/whatif"),
        (moderator, f"/whatif?start={newest}", f"/whatif?start={quote(newest)}"),
        (moderator, "/search/accounts (by band)", "/search/accounts?band=restricted"),
        (moderator, "/search/accounts (by rule)", f"/search/accounts?rule={quote(rule)}"),
        (moderator, "/search/content (newest)", "/search/content"),
        (moderator, "/search/content (by rule)", f"/search/content?rule={quote(rule)}"),
        (moderator, "/groups", "/groups"),
        (moderator, f"/groups/{biggest}", f"/groups/{quote(biggest)}"),
        (auditor, "/records", "/records"),
        (moderator, "/transparency (the whole log)", f"/transparency?{period}"),
    ]
    for client, shown, path in pages:
        report(f"console page {shown}", _median_ms(client, path), "ms", conditions)


def _day(epoch: float) -> str:
    """The UTC date of an epoch time, YYYY-MM-DD."""
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


def main(argv: list[str] | None = None) -> None:
    """Measures the given database (`--db URL`) or a fresh sim's."""
    args = argv or []
    if args[:1] == ["--db"] and len(args) == 2:
        measure(args[1], f"median of {RUNS}, {args[1].rsplit('/', 1)[-1]}")
        return
    if args:
        raise SystemExit("usage: python -m bench console [--db URL]")
    throwaway_keys()
    stream = sim_stream(ACCOUNTS, DAYS)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/console.db"
        store = Store.open(url)
        note(f"ingesting {stream.name}")
        with stream.open("rb") as lines:
            Ingestor(store, load_policies(store)).ingest(lines)
        store.close()
        measure(url, f"median of {RUNS}, sim {ACCOUNTS:,} accounts x {DAYS} days, SQLite")


if __name__ == "__main__":
    main(sys.argv[1:])
