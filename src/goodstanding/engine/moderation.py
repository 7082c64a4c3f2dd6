"""Moderation in the fold: detections on posted content and report scores raise flags.
Deterministic: the detectors are built by the shell and handed to the fold."""

from __future__ import annotations

from datetime import UTC, datetime

from goodstanding.detect.spec import ReportsSpec
from goodstanding.engine import decisions, labels
from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect, Notice
from goodstanding.engine.state import DAY, AccountState, ContentState
from goodstanding.events import ContentPosted, ContentReported
from goodstanding.policy import conditions
from goodstanding.policy.conditions import Facts
from goodstanding.policy.model import Policy, Rule


def on_posted(
    ctx: Context,
    event: ContentPosted,
    t: float,
    policy: Policy,
    account: AccountState,
    content: ContentState,
) -> list[Effect]:
    """A comment under labelled content counts against its author; published content is
    judged by the rules in force whose conditions hold: on their conditions alone (rules
    without a text detector), or by their detectors."""
    effects: list[Effect] = []
    if content.parent_id is not None:
        parent = ctx.state.contents.get(content.parent_id)
        if parent is not None:
            effects += labels.engaged_with(ctx, account, parent, event.id, t, policy)
    if not content.published:
        return effects
    conditioned = [rule for rule in policy.rules if rule.when is not None]
    facts = _facts(account, event, t, policy) if conditioned else None
    for alone in conditioned:
        when = alone.when
        if when is None or not alone.on_conditions_alone or not alone.in_force(event.at):
            continue
        if facts is not None and conditions.holds(when, facts):
            effects += decisions.flag(
                ctx,
                content,
                alone,
                when.outcome,
                "conditions",
                conditions.describe(when),
                event.id,
                t,
                policy,
            )
    if not event.text.strip():
        return effects
    detection = ctx.detections.pop(event.id, None) or ctx.detectors[policy.version].detect(
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
        if not _holds(rule, facts):
            continue
        evidence = tuple(
            f"{f.kind} {f.detector}"
            + (f" (score {f.score:.2f})" if f.score is not None else "")
            + ("" if content.group_id is not None else f": {f.excerpt!r}")
            for f in detection.for_rule(rule_id)
        )
        effects += decisions.flag(
            ctx,
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


def _facts(account: AccountState, event: ContentPosted, t: float, policy: Policy) -> Facts:
    """What a rule's conditions test: the author as of the act, and the act itself."""
    window = policy.sanctions.strike_window_days * DAY
    return Facts(
        account_age_days=(t - account.registered_at) / DAY,
        band=policy.band_for(account.score(t, policy)).name,
        verified=bool(account.identities),
        strikes=len(account.active_strikes(t, window)),
        kind=event.kind,
        in_group=event.group_id is not None,
        has_link=conditions.has_link(event.text),
        attributes=event.attributes or {},
    )


def _holds(rule: Rule, facts: Facts | None) -> bool:
    return rule.when is None or facts is None or conditions.holds(rule.when, facts)


def on_reported(
    ctx: Context, event: ContentReported, t: float, content: ContentState
) -> list[Effect]:
    """Past the rule's report threshold, reported content is queued or hidden per policy."""
    found = ctx.policies.rule_at(event.rule, datetime.fromtimestamp(content.at, UTC))
    if found is None:
        return []
    act_policy, rule = found
    spec = next((d for d in rule.detectors if isinstance(d, ReportsSpec)), None)
    if spec is None:
        return []
    score = labels.report_score(ctx, content, rule.id, act_policy)
    if score < spec.threshold:
        return []
    return decisions.flag(
        ctx,
        content,
        rule,
        spec.outcome,
        "reports",
        (f"report score {score:.2f} reached {spec.threshold:g}",),
        event.id,
        t,
        act_policy,
    )
