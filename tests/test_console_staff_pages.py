"""The console's second half through the app over a real store (no browser): policy versions,
their rules and the diff between two; a what-if run in the background that shows band
changes, sanctions appearing and disappearing, precision and a drill-down while writing
nothing live; search of accounts and content; groups; records (auditors only, every export
audited with its reason); the transparency report from the command line's template; and
each of these pages kept from the roles that may not open them."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.policy import DEFAULT_POLICY
from goodstanding.queries.audit import audit_entries
from goodstanding.records.holds import place_hold
from goodstanding.service import backend
from goodstanding.store import Store
from helpers import POLICY_V1, line
from service_helpers import Api, make_api, signed_in
from test_whatif import COSTLY_POSTS, INSULT_TERMS, LOW_START, community, draft, published

AUTOMATIC_INSULTS = (
    INSULT_TERMS[0],
    INSULT_TERMS[1].replace('outcome = "queue"', 'outcome = "automatic"'),
)
"""The insults rule gains a term detector that upholds on its own."""
LATE_SPAM = (
    'severity = "low"\neffective_from = 2026-01-01T00:00:00Z',
    'severity = "low"\neffective_from = 2026-02-01T00:00:00Z',
)
"""The spam rule takes effect after the history, so its upheld review no longer counts."""
GROUP_CHAT = [
    line("group.created", "2026-01-02T20:00:00Z", "mod", id="g", group_id="g1", name="hikers"),
    line("group.joined", "2026-01-02T20:01:00Z", "m2", id="gj", group_id="g1"),
    line(
        "content.posted",
        "2026-01-02T20:02:00Z",
        "m2",
        id="gm",
        content_id="msg1",
        kind="message",
        group_id="g1",
        text="meet at the mill at nine",
    ),
]
SERVICE = "Hillside <Forum>"

STAFF_PAGES = [
    "/policy",
    "/policy/versions/t1",
    "/policy/diff?old=t1&new=t2",
    "/whatif",
    "/groups",
    "/groups/g1",
    "/transparency",
]
MODERATOR_PAGES = ["/search/accounts", "/search/content"]
AUDITOR_PAGES = ["/records"]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The app over a small community judged by version t1, with a later version t2 (the
    insults rule gains a term detector) recorded, and a group chat."""
    folder = tmp_path_factory.mktemp("staff")
    url = f"sqlite:///{folder / 'gs.db'}"
    later = draft(folder, INSULT_TERMS, version="t2", starts="2026-03-01T00:00:00Z")
    store = Store.open(url)
    try:
        policies = load_policies(store, [str(POLICY_V1), str(later)])
        report = Ingestor(store, policies).ingest([*community(), *GROUP_CHAT])
        assert not report.errors, report.errors
        place_hold(store.engine, "group", "g1", "litigation <hold>", "legal", time.time())
    finally:
        store.close()
    yield make_api(url, seed=False)


@pytest.fixture(scope="module")
def moderator(api: Api) -> tuple[TestClient, str]:
    return signed_in(api, "moderator")


@pytest.fixture(scope="module")
def auditor(api: Api) -> tuple[TestClient, str]:
    return signed_in(api, "auditor")


def _store(api: Api) -> Store:
    store: Store = api.client.app.state.service.store  # type: ignore[attr-defined]
    return store


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        ("member", STAFF_PAGES + MODERATOR_PAGES + AUDITOR_PAGES),
        ("platform", STAFF_PAGES + MODERATOR_PAGES + AUDITOR_PAGES),
        ("moderator", AUDITOR_PAGES),
        ("auditor", MODERATOR_PAGES),
    ],
)
def test_each_page_is_kept_from_the_roles_that_may_not_open_it(
    api: Api, role: str, paths: list[str]
) -> None:
    client, csrf = signed_in(api, role)
    assert {p: client.get(p).status_code for p in paths} == dict.fromkeys(paths, 403)
    export = {"group": "g1", "start": "2026-01-01", "end": "2026-02-01", "reason": "x"}
    if role != "auditor":
        assert client.post("/records/export", data={**export, "csrf": csrf}).status_code == 403
    new_run = client.post("/whatif", data={"draft": "x", "csrf": csrf})
    assert new_run.status_code == (422 if role in ("moderator", "auditor") else 403)


@pytest.mark.parametrize("role", ["moderator", "auditor"])
def test_staff_open_every_page_of_theirs(api: Api, role: str) -> None:
    client, _ = signed_in(api, role)
    own = STAFF_PAGES + (MODERATOR_PAGES if role == "moderator" else AUDITOR_PAGES)
    assert {p: client.get(p).status_code for p in own} == dict.fromkeys(own, 200)


def test_the_policy_pages_list_versions_show_rules_and_compare_two(
    moderator: tuple[TestClient, str], auditor: tuple[TestClient, str]
) -> None:
    client, _ = moderator
    listed = client.get("/policy").text
    assert 'href="/policy/versions/t1"' in listed and 'href="/policy/versions/t2"' in listed
    assert listed.count("in force</td>") == 1
    rules = client.get("/policy/versions/t2").text
    assert "harassment.insults" in rules and "Do not insult or demean other members" in rules
    assert "dimwit" in rules, "a moderator sees example terms"
    audited = auditor[0].get("/policy/versions/t2").text
    assert "harassment.insults" in audited and "dimwit" not in audited, "an auditor: counts"
    diff = client.get("/policy/diff", params={"old": "t1", "new": "t2"}).text
    changed = diff.split("<h2>Rules changed</h2>", 1)[1].split("<h2>", 1)[0]
    assert "harassment.insults" in changed and "dimwit" not in diff
    assert client.get("/policy/versions/nope").status_code == 404
    assert client.get("/policy/diff", params={"old": "t1", "new": "nope"}).status_code == 404


def _finished(client: TestClient, run: str) -> str:
    """The run's page once the run has finished."""
    for _ in range(600):
        shown = client.get(run).text
        if "Running:" not in shown:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{run} did not finish")


def test_a_whatif_runs_in_the_background_and_writes_nothing_live(
    api: Api, moderator: tuple[TestClient, str], tmp_path: Path
) -> None:
    client, csrf = moderator
    before = published(_store(api))
    recorded = client.get("/whatif", params={"start": "t1"}).text
    assert "version = &#34;t1&#34;" in recorded or 'version = "t1"' in recorded
    text = draft(tmp_path, COSTLY_POSTS, AUTOMATIC_INSULTS, LATE_SPAM, version="t1").read_text()
    started = client.post("/whatif", data={"draft": text, "csrf": csrf}, follow_redirects=False)
    assert started.status_code == 303
    run = started.headers["location"]
    shown = _finished(client, run)
    assert "Nothing was recorded" in shown and "replaces recorded version <bdi>t1</bdi>" in shown
    bands = shown.split('id="bands-h"', 1)[1].split("</table>", 1)[0]
    assert "<td>member</td><td>restricted</td>" in bands
    assert "Sanctions that would appear (3)" in shown
    assert "Sanctions that would disappear (2)" in shown
    rules = shown.split('id="rules-h"', 1)[1].split("</table>", 1)[0]
    assert "harassment.insults" in rules and "50%" in rules, "1 of 2 reviewed upheld"
    drill = re.search(r'href="(/whatif/runs/[^"]+/accounts/m4)"', shown)
    assert drill, "each changed account links to its drill-down"
    account = client.get(drill[1]).text
    assert "Ledger now" in account and "Ledger under the draft" in account
    assert client.get(f"{run}/accounts/mod").status_code == 404, "the draft leaves mod as it is"
    assert client.get("/whatif/runs/no-such-run").status_code == 404
    upload = {"upload": ("costly.toml", text.encode(), "text/plain")}
    again = client.post("/whatif", data={"csrf": csrf}, files=upload, follow_redirects=False)
    assert "Sanctions that would appear (3)" in _finished(client, again.headers["location"])
    assert published(_store(api)) == before, "the log, policies and projections are unchanged"
    assert [p.version for p in load_policies(_store(api)).versions] == ["t1", "t2"]


def test_a_whatif_run_lists_the_logged_events_the_draft_would_refuse(
    moderator: tuple[TestClient, str], tmp_path: Path
) -> None:
    client, csrf = moderator
    text = draft(tmp_path, LOW_START, version="t1").read_text()
    started = client.post("/whatif", data={"draft": text, "csrf": csrf}, follow_redirects=False)
    shown = _finished(client, started.headers["location"])
    assert "hash chain" not in shown and "Nothing was recorded" in shown
    refused = shown.split('id="refused-h"', 1)[1].split("</table>", 1)[0]
    assert "Logged events the draft would refuse (2)" in shown, "the group is never created"
    assert "<bdi>gj</bdi></td><td>group.joined</td>" in refused
    assert "<bdi>gm</bdi></td><td>content.posted</td>" in refused


def test_a_draft_that_does_not_load_is_shown_again_with_its_line(
    moderator: tuple[TestClient, str],
) -> None:
    client, csrf = moderator
    text = POLICY_V1.read_text().replace("strikes = 2", "strikes = 0", 1)
    answer = client.post("/whatif", data={"draft": text, "csrf": csrf})
    assert answer.status_code == 422
    assert re.search(r"draft\.toml</bdi>, line \d+", answer.text), answer.text
    assert "strikes = 0" in answer.text, "the draft is shown again to be corrected"
    assert client.post("/whatif", data={"draft": text}).status_code == 403, "no CSRF field"


def test_search_finds_accounts_and_content_by_their_filters(
    moderator: tuple[TestClient, str],
) -> None:
    client, _ = moderator

    def ids(path: str, **query: str) -> list[str]:
        page = client.get(path, params=query).text
        return re.findall(r'<a href="/(?:accounts|review)[^"]*"><bdi>([^<]+)</bdi></a>', page)

    assert ids("/search/accounts", prefix="m") == ["m1", "m2", "m3", "m4", "mod"]
    assert ids("/search/accounts", rule="harassment.insults") == ["m1"]
    assert ids("/search/accounts", rule="spam.bulk", prefix="m1") == []
    found = client.get("/search/content", params={"rule": "harassment.insults"}).text
    assert "c2" in found and "c3" in found and "c5" not in found
    cleared = client.get("/search/content", params={"label": "cleared"}).text
    assert "c3" in cleared and "c2" not in cleared


def test_groups_list_and_show_one_group(auditor: tuple[TestClient, str]) -> None:
    client, _ = auditor
    assert 'href="/groups/g1"' in client.get("/groups").text
    group = client.get("/groups/g1").text
    assert "hikers" in group and "mod" in group and "m2" in group
    assert client.get("/groups/nope").status_code == 404


def test_an_auditor_export_needs_a_reason_and_is_audited(
    api: Api, auditor: tuple[TestClient, str]
) -> None:
    client, csrf = auditor
    holds = client.get("/records").text
    assert "litigation &lt;hold&gt;" in holds and "active" in holds
    audited = len(audit_entries(_store(api), 0, 1000))
    form = {"group": "g1", "start": "2026-01-01", "end": "2026-02-01", "csrf": csrf}
    refused = client.post("/records/export", data=form)
    assert refused.status_code == 422 and "Nothing was exported" in refused.text
    assert len(audit_entries(_store(api), 0, 1000)) == audited
    exported = client.post("/records/export", data={**form, "reason": "court order 7"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    [record] = [json.loads(x) for x in exported.text.splitlines()]
    assert record["text"] == "meet at the mill at nine"
    entries = audit_entries(_store(api), 0, 1000)
    assert len(entries) == audited + 1
    assert "court order 7" in json.dumps(entries[-1])
    assert "console" in json.dumps(entries[-1])


def test_the_transparency_report_is_the_command_lines_page_naming_service_and_period(
    api: Api, moderator: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOODSTANDING_SERVICE_NAME", SERVICE)
    client, _ = moderator
    shown = client.get("/transparency", params={"from": "2026-01-01", "to": "2026-02-01"})
    assert shown.status_code == 200
    assert "Transparency report of Hillside &lt;Forum&gt;" in shown.text
    assert "Period: 2026-01-01 00:00 UTC to 2026-02-01 00:00 UTC." in shown.text
    generated = re.search(r"Generated (\d{4}-\d\d-\d\d \d\d:\d\d) UTC", shown.text)
    assert generated, shown.text
    svc = api.client.app.state.service  # type: ignore[attr-defined]
    start, end = 1767225600.0, 1769904000.0  # 2026-01-01, 2026-02-01
    report = backend.transparency(svc.store, svc.policies, start, end)
    at = time.mktime(time.strptime(generated[1], "%Y-%m-%d %H:%M")) - time.timezone
    assert backend.transparency_html(report, at, standalone=False) in shown.text
    backwards = client.get("/transparency", params={"from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 422


def test_a_draft_copied_from_the_default_policy_loads_with_its_term_lists() -> None:
    assert backend.check_policy_draft(DEFAULT_POLICY.read_text(), "copied.toml") == []
