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

from goodstanding.events import decode_event
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
}


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
        if kind == "content.posted" and event["kind"] == "comment":
            expected = FIELDS["comment"]
        if kind == "content.reported" and "note" in event:
            expected = FIELDS["reported with note"]
        assert list(event) == expected

        if kind == "account.registered":
            assert actor not in registered
            assert event["role"] == ("moderator" if actor in moderators else "member")
            registered[actor] = at
            continue
        assert actor in registered, f"{ident}: {actor} acts before registering"
        assert registered[actor] < at
        target = str(event["content_id"])
        if kind == "content.posted":
            assert actor not in moderators, "moderators do not post"
            assert target not in content_at
            if event["kind"] == "comment":
                parent = str(event["parent_id"])
                assert parent in content_at, f"{ident}: parent {parent} not posted before"
                assert content_at[parent] < at
            content_at[target] = at
            continue
        assert target in content_at, f"{ident}: {target} does not exist yet"
        assert content_at[target] < at
        if kind == "review.decided":
            assert actor in moderators
            assert event["verdict"] in ("violates", "clear")
        else:
            assert actor not in moderators
        if kind in ("content.reported", "review.decided"):
            assert event["rule"] in RULE_IDS
    assert set(truth.duplicate_events) <= set(seen)
    assert set(truth.late_events) <= set(seen)
    assert set(truth.violating_content) <= set(content_at)


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
    assert Counter(json.loads(line)["type"] for line in lines) == first.by_type


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
    for number, event in enumerate(generate(config), start=1):
        decode_event(json.dumps(event), line=number)


# -- stream invariants ------------------------------------------------------------


def test_invariants_hold_for_a_default_sized_run() -> None:
    events, truth = run(SimConfig(accounts=1000, days=10, seed=4))
    check_invariants(events, truth)
    types = Counter(str(e["type"]) for e in events)
    assert set(types) == {
        "account.registered",
        "content.posted",
        "content.engaged",
        "content.reported",
        "review.decided",
    }
    registered = {e["actor"] for e in events if e["type"] == "account.registered"}
    assert len(registered) == 1000 + 2


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
    assert len({e["actor"] for e in registrations}) == config.accounts + (config.moderators or 0)
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
    events, _ = month
    content = Counter(str(e["actor"]) for e in events if e["type"] == "content.posted")
    members = {str(e["actor"]) for e in events if e.get("role") == "member"}
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
