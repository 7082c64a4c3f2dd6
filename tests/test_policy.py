"""Policy files: every problem is named with its file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodstanding.policy import DEFAULT_POLICY, PolicyError, PolicySet, load_policy, parse_policy
from helpers import POLICY_V1

BASE = POLICY_V1.read_text()


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "p.toml")
    return [str(p) for p in caught.value.problems]


def line_of(text: str, needle: str, nth: int = 1) -> int:
    count = 0
    for number, content in enumerate(text.splitlines(), start=1):
        if needle in content:
            count += 1
            if count == nth:
                return number
    raise AssertionError(needle)


def test_the_test_policy_and_the_default_policy_load() -> None:
    assert load_policy(POLICY_V1).version == "t1"
    default = load_policy(DEFAULT_POLICY)
    assert len(default.rules) >= 20
    assert len({r.category for r in default.rules}) >= 8
    assert all(len(r.text) >= 20 for r in default.rules)


def test_negative_half_life_names_file_line_and_key() -> None:
    text = BASE.replace("half_life_days = 30.0", "half_life_days = -1.0")
    assert problems(text) == [
        f"p.toml:{line_of(text, 'half_life_days')}: scoring.half_life_days: "
        "must be positive (entries fade with this half-life)"
    ]


def test_band_gap_and_overlap() -> None:
    gap = BASE.replace("min = 20.0\nmax = 40.0", "min = 25.0\nmax = 40.0")
    [message] = problems(gap)
    assert message.startswith(f"p.toml:{line_of(gap, 'min = 25.0')}: bands[1].min: gap between")
    overlap = BASE.replace("min = 40.0\nmax = 100.0", "min = 30.0\nmax = 100.0")
    [message] = problems(overlap)
    assert "bands[2].min" in message and "overlaps" in message


def test_unknown_privilege() -> None:
    text = BASE.replace(
        'privileges = ["post", "comment", "like"]', 'privileges = ["post", "comment", "fly"]'
    )
    [message] = problems(text)
    assert message.startswith(
        f"p.toml:{line_of(text, 'fly')}: bands[1].privileges[2]: unknown privilege 'fly'"
    )


def test_mistyped_missing_and_unknown_keys() -> None:
    typed = BASE.replace('severity = "low"', "severity = 3")
    [message] = problems(typed)
    assert f":{line_of(typed, 'severity = 3')}: rules[0].severity:" in message
    missing = BASE.replace('title = "Bulk spam"\n', "")
    [message] = problems(missing)
    assert "rules[0].title: required key is missing" in message
    unknown = BASE.replace("daily_gain_cap = 2.0", "daily_gain_cap = 2.0\ndaly_cap = 1")
    [message] = problems(unknown)
    assert f":{line_of(unknown, 'daly_cap')}: scoring.daly_cap: unknown key" in message


def test_naive_dates_bad_ids_and_inverted_validity() -> None:
    text = BASE.replace(
        "effective_from = 2026-03-01T12:00:00+08:00",
        "effective_from = 2026-03-01T12:00:00\neffective_until = 2026-01-01T00:00:00Z",
    )
    found = problems(text)
    assert any("rules[3].effective_from: needs an offset" in p for p in found)
    dup = BASE.replace('id = "scam.new"', 'id = "spam.bulk"')
    assert any("duplicate rule id 'spam.bulk'" in p for p in problems(dup))


def test_ladder_shape() -> None:
    no_days = BASE.replace("strikes = 3\ndays = 14", "strikes = 3")
    assert any(
        "sanctions.ladder[2].days: a suspension needs a duration" in p for p in problems(no_days)
    )
    no_warning = BASE.replace(
        'action = "warning"', 'action = "restriction"\ndays = 1\nprivileges = ["post"]'
    )
    assert any("needs a warning step" in p for p in problems(no_warning))
    both = BASE.replace("strikes = 5", "strikes = 5\nscore_below = 3.0")
    assert any("exactly one trigger" in p for p in problems(both))


def test_invalid_toml_names_the_line() -> None:
    [message] = problems(BASE + "\n[broken\n")
    assert (
        message.startswith(f"p.toml:{len(BASE.splitlines()) + 2}:") and "not valid TOML" in message
    )


def test_overlapping_versions_are_refused(tmp_path: Path) -> None:
    twin = tmp_path / "twin.toml"
    twin.write_text(BASE.replace('version = "t1"', 'version = "t1b"'))
    with pytest.raises(PolicyError, match="overlaps version 't1'"):
        PolicySet.load([POLICY_V1, twin])
    same = tmp_path / "same.toml"
    same.write_text(BASE.replace("2026-01-01T00:00:00Z\nname", "2026-02-01T00:00:00Z\nname"))
    with pytest.raises(PolicyError, match="version 't1' is also defined"):
        PolicySet.load([POLICY_V1, same])


def test_each_act_is_judged_by_the_version_then_in_force(tmp_path: Path) -> None:
    v2 = tmp_path / "v2.toml"
    v2.write_text(
        BASE.replace('version = "t1"', 'version = "t2"')
        .replace("2026-01-01T00:00:00Z\nname", "2026-02-01T00:00:00Z\nname")
        .replace("post = 1.0", "post = 3.0")
    )
    policies = PolicySet.load([v2, POLICY_V1])
    from datetime import UTC, datetime

    assert policies.at(datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC)).version == "t1"
    assert policies.at(datetime(2026, 2, 1, tzinfo=UTC)).version == "t2"
    assert policies.at(datetime(2025, 12, 31, tzinfo=UTC)) is None


def test_a_pattern_that_does_not_compile_names_rule_pattern_and_line() -> None:
    text = BASE.replace(
        'severity = "low"\neffective_from = 2026-01-01T00:00:00Z\n',
        'severity = "low"\neffective_from = 2026-01-01T00:00:00Z\n\n[[rules.detectors]]\n'
        'kind = "terms"\nterms = ["buy now"]\n\n[[rules.detectors]]\nkind = "pattern"\n'
        "patterns = ['ok', '(unclosed']\n",
        1,
    )
    [message] = problems(text)
    assert message.startswith(
        f"p.toml:{line_of(text, '(unclosed')}: rules[0].detectors[1].patterns[1]:"
    )
    assert "spam.bulk" in message and "(unclosed" in message and "compile" in message


def test_a_missing_terms_file_is_named(tmp_path: Path) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text(
        BASE.replace(
            'severity = "low"\neffective_from = 2026-01-01T00:00:00Z\n',
            'severity = "low"\neffective_from = 2026-01-01T00:00:00Z\n\n[[rules.detectors]]\n'
            'kind = "terms"\nterms_file = "spam-terms.txt"\n',
            1,
        )
    )
    with pytest.raises(PolicyError, match=r"spam-terms\.txt"):
        load_policy(policy)


# -- fuzzing: mutated policy text gives a policy or located problems, never a crash -------


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_policy_text_is_a_policy_or_located_problems(data: st.DataObject) -> None:
    text = POLICY_V1.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["cut", "insert", "delete", "nest"]))
        if action == "cut":
            text = text[:at]
        elif action == "insert":
            text = text[:at] + data.draw(st.text(max_size=12)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + data.draw(st.integers(1, 40)) :]
        else:
            depth = data.draw(st.integers(100, 5000))
            text = text[:at] + "\nx = " + "[" * depth + "]" * depth + "\n" + text[at:]
    try:
        parse_policy(text, "fuzzed.toml", POLICY_V1.parent)
    except PolicyError as error:
        assert error.problems and all(p.line >= 1 for p in error.problems)
