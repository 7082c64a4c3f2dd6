"""Rule conditions (`[rules.when]`) and event attributes: parsing with located errors, and
rules that fire on the account, the act and its attributes, only where they should."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from goodstanding.engine import Engine, Flagged
from goodstanding.engine.effects import Effect
from goodstanding.event_lines import decode_event
from goodstanding.events import EventError
from goodstanding.policy.conditions import AttributeTest, Conditions, Facts, holds
from goodstanding.policy.load import PolicyError, parse_policy
from helpers import POLICY_V1, community, engine, ev

AIRDROP = """
[[rules]]
id = "scam.airdrop"
title = "Airdrop links from new accounts"
text = "New accounts may not promote crypto airdrops with links."
category = "scams_and_fraud"
severity = "medium"
effective_from = 2026-01-01T00:00:00Z

[[rules.detectors]]
kind = "terms"
terms = ["airdrop"]
outcome = "queue"

[rules.when]
account_age_days_lt = 7
has_link = true
"""
MENTIONS = """
[[rules]]
id = "spam.mentions"
title = "Mass mentions"
text = "Do not mention crowds of accounts in one post to draw attention."
category = "scams_and_fraud"
severity = "low"
effective_from = 2026-03-01T00:00:00Z

[rules.when]
kind_in = ["post"]

[[rules.when.attribute]]
name = "mentions"
len_gt = 5
"""


def eng_with(tmp_path: Path, extra: str) -> Engine:
    policy = tmp_path / "p.toml"
    policy.write_text(POLICY_V1.read_text() + extra)
    eng = engine(policy)
    community(eng, at="2026-01-02T00:00:00Z", members=3)
    return eng


def flags(effects: list[Effect], rule: str) -> list[Flagged]:
    return [e for e in effects if isinstance(e, Flagged) and e.rule_id == rule]


def posted(eng: Engine, actor: str, cid: str, at: str, text: str, **extra: object) -> list[Effect]:
    return eng.apply(ev("content.posted", at, actor, content_id=cid, text=text, **extra))


def test_new_accounts_posting_an_airdrop_link(tmp_path: Path) -> None:
    eng = eng_with(tmp_path, AIRDROP)
    link = "free airdrop at https://example.org"
    new = posted(eng, "m1", "a", "2026-01-05T00:00:00Z", link, kind="post")
    [flag] = flags(new, "scam.airdrop")
    assert flag.source == "detector" and flag.outcome == "queue"
    assert not flags(
        posted(eng, "m2", "b", "2026-01-05T00:00:00Z", "airdrop!", kind="post"), "scam.airdrop"
    )
    old = posted(eng, "m3", "c", "2026-01-09T00:00:01Z", link, kind="post")  # 7 days old
    assert not flags(old, "scam.airdrop")


def test_a_post_mentioning_more_than_five_accounts(tmp_path: Path) -> None:
    eng = eng_with(tmp_path, MENTIONS)
    six = {"mentions": [f"u{i}" for i in range(6)]}
    five = {"mentions": [f"u{i}" for i in range(5)]}
    at = "2026-03-02T00:00:00Z"
    [flag] = flags(posted(eng, "m1", "p1", at, "hi", kind="post", attributes=six), "spam.mentions")
    assert flag.source == "conditions" and flag.outcome == "queue"
    assert any("len_gt 5" in line for line in flag.evidence)
    assert not flags(
        posted(eng, "m1", "p2", at, "hi", kind="post", attributes=five), "spam.mentions"
    )
    assert not flags(posted(eng, "m1", "p3", at, "hi", kind="post"), "spam.mentions")
    comment = posted(eng, "m2", "k", at, "hi", kind="comment", parent_id="p2", attributes=six)
    assert not flags(comment, "spam.mentions")
    assert eng.state.contents["p1"].flags == {"spam.mentions": "queued"}


def test_a_rule_with_conditions_is_not_applied_before_its_effective_from(tmp_path: Path) -> None:
    eng = eng_with(tmp_path, MENTIONS)
    six = {"mentions": [f"u{i}" for i in range(6)]}
    before = posted(eng, "m1", "p", "2026-02-28T23:59:59Z", "hi", kind="post", attributes=six)
    assert not flags(before, "spam.mentions")
    after = posted(eng, "m1", "q", "2026-03-01T00:00:00Z", "hi", kind="post", attributes=six)
    assert flags(after, "spam.mentions")


@pytest.mark.parametrize(
    ("extra", "at", "key", "message"),
    [
        ("account_age_lt = 7", "account_age_lt", "when.account_age_lt", "unknown key"),
        ('band_in = ["gold"]', "band_in", "when.band_in[0]", "unknown band"),
        ('outcome = "automatic"', "outcome", "when.outcome", "never decided automatically"),
        ("strikes_gte = -1", "strikes_gte", "when.strikes_gte", "positive"),
        ('\n[[rules.when.attribute]]\nname = "x"', "[[rules.when", "when.attribute[0]", "a test"),
        (
            '\n[[rules.when.attribute]]\nname = "9x"\neq = 1',
            "name =",
            "when.attribute[0].name",
            "name",
        ),
    ],
)
def test_condition_errors_name_file_line_and_key(
    extra: str, at: str, key: str, message: str
) -> None:
    rule = MENTIONS.split("\n[rules.when]")[0]
    text = POLICY_V1.read_text() + rule + "\n[rules.when]\n" + extra + "\n"
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, "p.toml")
    [problem] = raised.value.problems
    assert (problem.file, problem.key) == ("p.toml", f"rules[4].{key}")
    assert message in problem.message
    lines = text.splitlines()
    assert problem.line == max(n for n, line in enumerate(lines, 1) if line.startswith(at))


def test_account_conditions() -> None:
    facts = Facts(
        account_age_days=3.0,
        band="member",
        verified=False,
        strikes=2,
        kind="message",
        in_group=True,
        has_link=False,
        attributes={"score": 0.9, "lang": "en", "nsfw": True, "n": 1},
    )
    assert holds(Conditions(band_in=("member",), verified=False, strikes_gte=2), facts)
    assert not holds(Conditions(verified=True), facts)
    assert not holds(Conditions(strikes_gte=3), facts)
    assert holds(Conditions(in_group=True, kind_in=("message",), strikes_lt=3), facts)
    assert not holds(Conditions(account_age_days_gte=7), facts)
    tests = [
        (AttributeTest(name="score", gt=0.5, lte=0.9), True),
        (AttributeTest(name="score", lt=0.5), False),
        (AttributeTest(name="lang", in_=("en", "fr")), True),
        (AttributeTest(name="lang", len_lt=2), False),
        (AttributeTest(name="nsfw", eq=True), True),
        (AttributeTest(name="n", eq=True), False),  # 1 is not True
        (AttributeTest(name="nsfw", gt=0), False),  # a boolean is not a number
        (AttributeTest(name="missing", eq="x"), False),
    ]
    for test, expected in tests:
        assert holds(Conditions(attribute=(test,)), facts) is expected, test


BASE = {"id": "e1", "type": "content.engaged", "at": "2026-01-02T00:00:00Z", "actor": "m1"}


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({f"k{i}": 1 for i in range(33)}, "at most 32"),
        ({"1x": 1}, "key '1x' must be"),
        ({"x" * 65: 1}, "must be"),
        ({"s": "a" * 1025}, "at most 1024"),
        ({"l": list(range(257))}, "at most 256"),
        ({"o": {"p": 1}}, "got `object`"),
        ({"l": [[1]]}, "got `array`"),
        ({"n": None}, "got `null`"),
        ({"s": "a\x00"}, "NUL"),
        ([1], "expected `object | null`"),
    ],
)
def test_event_attributes_are_bounded(attributes: object, message: str) -> None:
    body = {**BASE, "content_id": "c", "kind": "like", "attributes": attributes}
    with pytest.raises(EventError) as raised:
        decode_event(msgspec.json.encode(body))
    assert message in str(raised.value)


def test_event_attributes_accepted_on_posts_and_likes() -> None:
    fine = {"mentions": ["a", "b"], "n": 3, "ratio": 0.5, "pinned": False, "lang": "en"}
    like = decode_event(
        msgspec.json.encode({**BASE, "content_id": "c", "kind": "like", "attributes": fine})
    )
    assert like.attributes == fine  # type: ignore[union-attr]
    post = ev(
        "content.posted",
        "2026-01-02T00:00:00Z",
        "m1",
        content_id="c",
        kind="post",
        text="x",
        attributes=fine,
    )
    assert post.attributes == fine  # type: ignore[union-attr]
