"""The owner's queue of comments under their posts: comments held or labelled for the owner,
and what an owner answers for once a comment under their post is upheld as breaking a rule
(never more than the policy states)."""

from __future__ import annotations

from goodstanding.engine import ledger
from goodstanding.engine.base import iso
from goodstanding.engine.context import Context
from goodstanding.engine.effects import CommentReviewed, Effect
from goodstanding.engine.state import AccountState, ContentState, DecisionState
from goodstanding.policy.model import Policy, Rule

HOUR = 3600.0


def on_commented(
    ctx: Context,
    comment: ContentState,
    parent: ContentState,
    event_id: str,
    t: float,
    policy: Policy,
) -> list[Effect]:
    """A new comment: held for the owner when the post's mode asks for it (every comment, or
    those a detector flagged); an owner's own comments are never held."""
    owner = ctx.state.accounts.get(parent.author)
    comment.owner = parent.author
    ctx.state.touch_content(comment)
    if owner is None or owner.id == comment.author or not comment.published:
        return []
    mode = parent.comment_mode or owner.comment_mode or policy.comments.default_mode
    if mode == "open" or (mode == "hold_flagged" and not comment.flags):
        return labelled(comment, event_id, t)
    comment.owner_state = "held"
    why = (
        f"flagged under rule(s) {', '.join(sorted(comment.flags))}"
        if mode == "hold_flagged"
        else "every comment waits"
    )
    return [
        reviewed(
            comment,
            "held",
            f"waiting for the owner's approval (comment mode {mode}: {why})",
            event_id,
            t,
        )
    ]


def labelled(comment: ContentState, event_id: str, t: float) -> list[Effect]:
    """A comment showing under someone's post with a violation label goes to that owner's
    queue, and the owner's time to act starts."""
    if (
        comment.owner is None
        or comment.owner == comment.author
        or comment.labelled_at is not None
        or not comment.flags
        or not comment.visible
    ):
        return []
    comment.labelled_at = t
    rules = ", ".join(sorted(comment.flags))
    return [
        reviewed(
            comment,
            "labelled",
            f"shows under your post with a label for rule(s) {rules}",
            event_id,
            t,
        )
    ]


def reviewed(
    comment: ContentState, status: str, reason: str, event_id: str, t: float
) -> CommentReviewed:
    """A comment's place in its owner's queue: held, labelled, approved or rejected."""
    assert comment.owner is not None
    return CommentReviewed(
        event_id=event_id,
        at=t,
        content_id=comment.id,
        owner_id=comment.owner,
        status=status,
        reason=reason,
    )


def owner_answers(
    ctx: Context,
    comment: ContentState,
    rule: Rule,
    decision: DecisionState,
    t: float,
    policy: Policy,
) -> list[Effect]:
    """A comment upheld as breaking `rule`: the owner of the post answers, per the policy's
    weights, for having approved it, or for having left it visible with a violation label
    longer than the policy allows."""
    owner: AccountState | None = (
        ctx.state.accounts.get(comment.owner) if comment.owner is not None else None
    )
    if owner is None or owner.id == comment.author or comment.owner_state == "rejected":
        return []
    c = policy.comments
    if comment.owner_state == "approved" and c.approved_violating:
        delta, reason = c.approved_violating, "approved_violating_comment"
        note = f"you approved comment {comment.id}, upheld as breaking {rule.id}"
    elif (
        comment.labelled_at is not None
        and c.labelled_visible
        and t - comment.labelled_at > c.labelled_visible_hours * HOUR
    ):
        delta, reason = c.labelled_visible, "left_labelled_comment_visible"
        note = (
            f"comment {comment.id} showed under your post with a label from "
            f"{iso(comment.labelled_at)}, over the {c.labelled_visible_hours:g} hours the policy "
            f"allows; upheld as breaking {rule.id}"
        )
    else:
        return []
    decision.owner_id, decision.owner_penalty = owner.id, delta
    return ledger.entry(
        ctx,
        owner,
        delta,
        t,
        policy,
        reason,
        decision.id,
        (comment.id, decision.id),
        rule_id=rule.id,
        note=note,
    )
