"""The console's second half in a real browser: a what-if started from a recorded version,
edited, run in the background and read to its drill-down; every menu entry of a moderator
and an auditor opening its page; a member kept from every staff page; and axe-core finding
no serious or critical problem on any second-half page."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from console_fixtures import Site, run_a_whatif, serious_violations, sign_in

STAFF_PAGES = ["/policy", "/whatif", "/groups", "/transparency"]
MODERATOR_PAGES = ["/search/accounts", "/search/content"]


def test_a_whatif_from_a_recorded_version_to_its_drill_down(page: Any, console_site: Site) -> None:
    sign_in(page, console_site.token("auditor"))
    run = run_a_whatif(page)
    assert page.get_by_role("heading", name="Band changes").count() == 1
    assert page.get_by_role("heading", name=re.compile("^Sanctions that would appear")).count()
    changed = page.get_by_role("table").filter(has_text="Band under the draft")
    first = changed.get_by_role("link").first
    account = first.inner_text()
    first.click()
    assert page.get_by_role("heading", level=1).inner_text().endswith(f"account {account}")
    assert page.get_by_role("heading", name="Ledger under the draft").count() == 1
    assert serious_violations(page) == []
    page.goto(run)
    assert serious_violations(page) == []


def test_each_menu_entry_opens_its_page(page: Any, console_site: Site) -> None:
    for role, account in (("moderator", "m0001"), ("auditor", None)):
        page.context.clear_cookies()
        sign_in(page, console_site.token(role, account))
        menu = page.get_by_role("navigation", name="Main")
        for label in menu.get_by_role("link").all_inner_texts():
            menu.get_by_role("link", name=label, exact=True).click()
            page.wait_for_load_state()
            assert page.get_by_role("heading", level=1).count() == 1, (role, label)
            assert page.get_by_role("alert").count() == 0, (role, label)


def test_a_member_reaches_no_staff_page(page: Any, console_site: Site) -> None:
    sign_in(page, console_site.token("member", "a000001"))
    for path in [*STAFF_PAGES, *MODERATOR_PAGES, "/records", "/policy/versions/2026.1"]:
        answer = page.goto(path)
        assert answer is not None and answer.status == 403, path
        assert "cannot open this page" in page.get_by_role("alert").inner_text()
    assert page.goto("/accounts/a000002").status == 404


def test_axe_finds_no_serious_problem_on_any_second_half_page(
    page: Any, console_site: Site
) -> None:
    item = console_site.queue()[0]
    rule, version = quote(item["rule"]), "2026.1"
    pages = {
        ("moderator", "m0002"): [
            "/policy",
            f"/policy/versions/{version}",
            f"/policy/diff?old={version}&new={version}",
            "/whatif",
            f"/whatif?start={version}",
            "/search/accounts",
            "/search/accounts?band=member&score_min=0",
            "/search/content",
            f"/search/content?rule={rule}",
            "/groups",
            f"/groups/{quote(console_site.add_group('a000003', 'g-axe', 'Axe club'))}",
            "/transparency",
            "/transparency?from=2020-01-01&to=2030-01-01",
        ],
        ("auditor", None): [f"/policy/versions/{version}", "/records", "/groups?prefix=g"],
        ("member", item["author"]): ["/policy"],
    }
    found: dict[str, list[str]] = {}
    for (role, account), paths in pages.items():
        page.context.clear_cookies()
        sign_in(page, console_site.token(role, account))
        for path in paths:
            page.goto(path)
            found[f"{role} {path}"] = serious_violations(page)
    page.goto("/whatif")  # as the auditor: a draft that does not load, shown again
    page.context.clear_cookies()
    sign_in(page, console_site.token("auditor"))
    page.goto("/whatif")
    page.get_by_label("Policy TOML").fill("version = ")
    page.get_by_role("button", name="Run the what-if").click()
    assert page.get_by_role("alert").count() == 1
    found["auditor /whatif (a draft that does not load)"] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
