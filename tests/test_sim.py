"""The synthetic community: determinism, stream invariants, shape of the community."""

from __future__ import annotations

import json
import random
import re
import tomllib
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodstanding.event_lines import decode_event
from goodstanding.events import EVENT_CLASSES, IdentitySubmitted
from goodstanding.identity import load_keyring, seal_line, validate
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.sim import (
    RULE_IDS,
    VIOLATION_VOCABULARY,
    GroundTruth,
    SimConfig,
    generate,
    load_truth,
    obfuscate,
    simulate,
    truth_path_for,
    write_jsonl,
)
from goodstanding.store import Store

ROOT = Path(__file__).resolve().parents[1]
AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
FIELDS = {
    "account.registered": ["id", "type", "at", "actor", "role"],
    "content.posted": ["id", "type", "at", "actor", "content_id", "kind", "text"],
    "comment": ["id", "type", "at", "actor", "content_id", "kind", "parent_id", "text"],
    "content.engaged": ["id", "type", "at", "actor", "content_id", "kind"],
    "content.reported": ["id", "type", "at", "actor", "content_id", "rule"],
    "reported with note": ["id", "type", "at", "actor", "content_id", "rule", "note"],
    "review.decided": ["id", "type", "at", "actor", "content_id", "rule", "verdict"],
    "message": ["id", "type", "at", "actor", "content_id", "kind", "group_id", "text"],
    "group.created": ["id", "type", "at", "actor", "group_id", "name"],
    "group.joined": ["id", "type", "at", "actor", "group_id"],
    "group.left": ["id", "type", "at", "actor", "group_id"],
    "group.role_changed": ["id", "type", "at", "actor", "group_id", "member", "role"],
    "account.sanctioned": ["id", "type", "at", "actor", "account", "action", "rule", "note"],
    "sanctioned for days": [
        "id",
        "type",
        "at",
        "actor",
        "account",
        "action",
        "rule",
        "note",
        "days",
    ],
    "account.sanction_lifted": ["id", "type", "at", "actor", "account", "sanction_id", "note"],
    "appeal.filed": ["id", "type", "at", "actor", "appeal_id", "decision_id", "reason"],
    "appeal.decided": ["id", "type", "at", "actor", "appeal_id", "outcome"],
    "identity.submitted": ["id", "type", "at", "actor", "account", "kind", "value"],
    "submitted with region": ["id", "type", "at", "actor", "account", "kind", "value", "region"],
    "identity.verified": ["id", "type", "at", "actor", "account", "submission", "method"],
    "identity.rejected": ["id", "type", "at", "actor", "account", "submission", "reason"],
    "comment.mode_set": ["id", "type", "at", "actor", "mode"],
    "mode set for a post": ["id", "type", "at", "actor", "content_id", "mode"],
    "comment.approved": ["id", "type", "at", "actor", "content_id"],
    "comment.rejected": ["id", "type", "at", "actor", "content_id"],
    "rejected with note": ["id", "type", "at", "actor", "content_id", "note"],
}
MODERATORS_ONLY = (
    "review.decided",
    "account.sanctioned",
    "account.sanction_lifted",
    "appeal.decided",
    "identity.verified",
    "identity.rejected",
)
EVENT_KINDS = set(EVENT_CLASSES)  # the sim emits every event type the engine reads


def run(config: SimConfig) -> tuple[list[dict[str, object]], GroundTruth]:
    events, truth = simulate(config)
    return list(events), truth


def check_invariants(events: Iterable[dict[str, object]], truth: GroundTruth) -> None:
    """Every property a consumer of the stream may rely on."""
    late = set(truth.late_events)
    duplicates = set(truth.duplicate_events)
    moderators = set(truth.moderators)
    seen: dict[str, dict[str, object]] = {}
    registered: dict[str, str] = {}  # actor -> registration time
    content_at: dict[str, str] = {}
    author: dict[str, str] = {}
    groups: dict[str, dict[str, str]] = {}  # group -> member -> role
    group_at: dict[str, str] = {}
    reviews: dict[str, tuple[str, str, str]] = {}  # id -> (content, moderator, verdict)
    appealed: dict[str, str] = {}  # appeal -> the moderator who took the decision
    appealed_decisions: set[str] = set()
    decided: set[str] = set()
    sanctioned: dict[str, str] = {}  # sanction id -> the moderator who imposed it
    submissions: dict[str, str] = {}  # identity.submitted id -> account
    verdicts: set[str] = set()
    holding: set[str] = set()  # accounts whose mode holds every comment under their posts
    held_posts: set[str] = set()  # posts whose own mode does
    held: set[str] = set()  # comments that wait for the owner
    parent_of: dict[str, str] = {}
    owner_decisions: dict[str, str] = {}
    newest = ""
    for event in events:
        ident, kind, at, actor = (str(event[k]) for k in ("id", "type", "at", "actor"))
        assert AT.match(at), at
        if ident in seen:  # a redelivery: same id, same body, announced in the truth
            assert ident in duplicates
            assert event == seen[ident]
            continue
        seen[ident] = dict(event)
        if at < newest:
            assert ident in late, f"{ident} at {at} is out of order but not a late event"
        newest = max(newest, at)

        expected = FIELDS[kind]
        if kind == "content.posted" and event["kind"] != "post":
            expected = FIELDS[str(event["kind"])]
        if kind == "content.reported" and "note" in event:
            expected = FIELDS["reported with note"]
        if kind == "identity.submitted" and "region" in event:
            expected = FIELDS["submitted with region"]
        if kind == "comment.mode_set" and "content_id" in event:
            expected = FIELDS["mode set for a post"]
        if kind == "account.sanctioned" and "days" in event:
            expected = FIELDS["sanctioned for days"]
        if kind == "comment.rejected" and "note" in event:
            expected = FIELDS["rejected with note"]
        assert list(event) == expected

        if kind == "account.registered":
            assert actor not in registered
            assert event["role"] == ("moderator" if actor in moderators else "member")
            registered[actor] = at
            continue
        assert actor in registered, f"{ident}: {actor} acts before registering"
        assert registered[actor] < at
        assert (actor in moderators) == (kind in MODERATORS_ONLY), (
            f"{ident}: only moderators review, sanction, decide appeals and report identity checks"
        )
        if kind.startswith("group."):
            group = str(event["group_id"])
            if kind == "group.created":
                assert group not in groups
                groups[group], group_at[group] = {actor: "owner"}, at
                continue
            assert group_at[group] < at
            roles = groups[group]
            if kind == "group.joined":
                assert actor not in roles
                roles[actor] = "member"
            elif kind == "group.left":
                assert roles.pop(actor) != "owner"
            else:
                assert roles[actor] == "owner"
                assert roles[str(event["member"])] == "member" and event["role"] == "admin"
                roles[str(event["member"])] = "admin"
            continue
        if kind == "account.sanctioned":
            assert event["account"] in registered and event["account"] != actor
            assert event["rule"] == "manipulation.fake_engagement"
            sanctioned[f"{ident}/{event['account']}/{event['action']}"] = actor
            continue
        if kind == "account.sanction_lifted":
            assert sanctioned.pop(str(event["sanction_id"])) != actor  # another moderator
            continue
        if kind == "appeal.filed":
            decision = str(event["decision_id"])
            content, moderator, verdict = reviews[decision]
            assert verdict == "violates" and author[content] == actor
            assert decision not in appealed_decisions and event["appeal_id"] not in appealed
            appealed_decisions.add(decision)
            appealed[str(event["appeal_id"])] = moderator
            continue
        if kind == "appeal.decided":
            appeal = str(event["appeal_id"])
            assert appeal not in decided and appealed[appeal] != actor
            assert event["outcome"] in ("upheld", "reversed")
            decided.add(appeal)
            continue
        if kind == "identity.submitted":
            assert event["account"] == actor and event["kind"] in ("cn.ric", "phone")
            submissions[ident] = actor
            continue
        if kind in ("identity.verified", "identity.rejected"):
            submission = str(event["submission"])
            assert submissions[submission] == event["account"] and submission not in verdicts
            verdicts.add(submission)
            continue
        if kind == "comment.mode_set":
            assert event["mode"] == "hold_all"  # the sim cannot know what detectors flag
            if "content_id" not in event:
                assert actor not in holding
                holding.add(actor)
                continue
            post = str(event["content_id"])
            assert author[post] == actor and post not in parent_of and content_at[post] < at
            held_posts.add(post)
            continue
        target = str(event["content_id"])
        if kind in ("comment.approved", "comment.rejected"):
            assert target in held, f"{ident}: {target} does not wait for its owner"
            assert author[parent_of[target]] == actor and content_at[target] < at
            assert target not in owner_decisions
            owner_decisions[target] = kind.removeprefix("comment.")
            continue
        if kind == "content.posted":
            assert target not in content_at
            if event["kind"] == "comment":
                parent = str(event["parent_id"])
                assert parent in content_at, f"{ident}: parent {parent} not posted before"
                assert content_at[parent] < at
                parent_of[target] = parent
                owner = author[parent]
                if owner != actor and (owner in holding or parent in held_posts):
                    held.add(target)
            if event["kind"] == "message":
                assert actor in groups[str(event["group_id"])], f"{ident}: not a member"
            content_at[target] = at
            author[target] = actor
            continue
        assert target in content_at, f"{ident}: {target} does not exist yet"
        assert content_at[target] < at
        if kind == "review.decided":
            assert event["verdict"] in ("violates", "clear")
            reviews[ident] = (target, actor, str(event["verdict"]))
        if kind in ("content.reported", "review.decided"):
            assert event["rule"] in RULE_IDS
    assert set(truth.duplicate_events) <= set(seen)
    assert set(truth.late_events) <= set(seen)
    assert set(truth.violating_content) <= set(content_at)
    assert set(truth.appeals) == decided
    assert set(truth.evasion_attempts) <= set(submissions)
    assert set(truth.comment_owners) == holding
    assert truth.owner_decisions == owner_decisions


# -- determinism -------------------------------------------------------------------


def test_same_config_gives_identical_bytes(tmp_path: Path) -> None:
    config = SimConfig(accounts=300, days=7, seed=11, late_share=0.01, duplicate_share=0.01)
    first = write_jsonl(config, tmp_path / "a.jsonl")
    second = write_jsonl(config, tmp_path / "b.jsonl")
    assert first.truth_path == tmp_path / "a.truth.json"
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert first.truth_path.read_bytes() == second.truth_path.read_bytes()
    assert first.by_type == second.by_type
    lines = (tmp_path / "a.jsonl").read_bytes().splitlines()
    assert first.lines == len(lines) > 1000
    assert Counter(json.loads(line)["type"] for line in lines) == Counter(first.by_type)


def test_different_seed_gives_different_stream(tmp_path: Path) -> None:
    write_jsonl(SimConfig(accounts=200, days=3, seed=1), tmp_path / "a.jsonl")
    write_jsonl(SimConfig(accounts=200, days=3, seed=2), tmp_path / "b.jsonl")
    assert (tmp_path / "a.jsonl").read_bytes() != (tmp_path / "b.jsonl").read_bytes()


def test_truth_file_round_trips(tmp_path: Path) -> None:
    config = SimConfig(accounts=300, days=5, seed=3)
    stats = write_jsonl(config, tmp_path / "run.jsonl")
    _, truth = run(config)
    assert load_truth(stats.truth_path) == truth
    assert truth_path_for("x/events.jsonl") == Path("x/events.truth.json")
    assert truth_path_for("x/events.log") == Path("x/events.log.truth.json")


def test_events_are_accepted_by_the_event_decoder() -> None:
    config = SimConfig(accounts=200, days=5, seed=5, late_share=0.02, duplicate_share=0.02)
    ring = load_keyring().ring  # identity values are sealed before decoding, as at ingest
    sealed = 0
    for number, event in enumerate(generate(config), start=1):
        decoded = decode_event(seal_line(ring, json.dumps(event)), line=number)
        if isinstance(decoded, IdentitySubmitted):
            assert decoded.fingerprints and decoded.invalid is None
            sealed += 1
    assert sealed > 0


# -- stream invariants ------------------------------------------------------------


def test_invariants_hold_for_a_default_sized_run() -> None:
    events, truth = run(SimConfig(accounts=1000, days=10, seed=4))
    check_invariants(events, truth)
    types = Counter(str(e["type"]) for e in events)
    assert set(types) <= EVENT_KINDS
    assert EVENT_KINDS - set(types) <= {"group.role_changed", "identity.rejected"}  # rare
    registered = {e["actor"] for e in events if e["type"] == "account.registered"}
    assert len(registered) == 1000 + 2 + len(truth.evasion_attempts)


def test_late_and_duplicate_deliveries_are_the_only_disorder() -> None:
    config = SimConfig(accounts=600, days=10, seed=9, late_share=0.05, duplicate_share=0.05)
    events, truth = run(config)
    check_invariants(events, truth)
    ids = Counter(str(e["id"]) for e in events)
    assert sorted(i for i, n in ids.items() if n == 2) == sorted(truth.duplicate_events)
    assert max(ids.values()) == 2
    assert len(truth.late_events) > 50
    out_of_order = 0
    newest = ""
    for event in events:
        at = str(event["at"])
        out_of_order += at < newest
        newest = max(newest, at)
    assert out_of_order > 0


def test_no_late_or_duplicate_events_when_shares_are_zero() -> None:
    events, truth = run(SimConfig(accounts=300, days=5, seed=2, late_share=0, duplicate_share=0))
    ats = [str(e["at"]) for e in events]
    assert ats == sorted(ats)
    assert len({e["id"] for e in events}) == len(events)
    assert truth.late_events == truth.duplicate_events == []


@st.composite
def small_configs(draw: st.DrawFn) -> SimConfig:
    accounts = draw(st.integers(1, 60))
    ring_size = draw(st.integers(2, 6))
    ring_count = draw(st.none() | st.integers(0, accounts // ring_size))
    share = st.floats(0.0, 1.0)
    return SimConfig(
        accounts=accounts,
        days=draw(st.integers(1, 4)),
        seed=draw(st.integers(0, 2**32)),
        abusive_share=draw(share),
        ring_count=ring_count,
        ring_size=ring_size,
        moderators=draw(st.none() | st.integers(0, 3)),
        late_share=draw(share),
        duplicate_share=draw(share),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_configs())
def test_invariants_hold_for_any_small_config(config: SimConfig) -> None:
    events, truth = run(config)
    check_invariants(events, truth)
    registrations = [e for e in events if e["type"] == "account.registered"]
    assert len({e["actor"] for e in registrations}) == (
        config.accounts + (config.moderators or 0) + len(truth.evasion_attempts)
    )
    assert len(truth.rings) == config.ring_count
    assert all(len(ring) == config.ring_size for ring in truth.rings)


# -- shape of the community ------------------------------------------------------------


@pytest.fixture(scope="module")
def month() -> tuple[list[dict[str, object]], GroundTruth]:
    """2000 accounts over 30 days."""
    return run(SimConfig(accounts=2000, days=30, seed=1))


def test_top_tenth_of_accounts_produce_most_content(
    month: tuple[list[dict[str, object]], GroundTruth],
) -> None:
    events, truth = month
    content = Counter(str(e["actor"]) for e in events if e["type"] == "content.posted")
    members = {str(e["actor"]) for e in events if e.get("role") == "member"}
    members -= {str(e["actor"]) for e in events if e["id"] in truth.evasion_attempts}
    per_account = sorted((content[a] for a in members), reverse=True)
    assert len(per_account) == 2000
    assert sum(per_account[:200]) > 0.5 * sum(per_account)


def test_volume_scales_with_days() -> None:
    short = sum(1 for _ in generate(SimConfig(accounts=500, days=30, seed=3)))
    long = sum(1 for _ in generate(SimConfig(accounts=500, days=90, seed=3)))
    assert 30 * 500 < long < 80 * 500  # about 50 events per account over 90 days
    assert 2.0 < long / short < 4.0


def test_accounts_register_mostly_early(
    month: tuple[list[dict[str, object]], GroundTruth],
) -> None:
    events, _ = month
    cutoff = (datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    times = [str(e["at"]) for e in events if e.get("role") == "member"]
    assert sum(t < cutoff for t in times) > 0.5 * len(times)
    assert max(times) > cutoff


def test_rings_like_each_others_posts(month: tuple[list[dict[str, object]], GroundTruth]) -> None:
    events, truth = month
    assert len(truth.rings) == 1 and len(truth.rings[0]) == 8
    author = {e["content_id"]: e["actor"] for e in events if e["type"] == "content.posted"}
    for ring in truth.rings:
        members = set(ring)
        assert not members & set(truth.abusive_accounts)
        ring_posts = {c for c, a in author.items() if a in members}
        engagements = [e for e in events if e["type"] == "content.engaged"]
        inside = [e for e in engagements if e["actor"] in members and e["content_id"] in ring_posts]
        assert all(author[e["content_id"]] != e["actor"] for e in inside)
        assert {e["actor"] for e in inside} == members  # every member boosts the others
        assert len(inside) > 20 * len(ring)
        on_ring_posts = [e for e in engagements if e["content_id"] in ring_posts]
        assert len(inside) > 0.5 * len(on_ring_posts)
        violating = [c for c in ring_posts if c in truth.violating_content]
        assert len(violating) > 0.6 * len(ring_posts)


def test_truth_matches_the_stream(month: tuple[list[dict[str, object]], GroundTruth]) -> None:
    events, truth = month
    rule_of = truth.violating_content
    assert len(truth.abusive_accounts) == round(0.03 * (2000 - 8))
    assert set(truth.specialities) == set(truth.abusive_accounts)
    assert 0.01 < len(rule_of) / sum(e["type"] == "content.posted" for e in events) < 0.15
    reports = [e for e in events if e["type"] == "content.reported"]
    wrong = {str(e["id"]) for e in reports if rule_of.get(str(e["content_id"])) != e["rule"]}
    assert wrong == set(truth.wrong_reports)
    assert 0 < len(wrong) < len(reports)
    reviews = [e for e in events if e["type"] == "review.decided"]
    mistaken = {
        str(e["id"])
        for e in reviews
        if (e["verdict"] == "violates") != (str(e["content_id"]) in rule_of)
    }
    assert mistaken == set(truth.mistaken_reviews)
    assert len(mistaken) < 0.1 * len(reviews)
    reported = {e["content_id"] for e in reports}
    reviewed = {e["content_id"] for e in reviews}
    assert len(reported & reviewed) > 0.75 * len(reported)  # most reports get a review
    assert reviewed - reported  # and a few reviews are proactive
    assert len(reviewed) == len(reviews)  # one review per item

    # appeals: against upheld reviews, reversed when the review was mistaken, mostly upheld else
    decision_of = {
        str(e["appeal_id"]): str(e["decision_id"]) for e in events if e["type"] == "appeal.filed"
    }
    outcomes = {
        str(e["appeal_id"]): str(e["outcome"]) for e in events if e["type"] == "appeal.decided"
    }
    assert outcomes == truth.appeals
    assert set(outcomes) <= set(decision_of)
    mistaken_appeals = {a for a in outcomes if decision_of[a] in mistaken}
    assert all(outcomes[a] == "reversed" for a in mistaken_appeals)
    lenient = [a for a, o in outcomes.items() if o == "reversed" and a not in mistaken_appeals]
    assert len(lenient) < 0.2 * (len(outcomes) - len(mistaken_appeals))
    assert 0.02 < len(decision_of) / sum(e["verdict"] == "violates" for e in reviews) < 0.3

    # evasion attempts: a later account submits a sanctioned member's verified identity
    submitted = {str(e["id"]): e for e in events if e["type"] == "identity.submitted"}
    verified = {str(e["submission"]) for e in events if e["type"] == "identity.verified"}
    registered_at = {e["actor"]: e["at"] for e in events if e["type"] == "account.registered"}
    own = {str(e["actor"]): e for i, e in submitted.items() if i not in truth.evasion_attempts}
    assert truth.evasion_attempts
    for attempt, original in truth.evasion_attempts.items():
        second, first = submitted[attempt], own[original]
        assert first["id"] in verified and original in truth.abusive_accounts
        assert registered_at[second["actor"]] > first["at"]
        assert second["value"] != first["value"] and second["kind"] == first["kind"]
        assert canonical(second) == canonical(first)


def canonical(submission: dict[str, object]) -> str:
    """The canonical value of a submitted identity."""
    region = submission.get("region")
    kind, value = str(submission["kind"]), str(submission["value"])
    return validate(kind, value, str(region) if region else None, mobile_required=True).value


def test_members_verify_valid_identities(
    month: tuple[list[dict[str, object]], GroundTruth],
) -> None:
    events, truth = month
    submitted = [e for e in events if e["type"] == "identity.submitted"]
    own = [e for e in submitted if e["id"] not in truth.evasion_attempts]
    assert 0.01 < len(own) / 2000 < 0.1  # a small share of the members
    values = [canonical(e) for e in own]  # every value is valid (validate raises otherwise)
    assert len(set(values)) == len(values)
    assert {str(e["kind"]) for e in own} == {"cn.ric", "phone"}
    assert any(e["value"] != v for e, v in zip(own, values, strict=True))  # typed variously
    verdicts = Counter(str(e["type"]) for e in events if e["type"].startswith("identity.v"))
    assert verdicts["identity.verified"] > 0.8 * len(own)


def test_groups_gather_members_who_chat(
    month: tuple[list[dict[str, object]], GroundTruth],
) -> None:
    events, truth = month
    types = Counter(str(e["type"]) for e in events)
    assert 2 <= types["group.created"] <= 8  # a few per 1000 accounts
    assert types["group.joined"] > 20 * types["group.created"]
    assert 0 < types["group.left"] < 0.2 * types["group.joined"]
    messages = [e for e in events if e.get("kind") == "message"]
    assert 0.05 < len(messages) / types["content.posted"] < 0.35
    assert 0.05 < len(messages) / len(events) < 0.15
    violating = [e for e in messages if e["content_id"] in truth.violating_content]
    assert violating and all(e["actor"] in truth.abusive_accounts for e in violating)
    bad = {e["content_id"] for e in violating}
    assert any(e["type"] == "content.reported" and e["content_id"] in bad for e in events)
    assert any(e["type"] == "review.decided" and e["content_id"] in bad for e in events)
    chat = {e["content_id"] for e in messages}  # nobody likes, shares or comments on them
    assert not any(e.get("content_id") in chat for e in events if e["type"] == "content.engaged")
    assert not any(e.get("parent_id") in chat for e in events)


def test_the_engine_accepts_the_stream_and_refuses_only_evasions(tmp_path: Path) -> None:
    config = SimConfig(accounts=600, days=30, seed=5)
    stats = write_jsonl(config, tmp_path / "sim.jsonl")
    truth = load_truth(stats.truth_path)
    lines = (tmp_path / "sim.jsonl").read_bytes().splitlines()
    events = [json.loads(line) for line in lines]
    store = Store.open(f"sqlite:///{tmp_path}/gs.db")
    report = Ingestor(store, load_policies(store)).ingest(lines)
    assert report.errors == []
    assert report.accepted + report.duplicates == len(lines)

    def count(sql: str) -> int:
        return int(store.execute_sql(sql)[0][0])

    def ids_of(kind: str) -> set[str]:
        return {str(e["id"]) for e in events if e["type"] == kind}

    # identity: refused are the evasion attempts (and the platform's own rejections)
    refused = {
        str(r[0])
        for r in store.execute_sql("SELECT event_id FROM identity_log WHERE status = 'refused'")
    }
    assert truth.evasion_attempts
    assert refused - ids_of("identity.rejected") == set(truth.evasion_attempts)
    assert count("SELECT count(*) FROM identity_log WHERE status = 'verified'") == len(
        ids_of("identity.verified")
    )
    # groups: all created, every role change taken (the owners' standing allowed it)
    assert count("SELECT count(*) FROM groups") == len(ids_of("group.created")) > 0
    assert ids_of("group.role_changed")
    messages = {str(e["id"]) for e in events if e.get("kind") == "message"}
    assert count("SELECT count(*) FROM contents WHERE kind = 'message'") == len(messages) > 100
    privileges = {str(r[0]) for r in store.execute_sql("SELECT privilege FROM denials")}
    assert not privileges & {"create_group", "administer_group"}
    # appeals: every one filed is kept, the decided ones end as the truth says
    assert count("SELECT count(*) FROM appeals") == len(ids_of("appeal.filed"))
    outcomes = store.execute_sql(
        "SELECT appeal_id, outcome FROM appeal_log WHERE outcome IS NOT NULL"
    )
    assert {str(a): str(o) for a, o in outcomes} == truth.appeals
    assert set(truth.appeals.values()) == {"upheld", "reversed"}
    # owners: every decision taken (on a comment that waited), some comments still waiting
    statuses = Counter(str(r[0]) for r in store.execute_sql("SELECT status FROM comment_reviews"))
    decisions = Counter(truth.owner_decisions.values())
    assert statuses["approved"] == decisions["approved"] > 0
    assert statuses["rejected"] == decisions["rejected"] > 0
    assert statuses["held"] > statuses["approved"] + statuses["rejected"]
    assert count("SELECT count(*) FROM ledger WHERE reason = 'approved_violating_comment'") == (
        owners_answerable(events)
    )
    store.close()


def owners_answerable(events: Iterable[dict[str, object]]) -> int:
    """How many owners' approvals a later review upholds as violating, in log order: each
    gives the owner a ledger entry."""
    approved: set[str] = set()
    answerable = 0
    seen: set[str] = set()
    for event in events:
        if event["id"] in seen:
            continue
        seen.add(str(event["id"]))
        if event["type"] == "comment.approved":
            approved.add(str(event["content_id"]))
        elif event["type"] == "review.decided" and event["verdict"] == "violates":
            answerable += event["content_id"] in approved
    return answerable


def test_owners_answer_for_the_violating_comments_they_approved(
    month: tuple[list[dict[str, object]], GroundTruth], tmp_path: Path
) -> None:
    events, _ = month
    lines = [json.dumps(e, ensure_ascii=False).encode() for e in events]
    store = Store.open(f"sqlite:///{tmp_path}/gs.db")
    report = Ingestor(store, load_policies(store)).ingest(lines)
    assert report.errors == []
    entries = store.execute_sql(
        "SELECT account_id, delta FROM ledger WHERE reason = 'approved_violating_comment'"
    )
    store.close()
    approvers = {str(e["actor"]) for e in events if e["type"] == "comment.approved"}
    assert len(entries) == owners_answerable(events) > 0
    assert all(str(a) in approvers and float(d) == -1.0 for a, d in entries)


def test_owners_vet_the_comments_under_their_posts(
    month: tuple[list[dict[str, object]], GroundTruth],
) -> None:
    events, truth = month
    owners = set(truth.comment_owners)
    assert 0.03 < len(owners) / 2000 < 0.08  # a small share of the members
    assert not owners & set(truth.bad_accounts())
    posts = Counter(str(e["actor"]) for e in events if e.get("kind") == "post")
    per_owner = sum(posts[a] for a in owners) / len(owners)
    assert per_owner > 1.5 * sum(posts.values()) / 2000  # more likely among active posters
    per_post = [e for e in events if e["type"] == "comment.mode_set" and "content_id" in e]
    assert per_post and not {e["actor"] for e in per_post} & owners
    # decisions come hours after the comment: violating ones mostly rejected, others approved
    posted = {str(e["content_id"]): str(e["at"]) for e in events if e["type"] == "content.posted"}
    hours = sorted(
        (
            datetime.fromisoformat(str(e["at"]))
            - datetime.fromisoformat(posted[str(e["content_id"])])
        )
        / timedelta(hours=1)
        for e in events
        if e["type"] in ("comment.approved", "comment.rejected")
    )
    assert hours[0] >= 0.5 and 1 <= hours[len(hours) // 2] <= 12
    violating = Counter(d for c, d in truth.owner_decisions.items() if c in truth.violating_content)
    ordinary = Counter(
        d for c, d in truth.owner_decisions.items() if c not in truth.violating_content
    )
    assert violating["rejected"] > violating["approved"]
    assert ordinary["rejected"] < 0.1 * ordinary["approved"]


def test_reviews_follow_reports_within_hours_to_days(
    month: tuple[list[dict[str, object]], GroundTruth],
) -> None:
    events, _ = month
    first_report: dict[str, datetime] = {}
    for e in events:
        if e["type"] == "content.reported":
            at = datetime.fromisoformat(str(e["at"]))
            c = str(e["content_id"])
            first_report[c] = min(at, first_report.get(c, at))
    delays = [
        (datetime.fromisoformat(str(e["at"])) - first_report[str(e["content_id"])])
        for e in events
        if e["type"] == "review.decided" and e["content_id"] in first_report
    ]
    hours = sorted(d.total_seconds() / 3600 for d in delays)
    assert hours[0] > 0  # reviews prompted by a report come 4+ hours after it
    assert 4 <= hours[len(hours) // 2] <= 72
    assert hours[-1] <= 7 * 24


def test_texts_are_varied_and_multilingual(
    month: tuple[list[dict[str, object]], GroundTruth],
) -> None:
    events, truth = month
    texts = [
        str(e["text"])
        for e in events
        if e["type"] == "content.posted" and e["content_id"] not in truth.violating_content
    ]
    assert len(set(texts)) > 0.3 * len(texts)
    japanese = sum(bool(re.search(r"[\u3040-\u30ff]", t)) for t in texts)
    chinese = sum(bool(re.search(r"[\u4e00-\u9fff]", t)) for t in texts) - japanese
    assert 0.02 < chinese / len(texts) < 0.09
    assert 0.005 < japanese / len(texts) < 0.045
    assert any(re.search(r"[\U0001f300-\U0001faff]", t) for t in texts)


def test_violating_texts_carry_their_rules_markers(
    month: tuple[list[dict[str, object]], GroundTruth],
) -> None:
    events, truth = month
    obfuscated = set(truth.obfuscated_content)
    checked = 0
    for e in events:
        rule = truth.violating_content.get(str(e.get("content_id")))
        if e["type"] != "content.posted" or rule is None:
            continue
        vocab = VIOLATION_VOCABULARY[rule]
        markers = vocab.markers + vocab.zh_markers + vocab.ja_markers
        text = str(e["text"])
        if e["content_id"] not in obfuscated:
            assert any(m in text for m in markers), (rule, text)
            checked += 1
    assert checked > 100
    assert obfuscated


def test_vocabulary_covers_the_default_policy() -> None:
    assert set(VIOLATION_VOCABULARY) == set(RULE_IDS)
    for name in ("policies/default.toml", "src/goodstanding/policies/default.toml"):
        policy = tomllib.loads((ROOT / name).read_text(encoding="utf-8"))
        assert [rule["id"] for rule in policy["rules"]] == list(RULE_IDS)
    for vocab in VIOLATION_VOCABULARY.values():
        assert all("{m}" in t for t in vocab.templates + vocab.zh_templates + vocab.ja_templates)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("leet", "1d10t"),
        ("fullwidth", "\uff49\uff44\uff49\uff4f\uff54"),
        ("stretch", None),
        ("zero_width", None),
    ],
)
def test_obfuscation(method: str, expected: str | None) -> None:
    out = obfuscate("idiot", method, random.Random(0))
    assert out != "idiot"
    if expected is not None:
        assert out == expected
    if method == "zero_width":
        assert out.replace("\u200b", "") == "idiot"
    if method == "stretch":
        assert re.fullmatch(r"i{3,6}diot|idi{3,6}ot|idio{3,6}t", out)


# -- configuration ------------------------------------------------------------------


def test_config_defaults_are_derived() -> None:
    assert SimConfig().ring_count == 1 and SimConfig().moderators == 2
    big = SimConfig(accounts=10_000)
    assert big.ring_count == 5 and big.moderators == 5
    assert SimConfig(accounts=5).ring_count == 0  # no ring fits
    assert SimConfig(accounts=5, ring_size=2).ring_count == 1
    assert SimConfig().start == datetime(2026, 1, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accounts": 0}, "accounts must be at least 1, got 0"),
        ({"days": 0}, "days must be at least 1, got 0"),
        ({"abusive_share": 1.5}, "abusive_share must be between 0 and 1, got 1.5"),
        ({"late_share": -0.1}, "late_share must be between 0 and 1, got -0.1"),
        ({"duplicate_share": float("nan")}, "duplicate_share must be between 0 and 1, got nan"),
        ({"ring_size": 1}, "ring_size must be at least 2, got 1"),
        ({"ring_count": -1}, "ring_count must be at least 0, got -1"),
        (
            {"accounts": 10, "ring_count": 2},
            "ring_count * ring_size = 16 ring members do not fit in accounts = 10",
        ),
        ({"moderators": -2}, "moderators must be at least 0, got -2"),
        ({"start": datetime(2026, 1, 5)}, "start must be a timezone-aware datetime"),
    ],
)
def test_config_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        SimConfig(**kwargs)  # type: ignore[arg-type]
