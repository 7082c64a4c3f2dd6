"""Moderation in the fold: detectors on posted content, report scores, the flags they raise
(label, queue, hide, or an automatic decision), and engagement with content labelled as
violating. Deterministic: detectors are pure functions of the text and the policy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from goodstanding.detect import Detector
from goodstanding.detect.spec import ReportsSpec
from goodstanding.engine import comments
from goodstanding.engine.effects import Effect, Flagged, LabelChanged, Notice
from goodstanding.engine.state import AccountState, ContentState
from goodstanding.events import ContentPosted, ContentReported
from goodstanding.policy.model import Policy, Rule

if TYPE_CHECKING:
    from goodstanding.engine.fold import Engine

SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
STATUS = {"label": "flagged", "queue": "queued", "hide": "hidden"}
AUTOMATED_DECIDER = "goodstanding:automatic"


def detector_for(engine: Engine, policy: Policy) -> Detector:
    """The detector of a policy version, built once per engine."""
    found = engine.detectors.get(policy.version)
    if found is None:
        rules = [(rule.id, rule.detectors) for rule in policy.rules if rule.detectors]
        found = Detector.build(rules, base_dir=engine.policies.base_dirs.get(policy.version))
        engine.detectors[policy.version] = found
    return found


def on_posted(
    engine: Engine,
    event: ContentPosted,
    t: float,
    policy: Policy,
    account: AccountState,
    content: ContentState,
) -> list[Effect]:
    """A comment under labelled content counts against its author; published text goes
    through the detectors of the rules in force."""
    effects: list[Effect] = []
    if content.parent_id is not None:
        parent = engine.state.contents.get(content.parent_id)
        if parent is not None:
            effects += engaged_with(engine, account, parent, event.id, t, policy)
    if not content.published or not event.text.strip():
        return effects
    detection = engine.detections.pop(event.id, None) or detector_for(engine, policy).detect(
        event.text
    )
    for failure in detection.failures:
        effects.append(
            Notice(
                event_id=event.id,
                at=t,
                message=(
                    f"detector {failure.kind} ({failure.detector}) of rule {failure.rule_id} "
                    f"failed on {content.id!r}: {failure.error}; the content was not judged by it"
                ),
            )
        )
    for rule_id in detection.rules:
        rule = policy.rules_by_id.get(rule_id)
        outcome = detection.outcome_for(rule_id)
        if rule is None or outcome is None or not rule.in_force(event.at):
            continue
        evidence = tuple(
            f"{f.kind} {f.detector}"
            + (f" (score {f.score:.2f})" if f.score is not None else "")
            + ("" if content.group_id is not None else f": {f.excerpt!r}")
            for f in detection.for_rule(rule_id)
        )
        effects += flag(
            engine,
            content,
            rule,
            outcome,
            "detector",
            evidence,
            event.id,
            t,
            policy,
        )
    return effects


def on_reported(
    engine: Engine, event: ContentReported, t: float, content: ContentState
) -> list[Effect]:
    """Past the rule's report threshold, reported content is queued or hidden per policy."""
    found = engine.policies.rule_at(event.rule, datetime.fromtimestamp(content.at, UTC))
    if found is None:
        return []
    act_policy, rule = found
    spec = next((d for d in rule.detectors if isinstance(d, ReportsSpec)), None)
    if spec is None:
        return []
    score = report_score(engine, content, rule.id, act_policy)
    if score < spec.threshold:
        return []
    return flag(
        engine,
        content,
        rule,
        spec.outcome,
        "reports",
        (f"report score {score:.2f} reached {spec.threshold:g}",),
        event.id,
        t,
        act_policy,
    )


def report_score(engine: Engine, content: ContentState, rule_id: str, policy: Policy) -> float:
    """The weight of the pending reports naming a rule: each reporter's past accuracy (reports
    upheld, smoothed), or the trusted-flagger weight."""
    trusted = policy.detection.trusted_flaggers
    score = 0.0
    for reporter_id, named, _ in content.reports:
        if named != rule_id:
            continue
        if reporter_id in trusted:
            score += policy.detection.trusted_weight
        else:
            reporter = engine.state.accounts.get(reporter_id)
            score += reporter.report_accuracy() if reporter is not None else 0.5
    return score


def flag(
    engine: Engine,
    content: ContentState,
    rule: Rule,
    outcome: str,
    source: str,
    evidence: tuple[str, ...],
    event_id: str,
    t: float,
    policy: Policy,
) -> list[Effect]:
    """Raises a flag on content: recorded only (shadow rules), a label, a place in the review
    queue, hidden pending review, or an automatic decision."""
    if rule.id in content.violations or rule.id in content.flags:
        return []
    rank = SEVERITY_RANK[rule.severity]
    priority = (
        rank * 100 + len(content.engaged) + 10 * report_score(engine, content, rule.id, policy)
    )
    found = Flagged(
        event_id=event_id,
        at=t,
        content_id=content.id,
        rule_id=rule.id,
        outcome=outcome,
        mode=rule.mode,
        source=source,
        evidence=evidence,
        priority=priority,
    )
    if rule.mode == "shadow":
        return [found]
    if outcome == "automatic":
        return [
            found,
            *engine.upheld(
                f"{event_id}#{rule.id}", AUTOMATED_DECIDER, t, policy, content, rule, automated=True
            ),
        ]
    content.flags[rule.id] = STATUS[outcome]
    engine.state.touch_content(content)
    return [
        found,
        LabelChanged(
            event_id=event_id,
            at=t,
            content_id=content.id,
            rule_id=rule.id,
            status=STATUS[outcome],
            visible=content.visible,
            automated=source == "detector",
        ),
        *comments.labelled(content, event_id, t),
    ]


def unflag(content: ContentState, rule_id: str) -> bool:
    """Drops a rule's flag (a review decided it); whether the content is visible now."""
    content.flags.pop(rule_id, None)
    return content.visible


def labelled_rule(content: ContentState) -> str | None:
    """The rule of the violation label content carries now (upheld first), if any."""
    if content.violations:
        return content.violations[0]
    return min(content.flags) if content.flags else None


def engaged_with(
    engine: Engine,
    account: AccountState,
    content: ContentState,
    event_id: str,
    t: float,
    policy: Policy,
) -> list[Effect]:
    """Liking, sharing or commenting on content labelled as violating, per the policy's weight."""
    weight = policy.scoring.weights.engaged_violating
    rule_id = labelled_rule(content)
    if not weight or rule_id is None or account.id == content.author:
        return []
    if account.id not in content.charged:
        content.charged.append(account.id)
        engine.state.touch_content(content)
    return engine.entry(
        account,
        weight,
        t,
        policy,
        "engaged_violating",
        event_id,
        (event_id, content.id),
        rule_id=rule_id,
    )


def retroactive(
    engine: Engine, content: ContentState, rule: Rule, decision_id: str, t: float, policy: Policy
) -> list[Effect]:
    """With the policy's retroactive switch, those who engaged before the label count too."""
    weight = policy.scoring.weights.engaged_violating
    if not policy.detection.retroactive_engagement or not weight:
        return []
    effects: list[Effect] = []
    for key in content.engaged:
        actor_id = key.split(":", 1)[0]
        account = engine.state.accounts.get(actor_id)
        if account is None or actor_id in content.charged or actor_id == content.author:
            continue
        content.charged.append(actor_id)
        effects += engine.entry(
            account,
            weight,
            t,
            policy,
            "engaged_violating",
            decision_id,
            (decision_id, content.id),
            rule_id=rule.id,
            note="engaged before the label (retroactive, per policy)",
        )
    engine.state.touch_content(content)
    return effects
