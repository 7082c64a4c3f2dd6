"""Denied acts: content posted while its author lacked the privilege was never shown, so
nothing about it acts on the author (no strike, penalty, sanction, label or notice)."""

from __future__ import annotations

from pathlib import Path

from goodstanding.engine import (
    Denial,
    Engine,
    Flagged,
    LabelChanged,
    LedgerEntry,
    Notice,
    SanctionImposed,
    StrikeIssued,
)
from goodstanding.engine.effects import Effect
from helpers import community, engine, ev
from test_moderation import engine_with, post

T = "2026-01-02T01:00:00Z"
LATER = "2026-01-02T02:00:00Z"
AGAINST_AUTHOR = (StrikeIssued, LedgerEntry, SanctionImposed, LabelChanged)


def denied_post(eng: Engine, actor: str, cid: str, text: str) -> None:
    """A post with a link from an account whose band lacks `post_links`: a denial."""
    eng.state.accounts[actor].acc = -25.0
    effects = post(eng, actor, cid, f"{text} https://example.org")
    assert [type(e) for e in effects] == [Denial]
    assert not eng.state.contents[cid].published


def against(effects: list[Effect], account: str) -> list[Effect]:
    return [
        e
        for e in effects
        if isinstance(e, AGAINST_AUTHOR) and getattr(e, "account_id", account) == account
    ]


def review(eng: Engine, cid: str, rule: str, verdict: str = "violates") -> list[Effect]:
    return eng.apply(ev("review.decided", LATER, "mod", content_id=cid, rule=rule, verdict=verdict))


def test_a_violates_verdict_on_never_shown_content_gives_no_strike() -> None:
    eng = engine()
    community(eng)
    denied_post(eng, "m1", "c1", "buy now")
    effects = review(eng, "c1", "spam.bulk")
    assert against(effects, "m1") == []
    assert [type(e) for e in effects] == [Notice]
    assert "never shown" in effects[0].message  # type: ignore[attr-defined]
    assert eng.state.accounts["m1"].strikes == []
    assert eng.state.decisions[effects[0].event_id].penalty == 0.0  # kept, without effect
    assert eng.state.contents["c1"].violations == ()


def test_reports_on_never_shown_content_are_recorded_not_acted_on(tmp_path: Path) -> None:
    eng = engine_with(tmp_path, extra='\n[detection]\ntrusted_flaggers = ["m5"]\n')
    denied_post(eng, "m1", "x", "idiot")
    effects = eng.apply(ev("content.reported", T, "m5", content_id="x", rule="harassment.insults"))
    assert against(effects, "m1") == []
    flag = next(e for e in effects if isinstance(e, Flagged))
    assert flag.mode == "unshown" and any("never shown" in item for item in flag.evidence)
    assert eng.state.contents["x"].flags == {}


def test_a_never_shown_comment_under_labelled_content_costs_its_author_nothing(
    tmp_path: Path,
) -> None:
    engine_with(tmp_path, outcome="label")  # writes p.toml with the insult detectors
    weights = tmp_path / "w.toml"
    weights.write_text(
        (tmp_path / "p.toml")
        .read_text()
        .replace("report_rejected = -1.0", "report_rejected = -1.0\nengaged_violating = -0.3")
    )
    eng = engine(weights)
    community(eng, members=5)
    post(eng, "m1", "bad", "idiot")
    eng.state.accounts["m3"].acc = -45.0  # band "restricted": no comments
    effects = post(eng, "m3", "k", "agreed", parent_id="bad")
    assert [type(e) for e in effects] == [Denial]


def test_the_author_may_still_appeal_a_verdict_on_never_shown_content() -> None:
    eng = engine()
    community(eng)
    eng.apply(ev("account.registered", T, "mod2", role="moderator"))
    denied_post(eng, "m1", "c1", "buy now")
    decision = review(eng, "c1", "spam.bulk")[0].event_id
    filed = eng.apply(
        ev("appeal.filed", LATER, "m1", appeal_id="ap1", decision_id=decision, reason="never shown")
    )
    assert filed
    decided = eng.apply(
        ev("appeal.decided", "2026-01-03T00:00:00Z", "mod2", appeal_id="ap1", outcome="reversed")
    )
    assert against(decided, "m1") == []  # nothing to undo, and no label on content never shown
