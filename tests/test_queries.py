"""The read side over a real store: a group with many members is read in a bounded number of
queries, explain's numbers are the account state's, and no engine is built to find a policy."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.engine.fold import Engine
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.policy import PolicySet
from goodstanding.queries import explain, groups, standing, summary
from goodstanding.queries.lookup import NotFound, account_state, policy_in_force
from goodstanding.queries.moderation import named_evidence
from goodstanding.store import Store
from helpers import POLICY_V1, line

T0 = "2026-01-02T00:00:00Z"
MEMBERS = 150


@pytest.fixture
def club(tmp_path: Path) -> Iterator[tuple[Store, PolicySet, float]]:
    """A group of MEMBERS + 1 accounts, some of whom posted over a few days."""
    rows = [line("account.registered", T0, "o", id="ro")]
    rows += [line("account.registered", T0, f"m{i:03}", id=f"r{i}") for i in range(MEMBERS)]
    rows.append(line("group.created", "2026-01-02T01:00:00Z", "o", id="gc", group_id="g"))
    rows += [
        line("group.joined", "2026-01-02T02:00:00Z", f"m{i:03}", id=f"j{i}", group_id="g")
        for i in range(MEMBERS)
    ]
    rows += [
        line(
            "content.posted",
            f"2026-01-0{3 + i % 5}T10:00:00Z",
            f"m{i:03}",
            id=f"p{i}",
            content_id=f"c{i}",
            kind="post",
            text="a walk by the river",
        )
        for i in range(0, MEMBERS, 7)
    ]
    db = tmp_path / "gs.db"
    store = Store.open(f"sqlite:///{db}")
    policies = load_policies(store, [str(POLICY_V1)])
    report = Ingestor(store, policies).ingest(io.BytesIO(b"\n".join(rows) + b"\n"))
    assert not report.errors
    yield store, policies, 1767787200.0  # 2026-01-07T12:00:00Z
    store.close()


def _count_queries(store: Store) -> list[str]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(store.engine, "before_cursor_execute", count)
    return seen


def test_a_group_is_read_in_a_bounded_number_of_queries(
    club: tuple[Store, PolicySet, float],
) -> None:
    store, policies, t = club
    seen = _count_queries(store)
    data = groups.group(store, policies, "g", t)
    assert len(seen) <= 4  # the group, its members in one batch, its flags
    listed = sorted(m for ids in data["members_by_band"].values() for m in ids)
    assert listed == sorted(["o", *(f"m{i:03}" for i in range(MEMBERS))])
    assert data["members"] == MEMBERS + 1
    assert data["admins"] == [{"account": "o", "role": "owner", "acting": True}]


def test_a_member_without_an_account_row_is_a_precise_error(
    club: tuple[Store, PolicySet, float], tmp_path: Path
) -> None:
    store, policies, t = club
    with sqlite3.connect(tmp_path / "gs.db") as conn:
        conn.execute("DELETE FROM accounts WHERE id IN ('m007', 'm042')")
    with pytest.raises(NotFound, match=r"group 'g' lists member\(s\) .*: m007, m042"):
        groups.group(store, policies, "g", t)
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'gs.db'}", "group", "g"])
    assert result.exit_code == 2 and "m007, m042" in result.output


@pytest.mark.parametrize("t", [1767787200.0, 1768996800.0])  # Jan 7 and Jan 21
def test_explain_adds_up_to_the_account_states_score(
    club: tuple[Store, PolicySet, float], t: float
) -> None:
    store, policies, _ = club
    policy = policy_in_force(policies, t)
    scoring = policy.scoring
    for account_id in ("m000", "m007", "m001", "o"):
        account = account_state(store, account_id)
        data = explain.explanation(store, policies, account_id, t)
        assert data["sum_of_faded_entries"] == account.decayed(t, scoring.half_life_seconds)
        assert data["score"] == round(account.score(t, policy), 2)
        raw = data["start"] + data["sum_of_faded_entries"]
        assert round(min(max(raw, scoring.min), scoring.max), 2) == data["score"]
        assert data["score"] == standing.standing(store, policies, account_id, t)["score"]


def test_the_policy_in_force_is_found_without_an_engine(
    club: tuple[Store, PolicySet, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, policies, t = club

    def no_lookup(*_: object) -> None:
        raise AssertionError("the policy in force was looked up through an Engine")

    monkeypatch.setattr(Engine, "policy_at", no_lookup)
    assert standing.standing(store, policies, "m000", t)["policy_version"]
    assert explain.explanation(store, policies, "m000", t)["policy_version"]

    def no_engine(*_: object, **__: object) -> None:
        raise AssertionError("an Engine was built")

    monkeypatch.setattr(Engine, "__init__", no_engine)
    assert groups.group(store, policies, "g", t)["members"] == MEMBERS + 1
    assert sum(summary.summary(store, policies)["accounts_per_band"].values()) == MEMBERS + 1


def test_unknown_ids_are_not_found(club: tuple[Store, PolicySet, float]) -> None:
    store, policies, t = club
    with pytest.raises(NotFound, match="unknown account 'nobody'"):
        standing.standing(store, policies, "nobody", t)
    with pytest.raises(NotFound, match="unknown group 'nog'"):
        groups.group(store, policies, "nog", t)


def test_review_evidence_names_its_detector() -> None:
    policies = PolicySet.default()
    rule = next(r for r in policies.versions[-1].rules if r.detectors)
    kind = str(type(rule.detectors[0]).__struct_config__.tag)
    at = policies.versions[-1].effective_from.timestamp()
    named = named_evidence(policies, rule.id, at, f"{kind} 0: 'some text'")
    assert named.startswith(f"{kind} detector 1 (")
    assert named.endswith(": 'some text'") and f"{kind} 0" not in named
    assert named_evidence(policies, "no.such", at, "pattern 0: x") == "pattern 0: x"
