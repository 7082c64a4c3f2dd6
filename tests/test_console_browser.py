"""The console in a real browser: signing in as each role, what each role's menu offers, a
form without its CSRF field refused; and, under CI, a missing chromium failing the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from console_fixtures import Site, sign_in


@pytest.mark.parametrize(
    ("role", "account", "lands", "menu"),
    [
        (
            "moderator",
            "m0001",
            "/dashboard",
            [
                "Dashboard",
                "Review queue",
                "Appeals",
                "Search",
                "Policy",
                "What-if",
                "Groups",
                "Transparency",
            ],
        ),
        (
            "auditor",
            None,
            "/dashboard",
            ["Dashboard", "Policy", "What-if", "Groups", "Records", "Transparency"],
        ),
        ("member", "a000001", "/me", ["My standing"]),
        ("platform", None, "/start", []),
    ],
)
def test_each_role_signs_in_and_sees_its_menu(
    page: Any, console_site: Site, role: str, account: str | None, lands: str, menu: list[str]
) -> None:
    sign_in(page, console_site.token(role, account))
    assert page.url.endswith(lands)
    links = page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()
    assert links == menu
    page.get_by_role("button", name="Sign out").click()
    assert "/sign-in" in page.url
    page.goto(lands)
    assert "/sign-in" in page.url, "signed out: the page asks to sign in again"


def test_a_wrong_token_is_refused_on_the_form(page: Any) -> None:
    sign_in(page, "gs_0000_not-a-token")
    assert page.get_by_role("alert").inner_text() == "Cannot sign in: the token is not known."


def test_the_session_cookie_is_http_only_and_strict(page: Any, console_site: Site) -> None:
    sign_in(page, console_site.token("auditor"))
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["gs_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert console_site.token("auditor") not in session["value"]
    assert page.evaluate("document.cookie") == ""


def test_a_form_without_its_csrf_secret_is_refused(page: Any, console_site: Site) -> None:
    sign_in(page, console_site.token("auditor"))
    page.locator("form.signout input[name=csrf]").evaluate("input => input.value = 'forged'")
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Cannot show this page"
    assert "did not come from this console" in page.get_by_role("alert").inner_text()


def test_without_chromium_the_browser_tests_fail_under_ci(tmp_path: Path) -> None:
    env = {**os.environ, "CI": "1", "GOODSTANDING_TEST_CHROMIUM": str(tmp_path / "none")}
    one = f"{__file__}::test_a_wrong_token_is_refused_on_the_form"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", one, "-p", "no:cacheprovider", "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0, done.stdout
    assert "no chromium at" in done.stdout
