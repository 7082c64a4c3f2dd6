"""Due process as the people involved meet it: statements of reasons the DSA Transparency
Database accepts, notices in an outbox the platform reads and acknowledges, and the
transparency report."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from stdnum.cn import ric
from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.dueprocess.collect import decisions, statements_of_reasons
from goodstanding.dueprocess.sor import EU_EEA, batches, problems, puid, statement
from goodstanding.pipeline import Ingestor, load_policies, replay
from goodstanding.store import Store, verify
from helpers import DATA, POLICY_V1, line

runner = CliRunner()
EXAMPLES = DATA / "dsa"
DETECTORS = {
    "spam.bulk": ("buy now", "hide"),
    "harassment.insults": ("idiot", "label"),
    "threat.violence": ("i will hurt you", "automatic"),
}
TEXTS = {
    "c1": "buy now, cheapest watches",
    "c2": "you idiot",
    "c3": "hello all",
    "c4": "i will hurt you",
    "c5": "i will hurt you, again",
}
NUMBER_BODY = "11010119900307123"
NUMBER = NUMBER_BODY + ric.calc_check_digit(NUMBER_BODY + "0")


def gs(db: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == code, result.output
    return result.output


def policy_with_detectors(folder: Path) -> Path:
    """The round-number test policy, with a detector of each outcome and a trusted flagger."""
    text = POLICY_V1.read_text()
    for rule, (term, outcome) in DETECTORS.items():
        marker = f'id = "{rule}"\n'
        head, rest = text.split(marker)
        block, tail = rest.split("\n[[rules]]", 1) if "\n[[rules]]" in rest else (rest, None)
        block = (
            block.rstrip()
            + f'\n\n[[rules.detectors]]\nkind = "terms"\nterms = ["{term}"]\n'
            + f'outcome = "{outcome}"\n'
        )
        text = head + marker + block + ("\n[[rules]]" + tail if tail is not None else "")
    path = folder / "policy.toml"
    path.write_text(text + '\n[detection]\ntrusted_flaggers = ["tf"]\n')
    return path


def event(id_: str, type_: str, at: str, actor: str, **fields: Any) -> bytes:
    return json.dumps({"id": id_, "type": type_, "at": at, "actor": actor, **fields}).encode()


def every_kind_of_decision() -> list[bytes]:
    """One person's path through every decision the engine takes: content hidden, labelled,
    removed by a moderator and automatically; a warning, a restriction, a suspension and a
    ban; group administration withdrawn; an identity refused; an appeal that reverses."""
    day = "2026-01-02T"
    lines = [
        event(f"r-{who}", "account.registered", f"{day}00:00:00Z", who, **extra)
        for who, extra in [
            ("alice", {}),
            ("bob", {}),
            ("tf", {}),
            ("mod", {"role": "moderator"}),
            ("mod2", {"role": "moderator"}),
        ]
    ]
    lines += [
        event(
            "s1",
            "identity.submitted",
            f"{day}00:01:00Z",
            "alice",
            account="alice",
            kind="cn.ric",
            value=NUMBER,
        ),
        event(
            "v1",
            "identity.verified",
            f"{day}00:02:00Z",
            "mod",
            account="alice",
            submission="s1",
            method="document",
        ),
        event("g", "group.created", f"{day}00:03:00Z", "alice", group_id="g1", name="Hikers"),
        event("gj", "group.joined", f"{day}00:04:00Z", "bob", group_id="g1"),
    ]
    for hour, cid in enumerate(TEXTS, start=1):
        lines.append(
            event(
                f"p-{cid}",
                "content.posted",
                f"{day}{hour:02d}:00:00Z",
                "alice",
                content_id=cid,
                kind="post",
                text=TEXTS[cid],
            )
        )
        if cid == "c2":
            lines.append(
                event(
                    "rep-tf",
                    "content.reported",
                    f"{day}{hour:02d}:10:00Z",
                    "tf",
                    content_id="c2",
                    rule="harassment.insults",
                )
            )
        if cid == "c3":
            lines.append(
                event(
                    "rep-bob",
                    "content.reported",
                    f"{day}{hour:02d}:10:00Z",
                    "bob",
                    content_id="c3",
                    rule="spam.bulk",
                )
            )
        if cid in ("c1", "c2", "c3"):
            verdict = "clear" if cid == "c3" else "violates"
            rule = {"c1": "spam.bulk", "c2": "harassment.insults", "c3": "spam.bulk"}[cid]
            lines.append(
                event(
                    f"d-{cid}",
                    "review.decided",
                    f"{day}{hour:02d}:30:00Z",
                    "mod",
                    content_id=cid,
                    rule=rule,
                    verdict=verdict,
                )
            )
    lines += [
        event(
            "r-alice2",
            "account.registered",
            "2026-01-20T00:00:00Z",
            "alice2",
            identity={"kind": "cn.ric", "value": f"{NUMBER[:6]} {NUMBER[6:]}".lower()},
        ),
        event(
            "ap-f",
            "appeal.filed",
            "2026-01-21T00:00:00Z",
            "alice",
            appeal_id="ap1",
            decision_id="d-c1",
            reason="it was a joke",
        ),
        event(
            "ap-d",
            "appeal.decided",
            "2026-01-23T00:00:00Z",
            "mod2",
            appeal_id="ap1",
            outcome="reversed",
        ),
    ]
    return lines


@pytest.fixture
def person(tmp_path: Path, db_url: str) -> Iterator[tuple[str, Store]]:
    """One person's path through every kind of decision, on SQLite and on PostgreSQL."""
    db = db_url
    store = Store.open(db)
    policies = load_policies(store, [str(policy_with_detectors(tmp_path))])
    report = Ingestor(store, policies).ingest(every_kind_of_decision())
    assert not report.errors, report.errors
    yield db, store
    store.close()


def kinds(statements: list[dict[str, Any]]) -> set[str]:
    return {
        s["decision_account"] or s["decision_provision"] or s["decision_visibility"][0]
        for s in statements
    }


def test_every_kind_of_decision_gets_a_valid_statement(person: tuple[str, Store]) -> None:
    _, store = person
    items = statements_of_reasons(store, load_policies(store), -math.inf, math.inf)
    assert kinds(items) == {
        "DECISION_VISIBILITY_CONTENT_DISABLED",
        "DECISION_VISIBILITY_CONTENT_LABELLED",
        "DECISION_VISIBILITY_CONTENT_REMOVED",
        "DECISION_PROVISION_PARTIAL_SUSPENSION",
        "DECISION_ACCOUNT_SUSPENDED",
        "DECISION_ACCOUNT_TERMINATED",
        "DECISION_PROVISION_TOTAL_SUSPENSION",
    }
    for item in items:
        assert problems(item) == [], item
        assert item["content_date"] <= item["application_date"]
    automated = [s for s in items if s["automated_decision"] == "AUTOMATED_DECISION_FULLY"]
    assert any(
        s["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"] for s in automated
    )  # the automatic rule's removal says so
    trusted = [s for s in items if s["source_type"] == "SOURCE_TRUSTED_FLAGGER"]
    assert trusted and all(
        "harassment.insults" in s["incompatible_content_ground"] for s in trusted
    )
    suspension = next(s for s in items if s["decision_account"] == "DECISION_ACCOUNT_SUSPENDED")
    assert suspension["end_date_account_restriction"] > suspension["application_date"]


def test_statements_carry_no_personal_data(person: tuple[str, Store]) -> None:
    _, store = person
    text = json.dumps(statements_of_reasons(store, load_policies(store), -math.inf, math.inf))
    for secret in ["alice", "bob", "tf", "mod2", "g1", *TEXTS, *TEXTS.values(), NUMBER[:10]]:
        assert not re.search(rf"\b{re.escape(secret)}\b", text), secret


def test_every_decision_names_its_rule_and_how_to_appeal(person: tuple[str, Store]) -> None:
    _, store = person
    policies = load_policies(store)
    made = list(decisions(store, policies, -math.inf, math.inf))
    warning = next(d for d in made if d.action == "warning")
    assert warning.ground.startswith("spam.bulk") and warning.appeal_ref == "d-c1"
    suspension = next(d for d in made if d.action == "suspension")
    assert "threat.violence" in suspension.ground
    refused = next(d for d in made if d.action == "identity_refused")
    assert refused.account_id == "alice2" and refused.appeal_ref is not None


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_the_databases_examples_are_judged_as_named(path: Path) -> None:
    found = problems(json.loads(path.read_text()))
    assert (found == []) == path.name.startswith("valid_"), found


def test_batches_refuse_repeated_puids_and_hold_at_most_100(person: tuple[str, Store]) -> None:
    _, store = person
    first = statements_of_reasons(store, load_policies(store), -math.inf, math.inf)[0]
    many = [{**first, "puid": puid(f"ref-{i}")} for i in range(250)]
    assert [len(b) for b in batches(many)] == [100, 100, 50]
    with pytest.raises(ValueError, match="already submitted"):
        list(batches([first, dict(first)]))
    with pytest.raises(ValueError, match="already submitted"):
        list(batches([first], seen={first["puid"]}))  # sent in an earlier export
    broken = {**first, "application_date": "2026-01-02T10:00:00Z"}
    with pytest.raises(ValueError, match="application_date"):
        list(batches([broken]))


def test_a_statement_ending_before_it_applies_is_refused(person: tuple[str, Store]) -> None:
    _, store = person
    made = list(decisions(store, load_policies(store), -math.inf, math.inf))
    suspension = next(d for d in made if d.action == "suspension")
    item = statement(suspension, EU_EEA)
    item["end_date_account_restriction"] = "2020-01-01"
    assert problems(item) == ["end_date_account_restriction: ends before application_date"]


def test_export_sor_writes_json_lines_or_nothing(person: tuple[str, Store], tmp_path: Path) -> None:
    db, _ = person
    target = tmp_path / "sor.jsonl"
    period = ["--from", "2026-01-01T00:00:00Z", "--to", "2026-02-01T00:00:00Z", "--by", "op"]
    assert "statements of reasons" in gs(db, "export", "sor", *period, "--out", str(target))
    lines = target.read_text().splitlines()
    assert lines and all(problems(json.loads(x)) == [] for x in lines)
    earlier = ["--from", "2025-01-01T00:00:00Z", "--to", "2026-01-01T00:00:00Z"]
    empty = tmp_path / "empty.jsonl"
    gs(db, "export", "sor", *earlier, "--by", "op", "--out", str(empty))
    assert empty.read_text() == ""
    refused = tmp_path / "refused.jsonl"
    output = gs(db, "export", "sor", *period, "--scope", "DE,XX", "--out", str(refused), code=2)
    assert "nothing written" in output and "territorial_scope" in output
    assert not refused.exists()
    missing = tmp_path / "no" / "such" / "folder" / "sor.jsonl"
    assert "cannot write" in gs(db, "export", "sor", *period, "--out", str(missing), code=2)
    assert "is not after" in gs(
        db,
        "export",
        "sor",
        "--from",
        "2026-02-01T00:00:00Z",
        "--to",
        "2026-01-01T00:00:00Z",
        "--by",
        "op",
        code=2,
    )


def test_notices_are_listed_acknowledged_and_survive_replay(person: tuple[str, Store]) -> None:
    db, store = person
    pending = json.loads(gs(db, "notices", "list", "--account", "alice", "--json"))
    subjects = {n["subject"] for n in pending}
    assert {
        "Your content was hidden until a moderator reviews it",
        "Your content was labelled",
        "Your content was removed",
        "You received a warning",
        "Your account was suspended",
        "Your account was closed",
        "Your group administration rights were suspended",
        "Your appeal was received",
        "Your appeal was decided",
        "A sanction on your account was lifted",
        "Your content is shown again",
    } <= subjects
    assert all(n["account_id"] == "alice" for n in pending)
    # c3 was reported and found clear without ever being labelled: nothing to undo, no notice
    assert not any("c3" in n["body"] for n in pending)
    restored = [n for n in pending if n["subject"] == "Your content is shown again"]
    assert [("c1" in n["body"], "On appeal" in n["body"]) for n in restored] == [(True, True)]
    warning = next(n for n in pending if n["subject"] == "You received a warning")
    assert "spam.bulk" in warning["body"] and "naming decision d-c1" in warning["body"]
    others = json.loads(gs(db, "notices", "list", "--account", "alice2", "--json"))
    assert [n["subject"] for n in others] == ["A registration with your identity was refused"]

    ids = [n["id"] for n in pending[:3]]
    assert "acknowledged 3 notice(s)" in gs(db, "notices", "ack", *ids, "--by", "mailer")
    assert "already acknowledged" in gs(db, "notices", "ack", ids[0], "--by", "mailer")
    assert "no notice 'labels:0:0'" in gs(
        db, "notices", "ack", pending[3]["id"], "labels:0:0", "--by", "mailer", code=2
    )
    left = json.loads(gs(db, "notices", "list", "--account", "alice", "--json"))
    assert [n["id"] for n in left] == [n["id"] for n in pending[3:]]  # nothing half-written

    replay(store, load_policies(store))
    after = json.loads(gs(db, "notices", "list", "--account", "alice", "--all", "--json"))
    assert [n["id"] for n in after] == [n["id"] for n in pending]
    assert [n["acked_by"] for n in after[:3]] == ["mailer"] * 3
    audit = store.execute_sql("SELECT actor FROM audit_log WHERE type = 'notices.ack'")
    assert audit == [("mailer",)]
    assert verify(store).ok


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_transparency_report(person: tuple[str, Store], tmp_path: Path) -> None:
    db, _ = person
    period = ["--from", "2026-01-01T00:00:00Z", "--to", "2026-02-01T00:00:00Z"]
    data = json.loads(gs(db, "report", "transparency", *period))
    assert data["notices"] == {
        "received": 2,
        "from_trusted_flaggers": 1,
        "by_category": {
            "STATEMENT_CATEGORY_CYBER_VIOLENCE": 1,
            "STATEMENT_CATEGORY_SCAMS_AND_FRAUD": 1,
        },
    }
    assert data["appeals"] == {
        "filed": 1,
        "decided": 1,
        "upheld": 0,
        "reversed": 1,
        "median_seconds_to_decide": 2 * 86400.0,
    }
    assert data["account_sanctions"]["bans"] == 1
    assert data["account_sanctions"]["suspensions"] == 1
    decided = data["decisions"]
    assert decided["warnings"] == 2  # a second kind of violation is warned first too
    assert decided["by_action"]["removed"] == 3
    assert sum(decided["by_automation"].values()) == decided["total"]
    # c1, c2 flagged on posting and decided 30 min later; c3 reported at :10, cleared at :30
    assert decided["median_seconds_to_decision"] == 30 * 60

    page_file = tmp_path / "report.html"
    gs(db, "report", "transparency", *period, "--format", "html", "--out", str(page_file))
    page = page_file.read_text()
    assert "<script" not in page.lower() and "http" not in page.lower()
    parsed = _Page()
    parsed.feed(page)
    assert parsed.tags.count("svg") >= 4 and "rect" in parsed.tags
    words = " ".join(parsed.text)
    assert "Transparency report" in words and "Scams and fraud" in words
    assert "Decision reversed" in words
    assert "--format is json or html" in gs(
        db, "report", "transparency", *period, "--format", "pdf", code=2
    )


CHROMIUM = shutil.which("chromium")
BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (.ci/run installs it)")
def test_the_report_page_renders_in_a_browser(person: tuple[str, Store], tmp_path: Path) -> None:
    db, _ = person
    page_file = tmp_path / "report.html"
    gs(
        db,
        "report",
        "transparency",
        "--from",
        "2026-01-01T00:00:00Z",
        "--to",
        "2026-02-01T00:00:00Z",
        "--format",
        "html",
        "--out",
        str(page_file),
    )
    shown = subprocess.run(
        [
            str(CHROMIUM),
            *BROWSER_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page_file.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "<h1>Transparency report of goodstanding</h1>" in shown
    assert shown.count("<svg") >= 4 and "Account closed" in shown
    assert "2026-01-01 00:00 UTC to 2026-02-01 00:00 UTC" in shown


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("sim")
    db = f"sqlite:///{folder / 'gs.db'}"
    stream = folder / "sim.jsonl"
    gs(db, "sim", "--accounts", "600", "--days", "30", "--seed", "5", "--out", str(stream))
    gs(db, "ingest", str(stream))
    return db


def test_every_statement_for_the_simulated_community_validates(simulated: str) -> None:
    store = Store.open(simulated)
    try:
        items = statements_of_reasons(store, load_policies(store), -math.inf, math.inf)
    finally:
        store.close()
    assert len(items) > 50
    assert {"DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_ACCOUNT_SUSPENDED"} <= kinds(items)
    assert len({s["puid"] for s in items}) == len(items)
    assert all(problems(s) == [] for s in items)


def test_own_data_export_lists_identity_fingerprints_never_values(
    person: tuple[str, Store], tmp_path: Path
) -> None:
    db, _ = person
    target = tmp_path / "alice.json"
    gs(db, "export", "account", "alice", "--out", str(target))
    data = json.loads(target.read_text())
    verified = [i for i in data["identities"] if i["status"] == "verified"]
    assert [i["kind"] for i in verified] == ["cn.ric"] and verified[0]["fingerprint"]
    assert any(i["status"] == "blocked" for i in data["identities"])  # the ban blocked it
    text = target.read_text()
    assert NUMBER[:-1] not in text and "alice2" not in text


def test_a_moderators_direct_sanction_is_stated_as_a_decision_by_a_person(db_url: str) -> None:
    store = Store.open(db_url)
    lines = [
        line("account.registered", "2026-01-02T00:00:00Z", "a1"),
        line("account.registered", "2026-01-02T00:00:00Z", "mod", role="moderator"),
        line(
            "account.sanctioned",
            "2026-01-03T00:00:00Z",
            "mod",
            id="s1",
            account="a1",
            action="suspension",
            days=3,
            rule="spam.bulk",
            note="Forty identical messages to new members.",
        ),
    ]
    assert not Ingestor(store, load_policies(store)).ingest(lines).errors
    (item,) = statements_of_reasons(store, load_policies(store), -math.inf, math.inf)
    assert item["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert item["automated_detection"] == "No"
    assert "Forty identical messages to new members." in item["decision_facts"]
    assert "ladder set this step after upheld violations" not in item["decision_facts"]
    store.close()
