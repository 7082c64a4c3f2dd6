"""Owners vet the comments under their posts: comment modes, the owner's approvals and
rejections, and what an owner answers for once a comment under their post is upheld as
breaking a rule (never more than the policy states)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from goodstanding.engine.base import Rejected, iso
from goodstanding.engine.effects import CommentReviewed, Effect
from goodstanding.engine.state import AccountState, ContentState, DecisionState
from goodstanding.events import CommentApproved, CommentModeSet, CommentRejected
from goodstanding.policy.model import Policy, Rule

if TYPE_CHECKING:
    from goodstanding.engine.fold import Engine

HOUR = 3600.0


def mode_set(engine: Engine, event: CommentModeSet, t: float, policy: Policy) -> list[Effect]:
    """Sets the comment mode of all the actor's posts, or of one post of theirs."""
    account = engine.account(event.actor, t)
    if event.content_id is None:
        account.comment_mode = event.mode
        engine.state.touch_account(account)
        return []
    content = engine.content(event.content_id, t)
    if content.author != account.id:
        raise Rejected(
            f"{account.id!r} is not the author of {content.id!r}: only the author sets the "
            "comment mode of a post"
        )
    content.comment_mode = event.mode
    engine.state.touch_content(content)
    return []


def on_commented(
    engine: Engine,
    comment: ContentState,
    parent: ContentState,
    event_id: str,
    t: float,
    policy: Policy,
) -> list[Effect]:
    """A new comment: held for the owner when the post's mode asks for it (every comment, or
    those a detector flagged); an owner's own comments are never held."""
    owner = engine.state.accounts.get(parent.author)
    comment.owner = parent.author
    engine.state.touch_content(comment)
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
        _reviewed(
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
        _reviewed(
            comment,
            "labelled",
            f"shows under your post with a label for rule(s) {rules}",
            event_id,
            t,
        )
    ]


def _reviewed(
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


def _decide(
    engine: Engine, comment: ContentState, status: str, reason: str, event_id: str, t: float
) -> CommentReviewed:
    """The owner approves or rejects a comment under their post."""
    comment.owner_state = status
    engine.state.touch_content(comment)
    return _reviewed(comment, status, reason, event_id, t)


def _owned(engine: Engine, content_id: str, actor: str, t: float) -> ContentState:
    engine.account(actor, t)
    comment = engine.content(content_id, t)
    if comment.owner is None:
        raise Rejected(f"{comment.id!r} is not a comment under a post")
    if comment.owner != actor:
        raise Rejected(
            f"{actor!r} does not own the post {comment.id!r} answers; only its owner "
            f"({comment.owner!r}) approves or rejects comments under it"
        )
    return comment


def approved(engine: Engine, event: CommentApproved, t: float, policy: Policy) -> list[Effect]:
    """The owner publishes a comment that waited for them."""
    comment = _owned(engine, event.content_id, event.actor, t)
    if comment.owner_state != "held":
        raise Rejected(
            f"comment {comment.id!r} is not waiting for approval "
            f"({comment.owner_state or 'it is published'})"
        )
    return [
        _decide(engine, comment, "approved", "approved by the owner", event.id, t),
        *labelled(comment, event.id, t),
    ]


def rejected(engine: Engine, event: CommentRejected, t: float, policy: Policy) -> list[Effect]:
    """The owner keeps a comment under their post from being shown (their choice, not a
    moderation decision: the comment's author gets no strike for it)."""
    comment = _owned(engine, event.content_id, event.actor, t)
    if comment.owner_state == "rejected":
        raise Rejected(f"comment {comment.id!r} was already rejected")
    reason = f"rejected by the owner{': ' + event.note if event.note else ''}"
    return [_decide(engine, comment, "rejected", reason, event.id, t)]


def owner_answers(
    engine: Engine,
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
        engine.state.accounts.get(comment.owner) if comment.owner is not None else None
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
    return engine.entry(
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
