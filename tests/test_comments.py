"""Owners vet the comments under their posts: modes, the owner's queue, approvals and
rejections, and what the owner answers for when a comment is upheld as violating."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.engine import Engine, LedgerEntry, Rejected
from goodstanding.engine.effects import CommentReviewed
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.store import Store
from helpers import POLICY_V1, community, engine, ev

T = "2026-01-02T01:00:00Z"
COMMENTS = """
[comments]
default_mode = "{mode}"
approved_violating = -2.0
labelled_visible = -1.0
labelled_visible_hours = 12
"""


def policy_file(folder: Path, mode: str = "open") -> Path:
    """The test policy with a detector on insults (queued, so the comment stays visible)."""
    text = POLICY_V1.read_text()
    marker = 'id = "harassment.insults"'
    head, rest = text.split(marker)
    block, tail = rest.split("\n[[rules]]", 1)
    block = block.rstrip() + '\n\n[[rules.detectors]]\nkind = "terms"\nterms = ["idiot"]\n'
    block += 'outcome = "queue"\n'
    path = folder / "policy.toml"
    path.write_text(head + marker + block + "\n[[rules]]" + tail + COMMENTS.format(mode=mode))
    return path


def engine_for(tmp_path: Path, mode: str = "open") -> Engine:
    eng = engine(policy_file(tmp_path, mode))
    community(eng, members=3)
    eng.apply(ev("content.posted", T, "m1", content_id="p1", kind="post", text="my trip"))
    return eng


def comment(eng: Engine, cid: str, text: str, by: str = "m2", at: str = T) -> list:
    return eng.apply(
        ev("content.posted", at, by, content_id=cid, kind="comment", parent_id="p1", text=text)
    )


def reviewed(effects: list) -> list[tuple[str, str]]:
    return [(e.content_id, e.status) for e in effects if isinstance(e, CommentReviewed)]


def upheld(eng: Engine, cid: str, at: str) -> list:
    return eng.apply(
        ev(
            "review.decided",
            at,
            "mod",
            id=f"d-{cid}",
            content_id=cid,
            rule="harassment.insults",
            verdict="violates",
        )
    )


def owner_entries(effects: list) -> list[LedgerEntry]:
    return [e for e in effects if isinstance(e, LedgerEntry) and e.account_id == "m1"]


def test_modes_decide_what_waits_for_the_owner(tmp_path: Path) -> None:
    eng = engine_for(tmp_path, mode="hold_flagged")
    assert reviewed(comment(eng, "c1", "nice photos")) == []
    assert reviewed(comment(eng, "c2", "what an idiot")) == [("c2", "held")]
    assert eng.state.contents["c1"].visible and not eng.state.contents["c2"].visible
    assert reviewed(comment(eng, "c3", "my own idiot joke", by="m1")) == []  # owner's own
    eng.apply(ev("comment.mode_set", T, "m1", content_id="p1", mode="hold_all"))
    assert reviewed(comment(eng, "c4", "nice photos")) == [("c4", "held")]
    eng.apply(ev("comment.mode_set", T, "m1", content_id="p1", mode="open"))
    # open: a flagged comment shows, and goes to the owner's queue as labelled
    assert reviewed(comment(eng, "c5", "idiot")) == [("c5", "labelled")]
    assert eng.state.contents["c5"].visible


def test_account_mode_applies_to_posts_without_their_own(tmp_path: Path) -> None:
    eng = engine_for(tmp_path)
    eng.apply(ev("comment.mode_set", T, "m1", mode="hold_all"))
    assert reviewed(comment(eng, "c1", "hello")) == [("c1", "held")]
    with pytest.raises(Rejected, match="only the author sets the comment mode"):
        eng.apply(ev("comment.mode_set", T, "m2", content_id="p1", mode="open"))


def test_owner_approves_or_rejects_and_nobody_else(tmp_path: Path) -> None:
    eng = engine_for(tmp_path, mode="hold_all")
    comment(eng, "c1", "hello")
    comment(eng, "c2", "spam spam")
    with pytest.raises(Rejected, match=r"only its owner \('m1'\)"):
        eng.apply(ev("comment.approved", T, "m3", content_id="c1"))
    with pytest.raises(Rejected, match="is not a comment"):
        eng.apply(ev("comment.approved", T, "m1", content_id="p1"))
    assert reviewed(eng.apply(ev("comment.approved", T, "m1", content_id="c1"))) == [
        ("c1", "approved")
    ]
    assert eng.state.contents["c1"].visible
    with pytest.raises(Rejected, match="not waiting for approval"):
        eng.apply(ev("comment.approved", T, "m1", content_id="c1"))
    eng.apply(ev("comment.rejected", T, "m1", content_id="c2", note="off topic"))
    assert not eng.state.contents["c2"].visible
    assert not [e for e in eng.state.accounts["m2"].strikes]  # an owner's choice: no strike
    with pytest.raises(Rejected, match="already rejected"):
        eng.apply(ev("comment.rejected", T, "m1", content_id="c2"))


def test_an_owner_who_approved_a_violating_comment_answers_for_it(tmp_path: Path) -> None:
    eng = engine_for(tmp_path, mode="hold_flagged")
    comment(eng, "c1", "you idiot")
    eng.apply(ev("comment.approved", "2026-01-02T02:00:00Z", "m1", content_id="c1"))
    entries = owner_entries(upheld(eng, "c1", "2026-01-02T03:00:00Z"))
    assert [(e.delta, e.reason, e.rule_id) for e in entries] == [
        (-2.0, "approved_violating_comment", "harassment.insults")
    ]
    assert entries[0].evidence == ("c1", "d-c1")


def test_labelled_comments_left_visible_past_the_limit(tmp_path: Path) -> None:
    eng = engine_for(tmp_path)
    comment(eng, "c1", "idiot", at="2026-01-02T01:00:00Z")
    comment(eng, "c2", "idiot", at="2026-01-02T01:00:00Z")
    comment(eng, "c3", "idiot", at="2026-01-02T01:00:00Z")
    eng.apply(ev("comment.rejected", "2026-01-02T05:00:00Z", "m1", content_id="c3"))
    # within the 12 hours the policy allows: nothing for the owner
    assert owner_entries(upheld(eng, "c1", "2026-01-02T13:00:00Z")) == []
    late = owner_entries(upheld(eng, "c2", "2026-01-02T13:00:01Z"))
    assert [(e.delta, e.reason) for e in late] == [(-1.0, "left_labelled_comment_visible")]
    assert "12 hours" in (late[0].note or "")
    # the owner who rejected it is not held to anything
    assert owner_entries(upheld(eng, "c3", "2026-01-09T00:00:00Z")) == []


def test_a_reversed_decision_cancels_the_owners_entry(tmp_path: Path) -> None:
    def owner_score(decided: bool) -> float:
        eng = engine_for(tmp_path, mode="hold_all")
        eng.apply(ev("account.registered", T, "mod2", role="moderator"))
        comment(eng, "c1", "you idiot")
        eng.apply(ev("comment.approved", T, "m1", content_id="c1"))
        if decided:
            upheld(eng, "c1", "2026-01-02T03:00:00Z")
            eng.apply(
                ev("appeal.filed", "2026-01-03T00:00:00Z", "m2", appeal_id="a1", decision_id="d-c1")
            )
            effects = eng.apply(
                ev(
                    "appeal.decided",
                    "2026-01-04T00:00:00Z",
                    "mod2",
                    appeal_id="a1",
                    outcome="reversed",
                )
            )
            assert [(e.delta, e.reason) for e in owner_entries(effects)] == [
                (2.0, "appeal_reversed")
            ]
        policy = eng.policies.versions[0]
        later = datetime(2026, 1, 5, tzinfo=UTC).timestamp()
        return eng.state.accounts["m1"].score(later, policy)

    # the owner's score after the reversal equals the score had the decision never been taken
    assert owner_score(True) == pytest.approx(owner_score(False), abs=1e-9)


def test_policy_check_refuses_a_positive_owner_weight(tmp_path: Path) -> None:
    path = policy_file(tmp_path)
    path.write_text(path.read_text().replace("approved_violating = -2.0", "approved_violating = 1"))
    result = CliRunner().invoke(app, ["policy", "check", str(path)])
    assert result.exit_code != 0 and "comments.approved_violating" in result.output


def test_the_owners_queue_through_the_store(tmp_path: Path) -> None:
    lines = [ev("account.registered", T, who, id=f"r-{who}") for who in ("owner", "ann", "ben")]
    lines += [
        ev("comment.mode_set", T, "owner", id="mode", mode="hold_flagged"),
        ev("content.posted", T, "owner", id="p", content_id="p1", kind="post", text="trip"),
        ev(
            "content.posted",
            T,
            "ann",
            id="c1",
            content_id="c1",
            kind="comment",
            parent_id="p1",
            text="what an idiot",
        ),
        ev(
            "content.posted",
            T,
            "ben",
            id="c2",
            content_id="c2",
            kind="comment",
            parent_id="p1",
            text="lovely",
        ),
        ev(
            "content.posted",
            T,
            "ben",
            id="c3",
            content_id="c3",
            kind="comment",
            parent_id="p1",
            text="idiot again",
        ),
    ]
    stream = tmp_path / "s.jsonl"
    stream.write_bytes(b"\n".join(msgspec.json.encode(e) for e in lines) + b"\n")
    db = f"sqlite:///{tmp_path / 'gs.db'}"
    runner = CliRunner()

    def gs(*args: str) -> str:
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 0, result.output
        return result.output

    gs("ingest", str(stream), "--policy", str(policy_file(tmp_path)))
    queue = json.loads(gs("comments", "queue", "owner", "--json"))
    assert [(i["comment"], i["status"], i["author"]) for i in queue] == [
        ("c1", "held", "ann"),
        ("c3", "held", "ben"),
    ]
    assert any("idiot" in e for e in queue[0]["evidence"])
    approve = tmp_path / "a.jsonl"
    approve.write_text(
        '{"id":"ok","type":"comment.approved","at":"2026-01-02T02:00:00Z","actor":"owner",'
        '"content_id":"c1"}\n'
        '{"id":"no","type":"comment.rejected","at":"2026-01-02T02:00:00Z","actor":"owner",'
        '"content_id":"c3"}\n'
    )
    gs("ingest", str(approve))
    queue = json.loads(gs("comments", "queue", "owner", "--json"))
    # c1 approved: it shows, still with its label, so it stays in the queue as labelled
    assert [(i["comment"], i["status"]) for i in queue] == [("c1", "labelled")]
    digest = json.loads(gs("replay", "--json"))["digest"]
    assert json.loads(gs("replay", "--json"))["digest"] == digest
    assert json.loads(gs("comments", "queue", "owner", "--json")) == queue


def test_owners_are_judged_the_same_whatever_the_batches(tmp_path: Path) -> None:
    """Each event in its own batch loads from the store what the fold needs (the comment, its
    owner, the decision); the projections equal those of one big batch."""
    at = [f"2026-01-02T{h:02d}:00:00Z" for h in range(24)]
    lines = [
        ev("account.registered", at[0], who, id=f"r-{who}", **extra)
        for who, extra in [
            ("owner", {}),
            ("ann", {}),
            ("mod", {"role": "moderator"}),
            ("mod2", {"role": "moderator"}),
        ]
    ]
    lines += [
        ev("comment.mode_set", at[1], "owner", id="mode", mode="hold_all"),
        ev("content.posted", at[1], "owner", id="p", content_id="p1", kind="post", text="trip"),
        ev(
            "content.posted",
            at[2],
            "ann",
            id="c1",
            content_id="c1",
            kind="comment",
            parent_id="p1",
            text="you idiot",
        ),
        ev("comment.approved", at[3], "owner", id="ok", content_id="c1"),
        ev(
            "content.posted",
            at[4],
            "ann",
            id="c2",
            content_id="c2",
            kind="comment",
            parent_id="p1",
            text="idiot",
        ),
        ev("comment.rejected", at[5], "owner", id="no", content_id="c2"),
        ev(
            "review.decided",
            at[6],
            "mod",
            id="d1",
            content_id="c1",
            rule="harassment.insults",
            verdict="violates",
        ),
        ev("appeal.filed", at[7], "ann", id="af", appeal_id="a1", decision_id="d1"),
        ev("appeal.decided", at[8], "mod2", id="ad", appeal_id="a1", outcome="reversed"),
    ]
    raw = [msgspec.json.encode(e) for e in lines]
    policy = str(policy_file(tmp_path))
    digests = []
    for batch in (1, 1000):
        store = Store.open(f"sqlite:///{tmp_path / f'b{batch}.db'}")
        report = Ingestor(store, load_policies(store, [policy])).ingest(raw, batch=batch)
        assert not report.errors, report.errors
        owner = store.execute_sql(
            "SELECT reason, delta FROM ledger WHERE account_id = 'owner' AND delta < 0 "
            "OR account_id = 'owner' AND reason = 'appeal_reversed' ORDER BY event_seq, n"
        )
        assert [(r, d) for r, d in owner] == [
            ("approved_violating_comment", -2.0),
            ("appeal_reversed", 2.0),
        ]
        digests.append(store.digest())
        store.close()
    assert digests[0] == digests[1]
