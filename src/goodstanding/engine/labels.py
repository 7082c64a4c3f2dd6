"""Violation labels on content: which rule's label it carries, the weight of the reports
naming a rule, and what engaging with labelled content costs."""

from __future__ import annotations

from goodstanding.engine import ledger
from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect, LabelChanged
from goodstanding.engine.state import AccountState, ContentState
from goodstanding.policy.model import Policy


def changed(
    event_id: str,
    t: float,
    content: ContentState,
    rule_id: str,
    status: str,
    automated: bool = False,
) -> LabelChanged:
    """The effect of content's label for a rule taking a new status, with whether the content
    is visible now."""
    return LabelChanged(
        event_id=event_id,
        at=t,
        content_id=content.id,
        rule_id=rule_id,
        status=status,
        visible=content.visible,
        automated=automated,
    )


def unflag(content: ContentState, rule_id: str) -> None:
    """Drops a rule's flag (a review decided it)."""
    content.flags.pop(rule_id, None)


def labelled_rule(content: ContentState) -> str | None:
    """The rule of the violation label content carries now (upheld first), if any."""
    if content.violations:
        return content.violations[0]
    return min(content.flags) if content.flags else None


def report_score(ctx: Context, content: ContentState, rule_id: str, policy: Policy) -> float:
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
            reporter = ctx.state.accounts.get(reporter_id)
            score += reporter.report_accuracy() if reporter is not None else 0.5
    return score


def engaged_with(
    ctx: Context,
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
        content.charged += (account.id,)
        ctx.state.touch_content(content)
    return ledger.entry(
        ctx,
        account,
        weight,
        t,
        policy,
        "engaged_violating",
        event_id,
        (event_id, content.id),
        rule_id=rule_id,
    )
