"""Reviews: a moderator's decision on content, by the rule in force when it was posted."""

from __future__ import annotations

from datetime import UTC, datetime

from goodstanding.engine import decisions, lookups
from goodstanding.engine.base import Rejected, iso
from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect, Notice
from goodstanding.engine.handler import Handler, with_content
from goodstanding.events import ReviewDecided, brief
from goodstanding.policy.model import Policy


def decided(ctx: Context, event: ReviewDecided, t: float, policy: Policy) -> list[Effect]:
    """A moderator upholds or clears content under a rule in force when it was posted;
    content never shown (its posting was denied) is not upheld against its author."""
    moderator = lookups.account(ctx, event.actor, t, "moderator")
    if moderator.role != "moderator":
        raise Rejected(f"{brief(event.actor)} is not a moderator: only moderators decide reviews")
    content = lookups.content(ctx, event.content_id, t)
    found = ctx.policies.rule_at(event.rule, datetime.fromtimestamp(content.at, UTC))
    if found is None:
        return [
            Notice(
                event_id=event.id,
                at=t,
                message=(
                    f"rule {event.rule!r} was not in force when {content.id!r} was posted "
                    f"({iso(content.at)}); no rule applies to an act before its effective_from"
                ),
            )
        ]
    act_policy, rule = found
    ruling = decisions.Ruling(event.id, event.actor, t, act_policy, content, rule)
    if event.verdict == "clear":
        return decisions.cleared(ctx, event.id, t, act_policy, content, rule)
    if rule.id in content.violations:
        return [
            Notice(
                event_id=event.id,
                at=t,
                message=f"{content.id!r} was already upheld as violating {rule.id!r}",
            )
        ]
    if not content.published:
        decisions.kept(ctx, ruling, 0.0)
        return [
            Notice(
                event_id=event.id,
                at=t,
                message=(
                    f"{content.id!r} was {decisions.NEVER_SHOWN}; content never shown "
                    "earns its author no strike (the decision is kept, without effect)"
                ),
            )
        ]
    return decisions.upheld(ctx, ruling)


HANDLERS: dict[type, Handler] = {ReviewDecided: Handler(decided, with_content)}
