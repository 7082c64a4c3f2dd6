"""Builders shared by the service's tests: an app over a fresh store, a token per role, and a
browser-like client signed in to the console."""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from goodstanding.service.app import create_app
from goodstanding.service.context import Limits
from goodstanding.service.tokens import create_token
from helpers import line

SEED = [
    line("account.registered", "2026-01-02T00:00:00Z", "m1"),
    line("account.registered", "2026-01-02T00:00:00Z", "m2"),
    line("account.registered", "2026-01-02T00:00:00Z", "mod", role="moderator"),
    line(
        "content.posted",
        "2026-01-03T00:00:00Z",
        "m1",
        content_id="c1",
        kind="post",
        text="hello there, neighbours",
    ),
]


@dataclass
class Api:
    """A test client and a token for each role."""

    client: TestClient
    tokens: dict[str, str]

    def as_(self, role: str) -> dict[str, str]:
        """The headers of a request made with the given role's token."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def make_api(
    url: str, limits: Limits | None = None, seed: bool = True, checkpoints: Path | None = None
) -> Api:
    """An app over `url` with tokens for platform, moderator (mod), auditor and member (m1),
    publishing checkpoints from `checkpoints` (default: a new empty folder)."""
    folder = checkpoints or Path(tempfile.mkdtemp(prefix="gs-checkpoints-"))
    app = create_app(url, limits, folder)
    engine = app.state.service.store.engine
    now = time.time()
    accounts = {"platform": None, "moderator": "mod", "auditor": None, "member": "m1"}
    tokens = {
        role: create_token(engine, role, account, None, "test", now)[1]
        for role, account in accounts.items()
    }
    api = Api(TestClient(app), tokens)
    if seed:
        response = api.client.post(
            "/v1/events",
            content=b"\n".join(SEED),
            headers={**api.as_("platform"), "Content-Type": "application/x-ndjson"},
        )
        assert response.status_code == 200, response.text
    return api


def csrf_of(html: str) -> str:
    """The CSRF secret a console page's forms carry."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found[1]


def signed_in(api: Api, role: str) -> tuple[TestClient, str]:
    """A browser-like client signed in to the console with the role's token, and its
    session's CSRF secret."""
    client = TestClient(api.client.app)
    form = client.get("/sign-in")
    answer = client.post(
        "/sign-in",
        data={"token": api.tokens[role], "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return client, csrf_of(client.get("/start").text)
