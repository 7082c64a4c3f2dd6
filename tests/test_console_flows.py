"""The console's flows in a real browser against a real server: working the review queue
(claim, decide, next) by mouse and by keyboard alone, two moderators never holding the same
item, a decision showing on the account page, a member appealing it and another moderator
reversing it, a member kept to their own account, and hostile text rendered inert."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from console_fixtures import Site, serious_violations, sign_in

PHISHING = "您的银行卡已冻结，请立即验证您的账户：secure-login-bank.example"  # noqa: RUF001


def _item_of(url: str) -> tuple[str, str] | None:
    """The (content, rule) of a review page's address, None for another page."""
    found = re.search(r"/review\?content=([^&]+)&rule=([^&]+)", url)
    return (unquote_plus(found[1]), unquote_plus(found[2])) if found else None


def _item(page: Any) -> tuple[str, str]:
    """The (content, rule) of the review page shown."""
    found = _item_of(page.url)
    assert found, page.url
    return found


def test_two_moderators_never_hold_the_same_item(browser: Any, console_site: Site) -> None:
    first, second = (browser.new_context(base_url=console_site.url) for _ in range(2))
    try:
        one, two = first.new_page(), second.new_page()
        sign_in(one, console_site.token("moderator", "m0001"))
        sign_in(two, console_site.token("moderator", "m0002"))
        one.goto("/queue")
        one.get_by_role("button", name="Claim the next item").click()
        held = _item(one)
        two.goto("/queue")
        row = two.get_by_role("row").filter(has_text=held[0]).filter(has_text=held[1])
        assert "held by m0001" in row.inner_text()
        two.goto(f"/review?content={held[0]}&rule={held[1]}")
        assert "Held by m0001" in two.get_by_role("alert").inner_text()
        assert two.get_by_role("button", name=re.compile("^Violates")).count() == 0
        two.goto("/queue")
        two.get_by_role("button", name="Claim the next item").click()
        assert _item(two) != held
    finally:
        first.close()
        second.close()


def test_the_review_flow_works_from_the_keyboard_alone(page: Any, console_site: Site) -> None:
    sign_in(page, console_site.token("moderator", "m0002"))
    page.goto("/queue")
    page.keyboard.press("j")
    page.wait_for_url(re.compile(r"/review\?"))
    first = _item(page)
    page.keyboard.press("n")
    page.wait_for_url(lambda url: _item_of(url) not in (None, first))
    assert _item(page) != first
    assert first not in {(i["content"], i["rule"]) for i in console_site.queue()}


def test_a_decision_then_its_appeal_reversed_end_to_end(browser: Any, console_site: Site) -> None:
    contexts = [browser.new_context(base_url=console_site.url) for _ in range(3)]
    try:
        deciding, member, appeals = (c.new_page() for c in contexts)
        sign_in(deciding, console_site.token("moderator", "m0001"))
        deciding.goto("/queue?kind_filter=post")
        deciding.get_by_role("button", name="Claim the next item").click()
        content, rule = _item(deciding)
        author = deciding.locator("#author-h + p a").first.inner_text()
        deciding.get_by_role("button", name=f"Violates {rule}").click()
        deciding.wait_for_url(lambda url: _item_of(url) != (content, rule))
        deciding.goto(f"/accounts/{author}")
        explanation = deciding.locator("section", has=deciding.locator("#explain-h"))
        assert explanation.get_by_role("row").filter(has_text=content).count() >= 1

        sign_in(member, console_site.token("member", author))
        assert member.url.endswith("/me")
        form = member.locator("form", has_text=content)
        form.get_by_label("Why the decision is wrong").fill("It was a joke between friends.")
        form.get_by_role("button", name="Appeal this decision").click()
        assert "waiting for a moderator" in member.locator("#appeals").inner_text()

        deciding.goto("/appeals")
        case = deciding.locator("section", has_text=content)
        assert "You took this decision" in case.inner_text()
        assert case.get_by_role("button", name="Reverse the decision").count() == 0

        sign_in(appeals, console_site.token("moderator", "m0002"))
        appeals.goto("/appeals")
        case = appeals.locator("section", has_text=content)
        case.get_by_role("button", name="Reverse the decision").click()
        assert "decided: reversed" in appeals.get_by_role("status").inner_text()
        appeals.get_by_role("status").get_by_role("link").click()
        assert "the decision was reversed" in appeals.locator("#appeals").inner_text()
        reversal = appeals.locator("section", has=appeals.locator("#explain-h"))
        assert reversal.get_by_role("row").filter(has_text="appeal_reversed").count() >= 1

        member.goto("/me")
        assert "reversed: the decision was withdrawn" in member.locator("#appeals").inner_text()
    finally:
        for context in contexts:
            context.close()


def test_a_member_reaches_only_their_own_account(page: Any, console_site: Site) -> None:
    sign_in(page, console_site.token("member", "a000001"))
    answer = page.goto("/accounts/a000002")
    assert answer is not None and answer.status == 404
    assert page.get_by_role("alert").inner_text() == "No account 'a000002'."
    assert page.goto("/accounts/no-such-one").status == 404
    page.goto("/accounts/a000001")
    assert page.url.endswith("/me")
    assert page.goto("/queue").status == 403


def test_hostile_text_and_ids_render_inert(page: Any, console_site: Site) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    author = 'x"><img/src=x/onerror=window.__xss=1>'
    content = "c<script>window.__xss=1</script>"
    text = (
        f'<script>window.__xss=1</script> <a href="javascript:window.__xss=1">win</a> '
        f"\u202etxt.exe {PHISHING}"
    )
    console_site.post_events(
        [
            {
                "type": "account.registered",
                "id": f"xss-r-{time.time()}",
                "at": now,
                "actor": author,
            },
            {
                "type": "content.posted",
                "id": f"xss-p-{time.time()}",
                "at": now,
                "actor": author,
                "content_id": content,
                "kind": "post",
                "text": text,
            },
        ],
    )
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, console_site.token("moderator", "m0001"))
    page.goto("/queue")
    page.get_by_role("link", name=content).click()
    assert content in page.title()
    shown = page.locator("#item-text .content-text")
    assert "<script>window.__xss=1</script>" in shown.inner_text()
    assert shown.evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"
    _assert_inert(page)
    page.get_by_role("link", name=author).first.click()
    assert author in page.title()
    page.get_by_label("New note (seen by moderators only)").fill(
        '<script>window.__xss=1</script><a href="javascript:window.__xss=1">note</a>'
    )
    page.get_by_role("button", name="Add the note").click()
    assert "<script>window.__xss=1</script>" in page.locator("#notes").inner_text()
    _assert_inert(page)
    assert dialogs == []


def _assert_inert(page: Any) -> None:
    """No script ran, and the page holds no script, image or javascript: link but its own."""
    assert page.evaluate("window.__xss") is None
    scripts = page.locator("script").evaluate_all("s => s.map(e => e.src)")
    assert all(src.endswith("/static/console.js") for src in scripts)
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("img").count() == 0


def test_axe_finds_no_serious_problem_on_any_page(page: Any, console_site: Site) -> None:
    item = console_site.queue()[0]
    pages = {
        ("moderator", "m0002"): [
            "/dashboard",
            "/queue",
            f"/review?content={item['content']}&rule={item['rule']}",
            f"/accounts/{item['author']}",
            "/appeals",
            "/accounts/no-such-account",
        ],
        ("auditor", None): ["/dashboard"],
        ("member", item["author"]): ["/me"],
        ("platform", None): ["/start"],
    }
    found: dict[str, list[str]] = {}
    page.goto("/sign-in")
    found["/sign-in"] = serious_violations(page)
    for (role, account), paths in pages.items():
        page.context.clear_cookies()
        sign_in(page, console_site.token(role, account))
        for path in paths:
            page.goto(path)
            found[f"{role} {path}"] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
