"""Fixtures of the console's browser tests: a small sim database, a real `goodstanding serve`
process over it on a free port, and one headless chromium (Debian's, never a download) for
the whole session. Loaded by conftest.py as a plugin.

Without chromium the browser tests skip, except where the environment sets CI: there they
fail, so a missing browser never passes unnoticed. GOODSTANDING_TEST_CHROMIUM names another
chromium binary."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.queries.moderation import review_queue
from goodstanding.service.tokens import create_token
from goodstanding.sim import SimConfig, write_jsonl
from goodstanding.store import Store

CHROMIUM = Path(os.environ.get("GOODSTANDING_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
CLI = "import sys; from goodstanding.cli import app; sys.argv[0] = 'goodstanding'; app()"
SIM_ACCOUNTS, SIM_DAYS = 150, 10
AXE = "/static/vendor/axe.min.js"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Site:
    """A running console: its URL, its database, and tokens made on demand."""

    url: str
    db: str
    tokens: dict[tuple[str, str | None], str] = field(default_factory=dict)

    def token(self, role: str, account: str | None = None) -> str:
        """A token of this role (for this account), made once."""
        key = (role, account)
        if key not in self.tokens:
            store = Store.open(self.db)
            try:
                self.tokens[key] = create_token(
                    store.engine, role, account, None, "browser test", time.time()
                )[1]
            finally:
                store.close()
        return self.tokens[key]

    def post_events(self, events: list[dict[str, Any]]) -> None:
        """Sends events to the running service's API as the platform (strict: all or none)."""
        request = urllib.request.Request(
            f"{self.url}/v1/events?strict=true",
            data=b"\n".join(json.dumps(e).encode() for e in events),
            headers={
                "Authorization": f"Bearer {self.token('platform')}",
                "Content-Type": "application/x-ndjson",
            },
        )
        with urllib.request.urlopen(request) as answer:
            assert answer.status == 200

    def add_group(self, owner: str, group_id: str, name: str) -> str:
        """Makes a group owned by `owner` now (the sim has none); its id."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        made = {"type": "group.created", "id": f"group-{group_id}-{time.time()}", "at": now}
        self.post_events([{**made, "actor": owner, "group_id": group_id, "name": name}])
        return group_id

    def queue(self) -> list[dict[str, Any]]:
        """The open review items, highest priority first, as the store holds them now."""
        store = Store.open(self.db)
        try:
            return review_queue(store, load_policies(store), 500)
        finally:
            store.close()


@contextmanager
def serving(folder: Path) -> Iterator[Site]:
    """A console served by a real `goodstanding serve` process over a 150-account sim made
    in `folder`, stopped on leaving."""
    db = f"sqlite:///{folder / 'gs.db'}"
    stream = folder / "sim.jsonl"
    write_jsonl(SimConfig(accounts=SIM_ACCOUNTS, days=SIM_DAYS, seed=3), stream)
    store = Store.open(db)
    try:
        with stream.open("rb") as lines:
            report = Ingestor(store, load_policies(store)).ingest(lines)
        assert not report.errors, report.errors[:3]
    finally:
        store.close()
    port = _free_port()
    log = (folder / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-c", CLI, "--db", db, "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}/sign-in", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, (folder / "serve.log").read_text()
                time.sleep(0.1)
        yield Site(url, db)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless, through Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def console_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A console served by a real process over a small sim, for the whole session."""
    with serving(tmp_path_factory.mktemp("console")) as site:
        yield site


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the session."""
    if not CHROMIUM.exists():
        message = f"no chromium at {CHROMIUM}: the browser tests need Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any, console_site: Site) -> Iterator[Any]:
    """A fresh browser context (no cookies) with one page on the console."""
    context = browser.new_context(base_url=console_site.url)
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


def sign_in(page: Any, token: str) -> None:
    """Signs in through the form, as a person would."""
    page.goto("/sign-in")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


SOFTER = ("low = -4.0", "low = -0.5")
"""A what-if draft's edit: upheld low-severity violations cost half a point, not four."""


def run_a_whatif(page: Any) -> str:
    """On a signed-in page: copies the recorded version into a what-if draft, softens a
    penalty, runs it and waits for the result; the run's address."""
    page.goto("/whatif")
    page.get_by_role("button", name="Copy it into the draft").click()
    draft = page.get_by_label("Policy TOML")
    assert SOFTER[0] in draft.input_value(), "the recorded version's text is in the draft"
    # typing 100 KB into the field would take long: the edit is made in place
    draft.evaluate("(area, [old, now]) => { area.value = area.value.replace(old, now) }", SOFTER)
    assert SOFTER[1] in draft.input_value()
    page.get_by_role("button", name="Run the what-if").click()
    page.wait_for_url(re.compile(r"/whatif/runs/"))
    page.get_by_text("Nothing was recorded").wait_for(timeout=240_000)
    url: str = page.url
    return url


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    page.add_script_tag(url=AXE)
    found = page.evaluate("async () => (await axe.run()).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
