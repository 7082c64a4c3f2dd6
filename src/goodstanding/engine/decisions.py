"""Decisions on content: a flag raised (or an automatic decision taken), a violation upheld
with its strike, penalty and sanction, or the content cleared; and the reporters' reports
resolved either way."""

from __future__ import annotations

from dataclasses import dataclass

from goodstanding.engine import comment_queue, labels, ladder, ledger, lookups
from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect, Flagged, Notice, StrikeIssued
from goodstanding.engine.state import DAY, ContentState, DecisionState, Strike
from goodstanding.policy.model import Policy, Rule

SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
STATUS = {"label": "flagged", "queue": "queued", "hide": "hidden"}
AUTOMATED_DECIDER = "goodstanding:automatic"
NEVER_SHOWN = "never shown: posted while its author lacked the privilege (a denial)"


@dataclass(frozen=True)
class Ruling:
    """A decision that content violates a rule: its id, who took it, when, and under which
    policy."""

    decision_id: str
    decided_by: str
    t: float
    policy: Policy
    content: ContentState
    rule: Rule


def flag(
    ctx: Context,
    content: ContentState,
    rule: Rule,
    outcome: str,
    source: str,
    evidence: tuple[str, ...],
    event_id: str,
    t: float,
    policy: Policy,
) -> list[Effect]:
    """Raises a flag on content: recorded only (shadow rules, and content never shown), a
    label, a place in the review queue, hidden pending review, or an automatic decision."""
    if rule.id in content.violations or rule.id in content.flags:
        return []
    unshown = not content.published
    rank = SEVERITY_RANK[rule.severity]
    priority = (
        rank * 100 + len(content.engaged) + 10 * labels.report_score(ctx, content, rule.id, policy)
    )
    found = Flagged(
        event_id=event_id,
        at=t,
        content_id=content.id,
        rule_id=rule.id,
        outcome=outcome,
        mode="unshown" if unshown else rule.mode,
        source=source,
        evidence=(*evidence, f"{NEVER_SHOWN}; recorded, not acted on") if unshown else evidence,
        priority=priority,
    )
    if unshown or rule.mode == "shadow":
        return [found]
    if outcome == "automatic":
        return [
            found,
            *upheld(
                ctx,
                Ruling(f"{event_id}#{rule.id}", AUTOMATED_DECIDER, t, policy, content, rule),
                automated=True,
            ),
        ]
    content.flags[rule.id] = STATUS[outcome]
    ctx.state.touch_content(content)
    return [
        found,
        labels.changed(event_id, t, content, rule.id, STATUS[outcome], source == "detector"),
        *comment_queue.labelled(content, event_id, t),
    ]


def upheld(ctx: Context, ruling: Ruling, automated: bool = False) -> list[Effect]:
    """The content violates the rule (a moderator's or an automatic decision): it is removed,
    and its author gets a strike, the penalty and the ladder's next step."""
    decision_id, t, policy = ruling.decision_id, ruling.t, ruling.policy
    content, rule = ruling.content, ruling.rule
    author = lookups.account(ctx, content.author, content.at, "author")
    content.violations += (rule.id,)
    content.removed_by = content.removed_by or decision_id
    labels.unflag(content, rule.id)
    ctx.state.touch_content(content)
    expiry = t + policy.sanctions.strike_expiry_days * DAY
    author.strikes = [s for s in author.strikes if s.expires_at > t]
    author.strikes.append(
        Strike(
            at=t,
            rule_id=rule.id,
            category=rule.category,
            content_id=content.id,
            decision_id=decision_id,
            expires_at=expiry,
        )
    )
    ctx.state.touch_account(author)
    evidence = (content.id, decision_id)
    effects: list[Effect] = [
        labels.changed(decision_id, t, content, rule.id, "upheld", automated),
        StrikeIssued(
            event_id=decision_id,
            at=t,
            account_id=author.id,
            rule_id=rule.id,
            policy_version=policy.version,
            content_id=content.id,
            expires_at=expiry,
        ),
    ]
    penalty = policy.scoring.penalties.for_severity(rule.severity)
    decision = kept(ctx, ruling, penalty)
    effects += ledger.entry(
        ctx,
        author,
        penalty,
        t,
        policy,
        "violation",
        decision_id,
        evidence,
        rule_id=rule.id,
        note=rule.title,
    )
    effects += comment_queue.owner_answers(ctx, content, rule, decision, t, policy)
    effects += _resolve_reports(ctx, content, True, t, policy, decision_id)
    effects += _retroactive(ctx, content, rule, decision_id, t, policy)
    effects += ladder.strikes_step(ctx, author, t, policy, rule, decision_id)
    effects += ladder.score_step(ctx, author, t, policy, decision_id, rule)
    return effects


def kept(ctx: Context, ruling: Ruling, penalty: float) -> DecisionState:
    """Keeps the ruling, with the penalty it cost the author (none for content never shown),
    so that an appeal can find and reverse it."""
    decision = DecisionState(
        id=ruling.decision_id,
        at=ruling.t,
        content_id=ruling.content.id,
        account_id=ruling.content.author,
        rule_id=ruling.rule.id,
        policy_version=ruling.policy.version,
        decided_by=ruling.decided_by,
        penalty=penalty,
    )
    ctx.state.decisions[decision.id] = ctx.state.touch_decision(decision)
    return decision


def cleared(
    ctx: Context, decision_id: str, t: float, policy: Policy, content: ContentState, rule: Rule
) -> list[Effect]:
    """A review found the content clear of `rule`: its flag is dropped, what the flag hid
    is shown again, and the reporters' reports count as rejected."""
    if rule.id in content.violations:
        return [
            Notice(
                event_id=decision_id,
                at=t,
                message=(
                    f"{content.id!r} was already upheld as violating {rule.id!r}; "
                    "a decision is reversed only by an appeal"
                ),
            )
        ]
    labels.unflag(content, rule.id)
    return [
        labels.changed(decision_id, t, content, rule.id, "cleared"),
        *_resolve_reports(ctx, content, False, t, policy, decision_id),
    ]


def _resolve_reports(
    ctx: Context, content: ContentState, upheld: bool, t: float, policy: Policy, event_id: str
) -> list[Effect]:
    effects: list[Effect] = []
    weights = policy.scoring.weights
    for reporter_id, _, report_id in content.reports:
        reporter = ctx.state.accounts.get(reporter_id)
        if reporter is None:
            continue
        if upheld:
            reporter.reports_upheld += 1
        else:
            reporter.reports_rejected += 1
        ctx.state.touch_account(reporter)  # its accuracy changed, whatever the ledger does
        delta = weights.report_upheld if upheld else weights.report_rejected
        reason = "report_upheld" if upheld else "report_rejected"
        effects += ledger.entry(
            ctx, reporter, delta, t, policy, reason, event_id, (report_id, event_id), capped=True
        )
    content.reports = ()
    ctx.state.touch_content(content)
    return effects


def _retroactive(
    ctx: Context, content: ContentState, rule: Rule, decision_id: str, t: float, policy: Policy
) -> list[Effect]:
    """With the policy's retroactive switch, those who engaged before the label count too."""
    weight = policy.scoring.weights.engaged_violating
    if not policy.detection.retroactive_engagement or not weight:
        return []
    effects: list[Effect] = []
    for key in content.engaged:
        actor_id = key.split(":", 1)[0]
        account = ctx.state.accounts.get(actor_id)
        if account is None or actor_id in content.charged or actor_id == content.author:
            continue
        content.charged += (actor_id,)
        effects += ledger.entry(
            ctx,
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
    ctx.state.touch_content(content)
    return effects
