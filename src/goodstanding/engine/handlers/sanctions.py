"""Sanctions a moderator imposes on an account directly, or lifts, outside the ladder's
automatic triggers.

An imposed sanction is a step of the published ladder (its privileges, and its days unless
the moderator gives others), cites a rule in force when it is imposed, and quotes the
moderator's statement of the facts. It is kept as a decision, so that the account can appeal
it and a reversal lifts it, as for a decision on content. Neither earns a strike nor moves
the score: those follow decisions on acts (review.decided)."""

from __future__ import annotations

from goodstanding.engine import ladder, lookups
from goodstanding.engine.base import Rejected, iso
from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect
from goodstanding.engine.handler import Handler, Keys
from goodstanding.engine.state import AccountState, DecisionState
from goodstanding.events import AccountSanctioned, AccountSanctionLifted, brief
from goodstanding.policy.model import LadderStep, Policy


def _moderator(ctx: Context, event: AccountSanctioned | AccountSanctionLifted, t: float) -> None:
    """Refuses an event by anyone but a moderator, and a moderator acting on themselves."""
    moderator = lookups.account(ctx, event.actor, t, "moderator")
    if moderator.role != "moderator":
        raise Rejected(f"{brief(event.actor)} is not a moderator: only moderators sanction")
    if event.account == event.actor:
        raise Rejected(f"{brief(event.actor)} may not sanction or lift on their own account")


def _step(policy: Policy, event: AccountSanctioned) -> LadderStep:
    """The ladder's step for the action, for the moderator's days where given (else the
    step's own, which may be none: without end)."""
    steps = [*policy.sanctions.strike_steps, *policy.sanctions.score_steps]
    step = next((s for s in steps if s.action == event.action), None)
    if step is None:
        raise Rejected(
            f"the ladder of policy {policy.version} has no {event.action} step; its steps: "
            f"{', '.join(sorted({s.action for s in steps}))}"
        )
    if event.days is None:
        return step
    if event.action in ("warning", "ban"):
        raise Rejected(f"a {event.action} has no duration; leave `days` out")
    return LadderStep(action=step.action, days=event.days, privileges=step.privileges)


def sanctioned(ctx: Context, event: AccountSanctioned, t: float, policy: Policy) -> list[Effect]:
    """Imposes the step on the account for the rule cited, kept as an appealable decision."""
    _moderator(ctx, event, t)
    account = lookups.account(ctx, event.account, t)
    found = ctx.policies.rule_at(event.rule, event.at)
    if found is None:
        raise Rejected(
            f"rule {brief(event.rule)} is not in force at {iso(t)}; a sanction cites a rule "
            "in force when it is imposed"
        )
    act_policy, rule = found
    step = _step(act_policy, event)
    if step.action != "warning" and ladder.covered(account, t, step.action):
        raise Rejected(
            f"account {brief(account.id)} is already bound by a sanction at least as harsh as "
            f"{step.action}; lift it first to impose another"
        )
    decision = DecisionState(
        id=event.id,
        at=t,
        content_id="",
        account_id=account.id,
        rule_id=rule.id,
        policy_version=act_policy.version,
        decided_by=event.actor,
        penalty=0.0,
    )
    ctx.state.decisions[decision.id] = ctx.state.touch_decision(decision)
    trigger = f"a moderator's decision, stating: {event.note}"
    return ladder.impose(ctx, account, step, t, act_policy, rule, event.id, trigger, (event.id,))


def lifted(ctx: Context, event: AccountSanctionLifted, t: float, policy: Policy) -> list[Effect]:
    """Lifts a sanction binding the account, and the identity blocks it placed."""
    _moderator(ctx, event, t)
    account: AccountState = lookups.account(ctx, event.account, t)
    sanction = next((s for s in account.sanctions if s.id == event.sanction_id), None)
    if sanction is None:
        raise Rejected(
            f"account {brief(account.id)} has no sanction {brief(event.sanction_id)} that can "
            "be lifted (a warning binds nothing)"
        )
    if not sanction.active(t):
        raise Rejected(
            f"sanction {brief(sanction.id)} does not bind at {iso(t)} (lifted, ended or not "
            "yet begun)"
        )
    return ladder.lift(ctx, account, sanction, event.id, t, f"lifted by a moderator: {event.note}")


def _reads(event: AccountSanctioned | AccountSanctionLifted) -> Keys:
    return Keys(accounts={event.actor, event.account})


HANDLERS: dict[type, Handler] = {
    AccountSanctioned: Handler(sanctioned, _reads),
    AccountSanctionLifted: Handler(lifted, _reads),
}
