"""The sanction ladder: the step that strikes or a low score call for, its imposition with a
statement of reasons, and the lifting of a sanction before its end."""

from __future__ import annotations

from goodstanding.engine import identities
from goodstanding.engine.base import iso
from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect, SanctionImposed, SanctionLifted
from goodstanding.engine.state import DAY, AccountState, Sanction
from goodstanding.policy.model import ACTIONS, LadderStep, Policy, Rule


def strikes_step(
    ctx: Context, account: AccountState, t: float, policy: Policy, rule: Rule, event_id: str
) -> list[Effect]:
    """The ladder's step for the account's active strikes, after a violation of `rule`
    (a warning first for a first violation of its kind, unless the rule is severe)."""
    sanctions = policy.sanctions
    active = account.active_strikes(t, sanctions.strike_window_days * DAY)
    step: LadderStep | None = None
    for candidate in sanctions.strike_steps:
        if candidate.strikes is not None and candidate.strikes <= len(active):
            step = candidate
    if step is None:
        return []
    trigger = (
        f"{len(active)} active strike{'s' if len(active) != 1 else ''} (step at {step.trigger})"
    )
    if step.action != "warning" and not rule.severe and rule.category not in account.warned:
        step = sanctions.strike_steps[0]
        trigger += "; first violation of this kind, so a warning comes first"
    if covered(account, t, step.action):
        return []
    evidence = tuple(s.decision_id for s in active)
    return impose(ctx, account, step, t, policy, rule, event_id, trigger, evidence)


def covered(account: AccountState, t: float, action: str) -> bool:
    """Whether a binding sanction at least as harsh as `action` already applies."""
    if action == "warning":
        return False
    rank = ACTIONS.index(action)
    return any(ACTIONS.index(s.action) >= rank for s in account.binding(t))


def score_step(
    ctx: Context, account: AccountState, t: float, policy: Policy, event_id: str, rule: Rule | None
) -> list[Effect]:
    """The ladder's step for an account whose score fell below a threshold, if any."""
    score = account.score(t, policy)
    for step in policy.sanctions.score_steps:
        if step.score_below is None or score >= step.score_below:
            continue
        if covered(account, t, step.action):
            return []
        trigger = f"score {score:.1f} below {step.score_below:g}"
        if step.action != "warning" and not account.warned and not (rule and rule.severe):
            step = policy.sanctions.strike_steps[0]
            trigger += "; no earlier warning, so a warning comes first"
        return impose(ctx, account, step, t, policy, rule, event_id, trigger, (event_id,))
    return []


def impose(
    ctx: Context,
    account: AccountState,
    step: LadderStep,
    t: float,
    policy: Policy,
    rule: Rule | None,
    event_id: str,
    trigger: str,
    evidence: tuple[str, ...],
) -> list[Effect]:
    """Imposes `step` on the account at time t, for `rule` (None: for its score), with a
    statement of reasons naming the rule, the step and its `trigger`; blocks the account's
    identities where the step calls for it."""
    until = t + step.days * DAY if step.days is not None else None
    sanction = Sanction(
        id=f"{event_id}/{account.id}/{step.action}",
        action=step.action,
        at=t,
        until=until,
        rule_id=rule.id if rule else None,
        privileges=step.privileges,
    )
    if step.action == "warning":
        account.warned[rule.category if rule is not None else "score"] = sanction.id
    else:
        account.sanctions = [s for s in account.sanctions if s.until is None or s.until > t] + [
            sanction
        ]
    ctx.state.touch_account(account)
    duration = f"until {iso(until)}" if until is not None else "without end date"
    cited = (
        f"Rule {rule.id} (policy {policy.version}), {rule.title}: {rule.text} "
        if rule is not None
        else ""
    )
    reasons = f"{cited}Step: {step.action} {duration}, because of {trigger}."
    imposed = SanctionImposed(
        event_id=event_id,
        at=t,
        sanction_id=sanction.id,
        account_id=account.id,
        action=step.action,
        until=until,
        rule_id=sanction.rule_id,
        policy_version=policy.version,
        trigger=trigger,
        reasons=reasons,
        evidence=evidence,
        privileges=step.privileges,
    )
    return [
        imposed,
        *identities.block_identities(ctx, account, sanction.id, step.action, t, until, policy),
    ]


def lift(
    ctx: Context, account: AccountState, sanction: Sanction, event_id: str, t: float, reason: str
) -> list[Effect]:
    """Lifts a sanction before its end (a reversal, a moderator's lift), with the identity
    blocks it placed."""
    sanction.lifted = True
    ctx.state.touch_account(account)
    return [
        SanctionLifted(
            event_id=event_id, at=t, sanction_id=sanction.id, account_id=account.id, reason=reason
        ),
        *identities.unblock_identities(ctx, account, sanction.id, event_id, t),
    ]
