"""Writes a PNG of each console page: `python tests/console_screenshots.py [FOLDER]` (what
`make screenshots` runs; FOLDER defaults to var/screenshots). It serves the console over a
small sim, as the browser tests do (with throwaway keys), signs in as each role, works one
review item, runs one what-if and prints the files it wrote."""

from __future__ import annotations

import base64
import os
import re
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

from console_fixtures import Site, chromium, run_a_whatif, serving, sign_in

VIEWPORT = {"width": 1280, "height": 900}


def _shoot(page: Any, folder: Path, name: str, path: str | None = None) -> Path:
    if path is not None:
        page.goto(path)
    target = folder / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def screenshots(site: Site, browser: Any, folder: Path) -> list[Path]:
    """Signs in as each role on a running console and shoots each page into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    context = browser.new_context(base_url=site.url, viewport=VIEWPORT)
    page = context.new_page()
    written.append(_shoot(page, folder, "sign-in", "/sign-in"))
    sign_in(page, site.token("moderator", "m0001"))
    written.append(_shoot(page, folder, "dashboard"))
    written.append(_shoot(page, folder, "queue", "/queue"))
    page.get_by_role("button", name="Claim the next item").click()
    written.append(_shoot(page, folder, "review-item"))
    found = re.search(r"content=([^&]+)", page.url)
    author = page.locator("#author-h + p a").first.inner_text()
    page.get_by_role("button", name=re.compile("^Violates")).click()
    written.append(_shoot(page, folder, "account", f"/accounts/{author}"))
    written.append(_shoot(page, folder, "appeals", "/appeals"))
    written += _second_half(page, site, folder)
    context.close()
    member = browser.new_context(base_url=site.url, viewport=VIEWPORT)
    page = member.new_page()
    sign_in(page, site.token("member", author))
    written.append(_shoot(page, folder, "my-standing"))
    member.close()
    assert found, "a review item was shown"
    return written


def _second_half(page: Any, site: Site, folder: Path) -> list[Path]:
    """As the signed-in moderator, then as an auditor: policy, what-if (a run of the recorded
    version with a softer penalty, to its result and one account), search, groups, records
    and the transparency report."""
    group = site.add_group("a000003", "g-hikers", "Hikers")
    shots = [_shoot(page, folder, "policy", "/policy")]
    recorded = page.locator("main table a").last.inner_text()
    shots += [
        _shoot(page, folder, "policy-version", f"/policy/versions/{recorded}"),
        _shoot(page, folder, "policy-diff", f"/policy/diff?old={recorded}&new={recorded}"),
        _shoot(page, folder, "whatif", f"/whatif?start={recorded}"),
    ]
    run_a_whatif(page)
    shots.append(_shoot(page, folder, "whatif-run"))
    page.get_by_role("table").filter(has_text="Band under the draft").get_by_role(
        "link"
    ).first.click()
    shots.append(_shoot(page, folder, "whatif-account"))
    shots += [
        _shoot(page, folder, "search-accounts", "/search/accounts?band=member"),
        _shoot(page, folder, "search-content", "/search/content"),
        _shoot(page, folder, "groups", "/groups"),
        _shoot(page, folder, "group", f"/groups/{group}"),
    ]
    page.context.clear_cookies()
    sign_in(page, site.token("auditor"))
    shots.append(_shoot(page, folder, "records", "/records"))
    shots.append(
        _shoot(page, folder, "transparency", "/transparency?from=2026-01-01&to=2027-01-01")
    )
    return shots


def main(argv: list[str]) -> None:
    """Serves a throwaway console and writes the screenshots."""
    folder = Path(argv[0] if argv else "var/screenshots")
    os.environ.setdefault(
        "GOODSTANDING_IDENTITY_KEYS", "k1:" + base64.b64encode(secrets.token_bytes(32)).decode()
    )
    os.environ.setdefault(
        "GOODSTANDING_RECORDS_MASTER_KEY", base64.b64encode(secrets.token_bytes(32)).decode()
    )
    with (
        tempfile.TemporaryDirectory() as scratch,
        serving(Path(scratch)) as site,
        chromium() as browser,
    ):
        for path in screenshots(site, browser, folder):
            print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
