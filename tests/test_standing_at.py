"""Standing and explain at a past time answer from what the log's events up to then left:
the ledger, strikes and sanctions as they stood (a fresh replay of the log cut there gives
the same), an account not yet registered is said to be so, and explain says when a score
was clamped, shows a reversal when it happened, and never cuts a timestamp."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.engine.state import AccountState
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.policy import PolicySet
from goodstanding.queries import explain, standing
from goodstanding.queries.history import NotRegistered, account_at
from goodstanding.queries.lookup import policy_in_force
from goodstanding.store import Store
from helpers import POLICY_V1, line
from streams import Stream, ingest_lines, streams


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _review(n: int, day: str, verdict: str = "violates") -> list[bytes]:
    return [
        line(
            "content.posted",
            f"2026-01-02T0{n}:00:00Z",  # every post before any decision, so each was shown
            "m1",
            id=f"p{n}",
            content_id=f"c{n}",
            kind="post",
            text="a walk by the river",
        ),
        line(
            "review.decided",
            f"2026-01-{day}T10:00:00Z",
            "mod",
            id=f"d{n}",
            content_id=f"c{n}",
            rule="harassment.insults",
            verdict=verdict,
        ),
    ]


ROWS = [
    line("account.registered", "2026-01-02T00:00:00Z", "mod", id="rmod", role="moderator"),
    line("account.registered", "2026-01-02T00:00:00Z", "mod2", id="rmod2", role="moderator"),
    line("account.registered", "2026-01-02T00:00:00Z", "m1", id="rm1"),
    *_review(1, "03"),
    line("appeal.filed", "2026-01-03T12:00:00Z", "m1", id="af1", appeal_id="ap1", decision_id="d1"),
    *_review(2, "05"),
    *_review(3, "06"),
    *_review(4, "07"),
    *_review(5, "08"),
    *_review(6, "09"),
    line(
        "appeal.decided",
        "2026-01-10T10:00:00Z",
        "mod2",
        id="ad1",
        appeal_id="ap1",
        outcome="reversed",
    ),
    line("account.registered", "2026-01-11T00:00:00Z", "late", id="rlate"),
]


def _ingest(db: Path, rows: list[bytes]) -> tuple[Store, PolicySet]:
    store = Store.open(f"sqlite:///{db}")
    policies = load_policies(store, [str(POLICY_V1)])
    report = Ingestor(store, policies).ingest(io.BytesIO(b"\n".join(rows) + b"\n"))
    assert not report.errors, report.errors
    return store, policies


@pytest.fixture
def history(tmp_path: Path) -> Iterator[tuple[Store, PolicySet, Path]]:
    store, policies = _ingest(tmp_path / "gs.db", ROWS)
    yield store, policies, tmp_path
    store.close()


def _view(store: Store, policies: PolicySet, account: str, t: float) -> dict[str, Any]:
    data = standing.standing(store, policies, account, t)
    exact = account_at(store, policies, account, t).score(t, policy_in_force(policies, t))
    return {k: data[k] for k in ("band", "strikes", "sanctions")} | {"exact": exact}


@pytest.mark.parametrize(
    "at",
    [
        "2026-01-02T12:00:00Z",
        "2026-01-03T11:00:00Z",
        "2026-01-06T11:00:00Z",
        "2026-01-09T23:00:00Z",
        "2026-01-10T11:00:00Z",
    ],
)
def test_a_past_standing_is_a_replay_of_the_log_cut_there(
    history: tuple[Store, PolicySet, Path], at: str
) -> None:
    store, policies, tmp = history
    t = _epoch(at)
    kept = [row for row in ROWS if _epoch(str(json.loads(row)["at"])) <= t]
    cut, cut_policies = _ingest(tmp / "cut.db", kept)
    try:
        for account in ("m1", "mod"):
            got, want = _view(store, policies, account, t), _view(cut, cut_policies, account, t)
            assert got.pop("exact") == pytest.approx(want.pop("exact"), abs=1e-9)
            assert got == want
    finally:
        cut.close()


def test_a_reversal_counts_only_from_when_it_was_decided(
    history: tuple[Store, PolicySet, Path],
) -> None:
    store, policies, _ = history
    before = explain.explanation(store, policies, "m1", _epoch("2026-01-09T23:00:00Z"))
    assert "appeal_reversed" not in [entry["reason"] for entry in before["ledger"]]
    assert len(before["strikes"]) == 6
    after = explain.explanation(store, policies, "m1", _epoch("2026-01-10T11:00:00Z"))
    reasons = [entry["reason"] for entry in after["ledger"]]
    assert reasons[-1] == "appeal_reversed"  # in time order: it happened last
    reversal = after["ledger"][-1]
    assert reversal["at"] == "2026-01-10T10:00:00Z"
    assert reversal["dated"] == "2026-01-03T10:00:00Z"
    assert [entry["at"] for entry in after["ledger"]] == sorted(
        entry["at"] for entry in after["ledger"]
    )
    assert len(after["strikes"]) == 5


def test_an_account_not_yet_registered_is_said_to_be_so(
    history: tuple[Store, PolicySet, Path],
) -> None:
    store, policies, tmp = history
    t = _epoch("2026-01-10T00:00:00Z")
    with pytest.raises(NotRegistered, match=r"'late' was not registered at 2026-01-10T00:00:00Z"):
        standing.standing(store, policies, "late", t)
    with pytest.raises(NotRegistered):
        explain.explanation(store, policies, "late", t)
    db = f"sqlite:///{tmp / 'gs.db'}"
    for command in ("standing", "explain"):
        result = CliRunner().invoke(
            app, ["--db", db, command, "late", "--at", "2026-01-10T00:00:00Z"]
        )
        assert result.exit_code == 2
        assert "not registered at 2026-01-10T00:00:00Z" in result.output


def test_explain_says_the_score_was_clamped_and_keeps_timestamps_whole(
    history: tuple[Store, PolicySet, Path],
) -> None:
    store, policies, tmp = history
    t = _epoch("2026-01-09T23:00:00Z")
    data = explain.explanation(store, policies, "m1", t)
    assert data["unclamped_score"] < 0 and data["clamped"] == "min" and data["score"] == 0
    db = f"sqlite:///{tmp / 'gs.db'}"
    result = CliRunner().invoke(app, ["--db", db, "explain", "m1", "--at", "2026-01-09T23:00:00Z"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "clamped to the minimum 0" in text and "within the range" not in text
    assert f"from {len(data['ledger'])} ledger lines" in text
    for entry in data["ledger"]:
        assert entry["at"] in result.output  # whole, on one line
    result = CliRunner().invoke(app, ["--db", db, "explain", "mod"])
    assert "within the range [0, 100]" in " ".join(result.output.split())


SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _raw(store: Store, policies: PolicySet, account: str, t: float) -> AccountState:
    return account_at(store, policies, account, t)


@SETTINGS
@given(streams(max_acts=40), st.floats(0.0, 1.0))
def test_standing_at_t_is_the_standing_of_the_log_cut_at_t(stream: Stream, where: float) -> None:
    times = sorted({_epoch(str(event["at"])) for event in stream.events})
    t = times[0] + where * (times[-1] - times[0])
    kept = [
        line
        for line, e in zip(stream.lines(), stream.events, strict=True)
        if _epoch(str(e["at"])) <= t
    ]
    with tempfile.TemporaryDirectory() as tmp:
        ingest_lines(Path(tmp) / "all.db", stream.lines())
        ingest_lines(Path(tmp) / "cut.db", kept)
        full, cut = (Store.open(f"sqlite:///{Path(tmp) / name}") for name in ("all.db", "cut.db"))
        try:
            policies = load_policies(full, [])
            accounts = [row[0] for row in cut.execute_sql("SELECT id FROM accounts ORDER BY id")]
            for account in accounts:
                got, want = _view(full, policies, account, t), _view(cut, policies, account, t)
                assert got.pop("exact") == pytest.approx(want.pop("exact"), abs=1e-9)
                assert got == want
            later = full.execute_sql(
                "SELECT id FROM accounts WHERE registered_at > :t LIMIT 1", {"t": t}
            )
            for (account,) in later:
                with pytest.raises(NotRegistered):
                    standing.standing(full, policies, account, t)
        finally:
            full.close()
            cut.close()
