"""Appeals: who may appeal what and when, and what a reversal undoes.

A reversal overrules the strike, adds a ledger entry that cancels the penalty (dated at the
decision it cancels, so the score equals what it would have been without the decision),
lifts every sanction the decision caused, and restores the content."""

from __future__ import annotations

from goodstanding.engine import labels, ladder, ledger, lookups
from goodstanding.engine.base import Rejected, iso
from goodstanding.engine.context import Context
from goodstanding.engine.effects import (
    AppealDecidedEffect,
    AppealFiledEffect,
    Effect,
    SanctionLifted,
)
from goodstanding.engine.handler import Handler, Keys
from goodstanding.engine.state import DAY, AppealState, DecisionState
from goodstanding.events import AppealDecided, AppealFiled, brief
from goodstanding.policy.model import Policy


def filed(ctx: Context, event: AppealFiled, t: float, policy: Policy) -> list[Effect]:
    """Records an appeal by the affected account, within the window, once per decision."""
    lookups.account(ctx, event.actor, t)
    decision = ctx.state.decisions.get(event.decision_id)
    if decision is None:
        raise Rejected(
            f"no appealable decision {brief(event.decision_id)} (appeals name the event "
            "id of an upheld review.decided)"
        )
    if event.actor != decision.account_id:
        raise Rejected(
            f"only the affected account ({brief(decision.account_id)}) may appeal "
            f"decision {brief(decision.id)}, not {brief(event.actor)}"
        )
    if decision.appeal_id is not None:
        raise Rejected(
            f"decision {brief(decision.id)} was already appealed "
            f"(appeal {brief(decision.appeal_id)}); one appeal per decision"
        )
    if event.appeal_id in ctx.state.appeals:
        raise Rejected(f"appeal id {brief(event.appeal_id)} is already used")
    if t < decision.at:
        raise Rejected(f"appeal at {iso(t)} precedes the decision at {iso(decision.at)}")
    window = policy.appeals.window_days
    if t > decision.at + window * DAY:
        raise Rejected(
            f"appeal window closed: decision {brief(decision.id)} of {iso(decision.at)} "
            f"could be appealed for {window:g} days, until "
            f"{iso(decision.at + window * DAY)}"
        )
    appeal = AppealState(
        id=event.appeal_id, decision_id=decision.id, account_id=event.actor, filed_at=t
    )
    ctx.state.appeals[appeal.id] = ctx.state.touch_appeal(appeal)
    decision.appeal_id = appeal.id
    ctx.state.touch_decision(decision)
    return [
        AppealFiledEffect(
            event_id=event.id,
            at=t,
            appeal_id=appeal.id,
            decision_id=decision.id,
            account_id=event.actor,
        )
    ]


def decided(ctx: Context, event: AppealDecided, t: float, policy: Policy) -> list[Effect]:
    """Decides an appeal (by a moderator other than the original decider, where the policy
    asks for it); a reversal undoes the decision's effects."""
    moderator = lookups.account(ctx, event.actor, t, "moderator")
    if moderator.role != "moderator":
        raise Rejected(f"{brief(event.actor)} is not a moderator: only moderators decide appeals")
    appeal = ctx.state.appeals.get(event.appeal_id)
    if appeal is None:
        raise Rejected(f"no appeal {brief(event.appeal_id)}")
    if appeal.outcome is not None:
        raise Rejected(f"appeal {brief(appeal.id)} was already decided ({appeal.outcome})")
    if t < appeal.filed_at:
        raise Rejected(f"decision at {iso(t)} precedes the appeal filed at {iso(appeal.filed_at)}")
    decision = ctx.state.decisions[appeal.decision_id]
    if policy.appeals.different_decider and event.actor == decision.decided_by:
        raise Rejected(
            f"{brief(event.actor)} took decision {brief(decision.id)} and may not decide its "
            "appeal; another moderator must"
        )
    appeal.outcome = event.outcome
    ctx.state.touch_appeal(appeal)
    effects: list[Effect] = [
        AppealDecidedEffect(
            event_id=event.id,
            at=t,
            appeal_id=appeal.id,
            decision_id=decision.id,
            account_id=decision.account_id,
            outcome=event.outcome,
            decided_by=event.actor,
            seconds_to_decide=t - appeal.filed_at,
        )
    ]
    if event.outcome == "reversed":
        effects += _reverse(ctx, decision, appeal, event.id, t)
    return effects


def _reverse(
    ctx: Context, decision: DecisionState, appeal: AppealState, event_id: str, t: float
) -> list[Effect]:
    account = lookups.account(ctx, decision.account_id, decision.at)
    decision.reversed = True
    ctx.state.touch_decision(decision)
    for strike in account.strikes:
        if strike.decision_id == decision.id:
            strike.overruled = True
    prefix = f"{decision.id}/"
    reason = f"decision reversed on appeal {appeal.id}"

    effects: list[Effect] = []
    for sanction in account.sanctions:
        if sanction.id.startswith(prefix) and not sanction.lifted:
            effects += ladder.lift(ctx, account, sanction, event_id, t, reason)
    for category, warning in list(account.warned.items()):
        if warning.startswith(prefix):  # a warning binds nothing: only its record is lifted
            del account.warned[category]
            effects.append(
                SanctionLifted(
                    event_id=event_id,
                    at=t,
                    sanction_id=warning,
                    account_id=account.id,
                    reason=reason,
                )
            )
    ctx.state.touch_account(account)
    version = ctx.policies.by_version[decision.policy_version]
    owner = ctx.state.accounts.get(decision.owner_id) if decision.owner_id else None
    cancelled = [(account, decision.penalty, "")]
    if owner is not None:  # the post's owner answered for the comment (comments.py)
        cancelled.append((owner, decision.owner_penalty, " on a comment under your post"))
    for who, penalty, which in cancelled:
        effects += ledger.entry(
            ctx,
            who,
            -penalty,
            decision.at,
            version,
            "appeal_reversed",
            event_id,
            (appeal.id, decision.id),
            rule_id=decision.rule_id,
            note=f"appeal {appeal.id} reversed decision {decision.id}{which} "
            f"on {iso(t)}; dated at the decision it cancels",
        )
    content = ctx.state.contents.get(decision.content_id)
    if content is not None and content.published:  # never shown: no label to reverse
        if decision.rule_id in content.violations:
            first = content.violations.index(decision.rule_id)
            content.violations = content.violations[:first] + content.violations[first + 1 :]
        if content.removed_by == decision.id:
            content.removed_by = None
        ctx.state.touch_content(content)
        effects.append(labels.changed(event_id, t, content, decision.rule_id, "reversed"))
    return effects


def _filed_reads(event: AppealFiled) -> Keys:
    return Keys(accounts={event.actor}, decisions={event.decision_id})


def _decided_reads(event: AppealDecided) -> Keys:
    return Keys(accounts={event.actor}, appeals={event.appeal_id})


HANDLERS: dict[type, Handler] = {
    AppealFiled: Handler(filed, _filed_reads),
    AppealDecided: Handler(decided, _decided_reads),
}
