"""Comments: an owner sets the comment mode of their posts and approves or rejects the
comments held for them."""

from __future__ import annotations

from goodstanding.engine import comment_queue, lookups
from goodstanding.engine.base import Rejected
from goodstanding.engine.context import Context
from goodstanding.engine.effects import CommentReviewed, Effect
from goodstanding.engine.handler import Handler, with_content
from goodstanding.engine.state import ContentState
from goodstanding.events import CommentApproved, CommentModeSet, CommentRejected, brief
from goodstanding.policy.model import Policy


def mode_set(ctx: Context, event: CommentModeSet, t: float, policy: Policy) -> list[Effect]:
    """Sets the comment mode of all the actor's posts, or of one post of theirs."""
    account = lookups.account(ctx, event.actor, t)
    if event.content_id is None:
        account.comment_mode = event.mode
        ctx.state.touch_account(account)
        return []
    content = lookups.content(ctx, event.content_id, t)
    if content.author != account.id:
        raise Rejected(
            f"{brief(account.id)} is not the author of {brief(content.id)}: only the author "
            "sets the comment mode of a post"
        )
    content.comment_mode = event.mode
    ctx.state.touch_content(content)
    return []


def _decide(
    ctx: Context, comment: ContentState, status: str, reason: str, event_id: str, t: float
) -> CommentReviewed:
    """The owner approves or rejects a comment under their post."""
    comment.owner_state = status
    ctx.state.touch_content(comment)
    return comment_queue.reviewed(comment, status, reason, event_id, t)


def _owned(ctx: Context, content_id: str, actor: str, t: float) -> ContentState:
    lookups.account(ctx, actor, t)
    comment = lookups.content(ctx, content_id, t)
    if comment.owner is None:
        raise Rejected(f"{brief(comment.id)} is not a comment under a post")
    if comment.owner != actor:
        raise Rejected(
            f"{brief(actor)} does not own the post {brief(comment.id)} answers; only its owner "
            f"({brief(comment.owner)}) approves or rejects comments under it"
        )
    return comment


def approved(ctx: Context, event: CommentApproved, t: float, policy: Policy) -> list[Effect]:
    """The owner publishes a comment that waited for them."""
    comment = _owned(ctx, event.content_id, event.actor, t)
    if comment.owner_state != "held":
        raise Rejected(
            f"comment {brief(comment.id)} is not waiting for approval "
            f"({comment.owner_state or 'it is published'})"
        )
    return [
        _decide(ctx, comment, "approved", "approved by the owner", event.id, t),
        *comment_queue.labelled(comment, event.id, t),
    ]


def rejected(ctx: Context, event: CommentRejected, t: float, policy: Policy) -> list[Effect]:
    """The owner keeps a comment under their post from being shown (their choice, not a
    moderation decision: the comment's author gets no strike for it)."""
    comment = _owned(ctx, event.content_id, event.actor, t)
    if comment.owner_state == "rejected":
        raise Rejected(f"comment {brief(comment.id)} was already rejected")
    reason = f"rejected by the owner{': ' + event.note if event.note else ''}"
    return [_decide(ctx, comment, "rejected", reason, event.id, t)]


HANDLERS: dict[type, Handler] = {
    CommentModeSet: Handler(mode_set, with_content),
    CommentApproved: Handler(approved, with_content),
    CommentRejected: Handler(rejected, with_content),
}
