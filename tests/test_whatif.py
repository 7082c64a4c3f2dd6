"""What-if: a draft policy tried on the live log. Nothing is recorded or published (the
policies table, the projections and the log are byte-identical afterwards, on SQLite and
PostgreSQL); the difference it reports is what recording the draft and replaying would do;
changed rules are judged against reviewed history."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select
from sqlalchemy import text as sql
from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.pipeline import Ingestor, load_policies, replay
from goodstanding.pipeline.whatif import drill_down, what_if
from goodstanding.policy import PolicyError
from goodstanding.queries.outcomes import outcomes, sanctions
from goodstanding.store import ChainError, Store
from goodstanding.store import schema as tables
from helpers import POLICY_V1, line
from streams import Stream, ingest_lines, streams

T0 = "2026-01-02T00:00:00Z"
DRAFT_FROM = "2026-01-01T12:00:00Z"
runner = CliRunner()


def draft(
    folder: Path, *changes: tuple[str, str], version: str = "t1-draft", starts: str = DRAFT_FROM
) -> Path:
    """The test policy as another version from `starts`, with text replacements."""
    text = POLICY_V1.read_text()
    text = text.replace('version = "t1"', f'version = "{version}"', 1)
    text = text.replace("effective_from = 2026-01-01T00:00:00Z", f"effective_from = {starts}", 1)
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / f"{version}.toml"
    path.write_text(text)
    return path


COSTLY_POSTS = ("post = 1.0", "post = -15.0")
"""A draft that differs only in a scoring weight: each post costs 15 points."""
INSULT_TERMS = (
    'severity = "medium"\neffective_from = 2026-01-01T00:00:00Z\n',
    'severity = "medium"\neffective_from = 2026-01-01T00:00:00Z\n'
    '[[rules.detectors]]\nkind = "terms"\nterms = ["dimwit"]\noutcome = "queue"\n',
)
"""A draft whose insults rule gains a term detector."""


def community() -> list[bytes]:
    """Members who post (two of them twice, one an insult), a moderator who reviews two
    of the insults (one violates, one is clear) and upholds a spam report."""
    out = [line("account.registered", T0, f"m{i}", id=f"r{i}") for i in range(1, 5)]
    out.append(line("account.registered", T0, "mod", role="moderator", id="rmod"))
    posts = [("m1", "hello"), ("m1", "you dimwit"), ("m2", "dimwit again"), ("m3", "hi")]
    posts += [("m2", "cheap watches"), ("m4", "a dimwit idea")]
    for n, (actor, text) in enumerate(posts, start=1):
        at = f"2026-01-02T{n:02d}:00:00Z"
        out.append(
            line(
                "content.posted", at, actor, id=f"p{n}", content_id=f"c{n}", kind="post", text=text
            )
        )
    reviews = [("c2", "harassment.insults", "violates"), ("c3", "harassment.insults", "clear")]
    reviews.append(("c5", "spam.bulk", "violates"))
    for n, (content, rule, verdict) in enumerate(reviews, start=1):
        at = f"2026-01-02T1{n}:00:00Z"
        out.append(
            line(
                "review.decided",
                at,
                "mod",
                id=f"d{n}",
                content_id=content,
                rule=rule,
                verdict=verdict,
            )
        )
    return out


def ingested(url: str) -> Store:
    store = Store.open(url)
    Ingestor(store, load_policies(store, [str(POLICY_V1)])).ingest(community())
    return store


def published(store: Store) -> tuple[list[object], list[object], str]:
    """What a what-if must leave as it was: the policies table, the log and the projections."""
    with store.engine.connect() as conn:
        policies = list(conn.execute(select(tables.policies)).all())
        log = list(conn.execute(select(tables.events).order_by(tables.events.c.seq)).all())
    return policies, log, store.digest()


def test_a_what_if_publishes_nothing(db_url: str, tmp_path: Path) -> None:
    store = ingested(db_url)
    before = published(store)
    result = what_if(
        store,
        [
            draft(tmp_path, COSTLY_POSTS),
            draft(tmp_path, INSULT_TERMS, version="t1-b", starts="2026-01-02T10:00:00Z"),
        ],
    )
    assert result.changes, "costly posts move bands"
    assert published(store) == before
    assert [p.version for p in load_policies(store).versions] == ["t1"]


def test_the_difference_is_what_recording_the_draft_and_replaying_would_give(
    tmp_path: Path,
) -> None:
    store = ingested(f"sqlite:///{tmp_path}/live.db")
    store.close()
    shutil.copy(tmp_path / "live.db", tmp_path / "real.db")
    live = Store.open(f"sqlite:///{tmp_path}/live.db")
    path = draft(tmp_path, COSTLY_POSTS)
    result = what_if(live, [path])
    real = Store.open(f"sqlite:///{tmp_path}/real.db")
    replay(real, load_policies(real, [str(path)]))
    was, now = outcomes(live), outcomes(real)
    differing = {
        a
        for a in was.keys() | now.keys()
        if (was[a].band, was[a].strikes, was[a].sanctions)
        != (now[a].band, now[a].strikes, now[a].sanctions)
    }
    assert {c.account_id for c in result.changes} == differing != set()
    for change in result.changes:
        assert change.before == was[change.account_id]
        assert change.after == now[change.account_id]
    transitions = {(was[a].band, now[a].band) for a in differing if was[a].band != now[a].band}
    assert set(result.transitions) == transitions
    old, new = sanctions(live), sanctions(real)
    assert {s.key for s in result.appearing} == new.keys() - old.keys()
    assert {s.key for s in result.disappearing} == old.keys() - new.keys()


def test_a_changed_rule_is_judged_against_reviewed_history(tmp_path: Path) -> None:
    store = ingested(f"sqlite:///{tmp_path}/gs.db")
    result = what_if(store, [draft(tmp_path, INSULT_TERMS)])
    [rule] = result.rules
    assert (rule.rule_id, rule.change, rule.version) == (
        "harassment.insults",
        "changed",
        "t1-draft",
    )
    # c2, c3 and c6 say "dimwit"; c2 was decided as violating, c3 as clear, c6 not reviewed
    assert (rule.flagged, rule.reviewed, rule.violating) == (3, 2, 1)
    assert rule.precision == 0.5
    assert result.as_dict()["rules"][0]["precision"] == 0.5


def test_a_draft_that_only_changes_a_weight_changes_no_rule(tmp_path: Path) -> None:
    store = ingested(f"sqlite:///{tmp_path}/gs.db")
    assert what_if(store, [draft(tmp_path, COSTLY_POSTS)]).rules == []


def test_the_drill_down_shows_one_account_before_and_after(tmp_path: Path) -> None:
    store = ingested(f"sqlite:///{tmp_path}/gs.db")
    result = what_if(store, [draft(tmp_path, COSTLY_POSTS)])
    m1 = drill_down(result, "m1")
    assert m1 is not None
    # 50 + 2 posts - 10 for the upheld insult; under the draft 50 - 2 x 15 - 10
    assert m1["before"]["band"] == "member" and m1["after"]["band"] == "restricted"
    before = {line["reason"]: line for line in m1["ledger_before"]}
    after = {line["reason"]: line for line in m1["ledger_after"]}
    assert before["post"]["entries"] == after["post"]["entries"] == 2
    assert after["post"]["total"] == -30.0
    assert before["violation"] == after["violation"]
    assert drill_down(result, "mod") is None


def test_a_bad_draft_is_refused_naming_it_and_nothing_is_recorded(tmp_path: Path) -> None:
    store = ingested(f"sqlite:///{tmp_path}/gs.db")
    before = published(store)
    bad = draft(tmp_path, ("half_life_days = 30.0", "half_life_days = -1.0"))
    with pytest.raises(PolicyError, match=r"t1-draft\.toml"):
        what_if(store, [bad])
    with pytest.raises(PolicyError, match="needs a draft"):
        what_if(store, [])
    assert published(store) == before


def test_the_command_prints_the_summary_and_the_top_accounts(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/gs.db"
    ingested(db).close()
    path = str(draft(tmp_path, COSTLY_POSTS))
    shown = runner.invoke(
        app, ["--db", db, "replay", "--what-if", "--policy", path, "--limit", "1"]
    )
    assert shown.exit_code == 0, shown.output
    assert "t1-draft (replacing t1)" in shown.output
    assert "nothing was recorded" in shown.output
    assert "band member -> limited" in shown.output
    assert "more (--limit)" in shown.output
    as_json = runner.invoke(app, ["--db", db, "replay", "--what-if", "--policy", path, "--json"])
    data = json.loads(as_json.stdout)
    assert data["accounts_changed"] == len(data["changes"]) > 1
    assert data["drafts"] == [{"version": "t1-draft", "replaces": "t1"}]
    refused = runner.invoke(app, ["--db", db, "replay", "--what-if"])
    assert refused.exit_code == 2
    assert "needs at least one --policy" in refused.output
    store = Store.open(db)
    assert [p.version for p in load_policies(store).versions] == ["t1"]


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams())
def test_trying_the_recorded_version_itself_changes_nothing(stream: Stream) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ingest_lines(Path(tmp) / "gs.db", stream.lines())
        store = Store.open(f"sqlite:///{tmp}/gs.db")
        before = published(store)
        result = what_if(store, [POLICY_V1])
        assert result.drafts == {"t1": "t1"}
        assert (result.changes, result.appearing, result.disappearing, result.rules) == (
            [],
            [],
            [],
            [],
        )
        assert published(store) == before


LOW_START = ("start = 50.0", "start = 30.0")
"""A draft under which members start in the limited band, which may not create groups."""
A_GROUP = [
    line("group.created", "2026-01-02T20:00:00Z", "m1", id="gc", group_id="g1", name="hikers"),
    line("group.joined", "2026-01-02T20:01:00Z", "m2", id="gj", group_id="g1"),
    line("group.joined", "2026-01-02T20:02:00Z", "m3", id="gk", group_id="g1"),
    line(
        "content.posted",
        "2026-01-02T20:03:00Z",
        "m3",
        id="pz",
        content_id="c9",
        kind="post",
        text="hi",
    ),
]
"""m1 creates a group (allowed under t1) that m2 and m3 join; then m3 posts."""


def grouped(url: str) -> Store:
    """The community with a group that a member at the draft's lower start could not create."""
    store = ingested(url)
    Ingestor(store, load_policies(store)).ingest(A_GROUP)
    return store


def test_events_the_draft_would_refuse_are_a_result_not_a_broken_chain(
    db_url: str, tmp_path: Path
) -> None:
    store = grouped(db_url)
    before = published(store)
    result = what_if(store, [draft(tmp_path, LOW_START)])
    assert result.refused.count == 2, "under the draft m1's group is never created"
    assert [(r.event_id, r.type) for r in result.refused.first] == [
        ("gj", "group.joined"),
        ("gk", "group.joined"),
    ]
    assert all("g1" in r.reason for r in result.refused.first), result.refused.first
    assert result.events == len(before[1]), "the rest of the log is replayed"
    assert result.as_dict()["refused"]["events"] == 2
    assert published(store) == before


def test_a_plain_replay_still_refuses_a_log_it_cannot_replay(tmp_path: Path) -> None:
    store = grouped(f"sqlite:///{tmp_path}/gs.db")
    with pytest.raises(ChainError, match="cannot be replayed"):
        replay(store, load_policies(store, [str(draft(tmp_path, LOW_START))]))


def test_a_what_if_over_a_broken_chain_is_still_a_broken_chain(tmp_path: Path) -> None:
    store = grouped(f"sqlite:///{tmp_path}/gs.db")
    with store.engine.begin() as conn:
        conn.execute(sql("UPDATE events SET actor = 'm9' WHERE seq = 7"))
    with pytest.raises(ChainError, match=r"entry 7.*replay refused"):
        what_if(store, [draft(tmp_path, LOW_START)])


def test_the_command_lists_the_events_the_draft_would_refuse(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/gs.db"
    grouped(db).close()
    path = str(draft(tmp_path, LOW_START))
    shown = runner.invoke(app, ["--db", db, "replay", "--what-if", "--policy", path])
    assert shown.exit_code == 0, shown.output
    assert "hash chain" not in shown.output
    assert "2 logged events would have been refused" in shown.output
    assert "gj (group.joined)" in shown.output and "gk (group.joined)" in shown.output
    as_json = runner.invoke(app, ["--db", db, "replay", "--what-if", "--policy", path, "--json"])
    assert as_json.exit_code == 0, as_json.output
    refused = json.loads(as_json.stdout)["refused"]
    assert refused["events"] == 2
    assert [r["event_id"] for r in refused["first"]] == ["gj", "gk"]
