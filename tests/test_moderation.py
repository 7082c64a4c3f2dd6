"""Detection and reports in the fold: flags, the review queue, shadow rules, automatic
decisions, reporter accuracy, and engagement with content labelled as violating."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from goodstanding.detect.classifier import register_classifier
from goodstanding.engine import Engine, Flagged, LabelChanged, LedgerEntry, Notice, StrikeIssued
from helpers import POLICY_V1, community, engine, ev

T = "2026-01-02T01:00:00Z"
INSULTS = """
[[rules.detectors]]
kind = "terms"
terms = ["idiot", "傻逼"]
outcome = "{outcome}"

[[rules.detectors]]
kind = "reports"
threshold = 1.0
outcome = "hide"
"""


def engine_with(
    tmp_path: Path, outcome: str = "queue", mode: str = "live", extra: str = ""
) -> Engine:
    text = POLICY_V1.read_text()
    marker = 'id = "harassment.insults"'
    head, rest = text.split(marker)
    block, tail = rest.split("\n[[rules]]", 1)
    block = block.rstrip() + f'\nmode = "{mode}"\n' + INSULTS.format(outcome=outcome)
    policy = tmp_path / "p.toml"
    policy.write_text(head + marker + block + "\n[[rules]]" + tail + extra)
    eng = engine(policy)
    community(eng, members=5)
    return eng


def post(eng: Engine, actor: str, cid: str, text: str, at: str = T, **extra: str) -> list:
    kind = "comment" if "parent_id" in extra else "post"
    return eng.apply(ev("content.posted", at, actor, content_id=cid, kind=kind, text=text, **extra))


def test_a_detector_match_queues_with_evidence_and_priority(tmp_path: Path) -> None:
    eng = engine_with(tmp_path)
    effects = post(eng, "m1", "c1", "you are an 1d10t")
    flag = next(e for e in effects if isinstance(e, Flagged))
    assert (flag.rule_id, flag.outcome, flag.mode, flag.source) == (
        "harassment.insults",
        "queue",
        "live",
        "detector",
    )
    assert any("1d10t" in item for item in flag.evidence)  # the original span is cited
    assert flag.priority >= 200  # severity medium ranks 2
    label = next(e for e in effects if isinstance(e, LabelChanged))
    assert label.status == "queued" and label.visible and label.automated
    assert post(eng, "m2", "c2", "我觉得你是个傻逼") and "harassment.insults" in (
        eng.state.contents["c2"].flags
    )
    assert not [e for e in post(eng, "m2", "c3", "a classic example") if isinstance(e, Flagged)]


def test_hidden_content_is_restored_when_a_review_clears_it(tmp_path: Path) -> None:
    eng = engine_with(tmp_path, outcome="hide")
    post(eng, "m1", "c1", "idiot")
    assert not eng.state.contents["c1"].visible
    effects = eng.apply(
        ev(
            "review.decided",
            "2026-01-02T02:00:00Z",
            "mod",
            content_id="c1",
            rule="harassment.insults",
            verdict="clear",
        )
    )
    label = next(e for e in effects if isinstance(e, LabelChanged))
    assert label.status == "cleared" and label.visible and eng.state.contents["c1"].visible


def test_shadow_rules_record_but_do_nothing(tmp_path: Path) -> None:
    eng = engine_with(tmp_path, outcome="hide", mode="shadow")
    effects = post(eng, "m1", "c1", "idiot")
    flags = [e for e in effects if isinstance(e, Flagged)]
    assert [f.mode for f in flags] == ["shadow"]
    assert not [e for e in effects if isinstance(e, LabelChanged)]
    assert eng.state.contents["c1"].visible and not eng.state.contents["c1"].flags


def test_automatic_outcomes_are_decisions_marked_automated(tmp_path: Path) -> None:
    eng = engine_with(tmp_path, outcome="automatic")
    effects = post(eng, "m1", "c1", "idiot")
    assert any(isinstance(e, StrikeIssued) for e in effects)
    label = next(e for e in effects if isinstance(e, LabelChanged))
    assert label.status == "upheld" and label.automated
    decision = next(iter(eng.state.decisions.values()))
    assert decision.decided_by == "goodstanding:automatic"


def test_report_score_weighs_reporters_by_their_accuracy(tmp_path: Path) -> None:
    eng = engine_with(tmp_path, extra='\n[detection]\ntrusted_flaggers = ["m5"]\n')
    post(eng, "m1", "x", "hello there")
    # one report from an unknown reporter weighs 0.5: below the threshold of 1.0
    first = eng.apply(ev("content.reported", T, "m2", content_id="x", rule="harassment.insults"))
    assert not first and eng.state.contents["x"].visible
    # a trusted flagger's report weighs 3.0: the content is hidden pending review
    second = eng.apply(ev("content.reported", T, "m5", content_id="x", rule="harassment.insults"))
    flag = next(e for e in second if isinstance(e, Flagged))
    assert flag.source == "reports" and flag.outcome == "hide"
    assert not eng.state.contents["x"].visible
    # the review rejects the reports: their authors' accuracy falls
    eng.apply(
        ev(
            "review.decided",
            "2026-01-02T02:00:00Z",
            "mod",
            content_id="x",
            rule="harassment.insults",
            verdict="clear",
        )
    )
    assert eng.state.accounts["m2"].report_accuracy() == pytest.approx(1 / 3)


def test_engaging_with_labelled_content_costs_the_engager(tmp_path: Path) -> None:
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
    liked = eng.apply(ev("content.engaged", T, "m2", content_id="bad", kind="like"))
    assert [(e.account_id, e.reason, e.delta) for e in liked if isinstance(e, LedgerEntry)] == [
        ("m2", "engaged_violating", -0.3)
    ]
    comment = post(eng, "m3", "k", "agreed", parent_id="bad")
    assert ("m3", "engaged_violating") in {
        (e.account_id, e.reason) for e in comment if isinstance(e, LedgerEntry)
    }


def test_retroactive_engagement_is_a_policy_switch(tmp_path: Path) -> None:
    base = POLICY_V1.read_text().replace(
        "report_rejected = -1.0", "report_rejected = -1.0\nengaged_violating = -0.3"
    )
    for retro, expected in ((False, []), (True, [("m2", "engaged_violating")])):
        policy = tmp_path / f"r{retro}.toml"
        policy.write_text(base + f"\n[detection]\nretroactive_engagement = {str(retro).lower()}\n")
        eng = engine(policy)
        community(eng, members=3)
        post(eng, "m1", "c", "innocent looking")
        eng.apply(ev("content.engaged", T, "m2", content_id="c", kind="like"))
        effects = eng.apply(
            ev(
                "review.decided",
                "2026-01-02T02:00:00Z",
                "mod",
                content_id="c",
                rule="spam.bulk",
                verdict="violates",
            )
        )
        got = [
            (e.account_id, e.reason)
            for e in effects
            if isinstance(e, LedgerEntry) and e.reason == "engaged_violating"
        ]
        assert got == expected


class Exploding:
    name = "exploding"

    def predict(self, texts: Sequence[str]) -> list[float]:
        raise RuntimeError("model file is corrupt")


def test_a_classifier_that_raises_is_recorded_not_fatal(tmp_path: Path) -> None:
    register_classifier("exploding", lambda _argument: Exploding())
    engine_with(tmp_path)  # writes p.toml with the insult detectors
    policy = tmp_path / "c.toml"
    policy.write_text(
        (tmp_path / "p.toml")
        .read_text()
        .replace(
            'kind = "terms"',
            'kind = "classifier"\nmodel = "exploding:x"\nthreshold = 0.5\n'
            '\n[[rules.detectors]]\nkind = "terms"',
            1,
        )
    )
    eng = engine(policy)
    community(eng, members=2)
    effects = post(eng, "m1", "c", "idiot")
    notices = [e for e in effects if isinstance(e, Notice)]
    assert notices and "failed" in notices[0].message and "corrupt" in notices[0].message
    assert any(isinstance(e, Flagged) for e in effects)  # the other detectors still judged it
