"""Appeals: who may appeal what and when, and what a reversal undoes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodstanding.engine import (
    Engine,
    LabelChanged,
    LedgerEntry,
    Rejected,
    SanctionImposed,
)
from goodstanding.engine.effects import AppealDecidedEffect, SanctionLifted
from helpers import community, engine, ev

D = "2026-01-03T00:00:00Z"


def decided(eng: Engine, cid: str, rule: str, at: str, decision_id: str, by: str = "mod") -> list:
    eng.apply(
        ev("content.posted", "2026-01-02T01:00:00Z", "m1", content_id=cid, kind="post", text="...")
    )
    return eng.apply(
        ev("review.decided", at, by, id=decision_id, content_id=cid, rule=rule, verdict="violates")
    )


def with_second_moderator() -> Engine:
    eng = engine()
    community(eng)
    eng.apply(ev("account.registered", "2026-01-02T00:00:00Z", "mod2", role="moderator"))
    return eng


def test_refusals_name_their_reason() -> None:
    eng = with_second_moderator()
    decided(eng, "c1", "spam.bulk", D, "d1")
    with pytest.raises(Rejected, match="no appealable decision 'nope'"):
        eng.apply(ev("appeal.filed", D, "m1", appeal_id="a0", decision_id="nope"))
    with pytest.raises(Rejected, match="only the affected account \\('m1'\\) may appeal"):
        eng.apply(ev("appeal.filed", D, "m2", appeal_id="a0", decision_id="d1"))
    with pytest.raises(Rejected, match="appeal window closed"):
        eng.apply(
            ev("appeal.filed", "2026-07-05T00:00:01Z", "m1", appeal_id="a0", decision_id="d1")
        )
    eng.apply(ev("appeal.filed", "2026-07-04T00:00:00Z", "m1", appeal_id="a1", decision_id="d1"))
    with pytest.raises(Rejected, match="already appealed"):
        eng.apply(
            ev("appeal.filed", "2026-07-04T00:00:00Z", "m1", appeal_id="a2", decision_id="d1")
        )
    with pytest.raises(Rejected, match="no appeal 'a9'"):
        eng.apply(
            ev("appeal.decided", "2026-07-05T00:00:00Z", "mod2", appeal_id="a9", outcome="upheld")
        )
    with pytest.raises(Rejected, match="may not decide its appeal"):
        eng.apply(
            ev("appeal.decided", "2026-07-05T00:00:00Z", "mod", appeal_id="a1", outcome="reversed")
        )
    with pytest.raises(Rejected, match="not a moderator"):
        eng.apply(
            ev("appeal.decided", "2026-07-05T00:00:00Z", "m2", appeal_id="a1", outcome="reversed")
        )
    upheld = eng.apply(
        ev("appeal.decided", "2026-07-05T00:00:00Z", "mod2", appeal_id="a1", outcome="upheld")
    )
    assert isinstance(upheld[0], AppealDecidedEffect) and upheld[0].seconds_to_decide == 86400
    with pytest.raises(Rejected, match="already decided"):
        eng.apply(
            ev("appeal.decided", "2026-07-06T00:00:00Z", "mod2", appeal_id="a1", outcome="reversed")
        )


def test_reversal_lifts_sanctions_restores_content_and_cancels_the_penalty() -> None:
    eng = with_second_moderator()
    decided(eng, "c1", "spam.bulk", D, "d1")
    effects = decided(eng, "c2", "spam.bulk", "2026-01-04T00:00:00Z", "d2")
    restriction = next(e for e in effects if isinstance(e, SanctionImposed))
    assert restriction.action == "restriction"
    eng.apply(ev("appeal.filed", "2026-01-05T00:00:00Z", "m1", appeal_id="a2", decision_id="d2"))
    out = eng.apply(
        ev("appeal.decided", "2026-01-06T00:00:00Z", "mod2", appeal_id="a2", outcome="reversed")
    )
    lifted = [e for e in out if isinstance(e, SanctionLifted)]
    assert [e.sanction_id for e in lifted] == [restriction.sanction_id]
    entry = next(e for e in out if isinstance(e, LedgerEntry))
    assert entry.delta == 5.0 and entry.reason == "appeal_reversed" and "a2" in entry.evidence
    label = next(e for e in out if isinstance(e, LabelChanged))
    assert label.status == "reversed" and label.visible
    account = eng.state.accounts["m1"]
    assert [s.overruled for s in account.strikes] == [False, True]
    after = ev("account.registered", "2026-01-06T00:00:01Z", "z").at.timestamp()
    assert account.binding(after) == []


def _score(eng: Engine, account: str, at: str) -> float:
    t = ev("account.registered", at, "z").at.timestamp()
    policy = eng.policy_at(t)
    assert policy is not None
    return eng.state.accounts[account].score(t, policy)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(["spam.bulk", "harassment.insults", "threat.violence"]),
        min_size=1,
        max_size=5,
    ),
    st.data(),
)
def test_score_after_reversal_equals_replay_without_the_decision(
    rules: list[str], data: st.DataObject
) -> None:
    overruled = data.draw(st.integers(0, len(rules) - 1))
    appealed, clean = with_second_moderator(), with_second_moderator()
    for i, rule in enumerate(rules):
        at = f"2026-01-{3 + i:02d}T00:00:00Z"
        decided(appealed, f"c{i}", rule, at, f"d{i}")
        if i != overruled:
            decided(clean, f"c{i}", rule, at, f"d{i}")
        else:
            clean.apply(
                ev(
                    "content.posted",
                    "2026-01-02T01:00:00Z",
                    "m1",
                    content_id=f"c{i}",
                    kind="post",
                    text="...",
                )
            )
    appealed.apply(
        ev("appeal.filed", "2026-01-20T00:00:00Z", "m1", appeal_id="a", decision_id=f"d{overruled}")
    )
    appealed.apply(
        ev("appeal.decided", "2026-01-21T00:00:00Z", "mod2", appeal_id="a", outcome="reversed")
    )
    for at in ("2026-01-21T00:00:00Z", "2026-06-01T00:00:00Z"):
        assert _score(appealed, "m1", at) == pytest.approx(_score(clean, "m1", at), abs=1e-9)
