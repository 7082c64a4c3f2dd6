"""Content: posts and comments, likes and shares, and reports."""

from __future__ import annotations

from goodstanding.engine import comment_queue, labels, ledger, lookups, moderation, privileges
from goodstanding.engine.base import Rejected
from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect
from goodstanding.engine.handler import Handler, Keys, with_content
from goodstanding.engine.state import ContentState
from goodstanding.events import ContentEngaged, ContentPosted, ContentReported, brief
from goodstanding.policy.conditions import has_link
from goodstanding.policy.model import Policy


def posted(ctx: Context, event: ContentPosted, t: float, policy: Policy) -> list[Effect]:
    """A new post or comment: published if the author holds the privileges it needs, then
    judged by the detectors and held for the post's owner where the comment mode asks."""
    account = lookups.account(ctx, event.actor, t)
    if event.content_id in ctx.state.contents:
        raise Rejected(f"content id {brief(event.content_id)} is already used")
    parent = lookups.content(ctx, event.parent_id, t) if event.parent_id is not None else None
    if event.group_id is not None:
        lookups.member_group(ctx, event.group_id, account.id, t)
    need: tuple[str, ...] = (event.kind,)
    if has_link(event.text):
        need += ("post_links",)
    denial = privileges.check(account, need, event, t, policy)
    content = ContentState(
        id=event.content_id,
        author=account.id,
        kind=event.kind,
        at=t,
        parent_id=event.parent_id,
        group_id=event.group_id,
        published=denial is None,
    )
    ctx.state.contents[content.id] = ctx.state.touch_content(content)
    if denial is not None:
        return [denial]
    weight = getattr(policy.scoring.weights, event.kind)
    effects = ledger.entry(
        ctx, account, weight, t, policy, event.kind, event.id, (event.id,), capped=True
    )
    effects += moderation.on_posted(ctx, event, t, policy, account, content)
    if parent is not None:
        effects += comment_queue.on_commented(ctx, content, parent, event.id, t, policy)
    return effects


def engaged(ctx: Context, event: ContentEngaged, t: float, policy: Policy) -> list[Effect]:
    """A like or share: credit to both sides, or a charge for engaging with labelled content."""
    account = lookups.account(ctx, event.actor, t)
    content = lookups.content(ctx, event.content_id, t)
    denial = privileges.check(account, (event.kind,), event, t, policy)
    if denial is not None:
        return [denial]
    key = f"{account.id}:{event.kind}"
    if key in content.engaged or account.id == content.author:
        return []
    content.engaged += (key,)
    ctx.state.touch_content(content)
    if labels.labelled_rule(content) is not None:
        return labels.engaged_with(ctx, account, content, event.id, t, policy)
    weights = policy.scoring.weights
    given = weights.like_given if event.kind == "like" else weights.share_given
    effects = ledger.entry(
        ctx, account, given, t, policy, f"{event.kind}_given", event.id, (event.id,), capped=True
    )
    author = ctx.state.accounts.get(content.author)
    if author is not None and content.visible:
        received = weights.like_received if event.kind == "like" else weights.share_received
        effects += ledger.entry(
            ctx,
            author,
            received,
            t,
            policy,
            f"{event.kind}_received",
            event.id,
            (event.id, content.id),
            capped=True,
        )
    return effects


def reported(ctx: Context, event: ContentReported, t: float, policy: Policy) -> list[Effect]:
    """A report on content (one per reporter); past the rule's threshold it raises a flag."""
    account = lookups.account(ctx, event.actor, t)
    content = lookups.content(ctx, event.content_id, t)
    if any(reporter == account.id for reporter, _, _ in content.reports):
        return []
    content.reports += ((account.id, event.rule, event.id),)
    ctx.state.touch_content(content)
    return moderation.on_reported(ctx, event, t, content)


def _posted_reads(event: ContentPosted) -> Keys:
    """The author, the parent and the group, and the post's own id (which must be unused: a
    state evicted from the cache or dropped for another writer is read back to tell)."""
    contents = {event.content_id}
    if event.parent_id is not None:
        contents.add(event.parent_id)
    return Keys(
        accounts={event.actor},
        contents=contents,
        groups={event.group_id} if event.group_id is not None else set(),
    )


HANDLERS: dict[type, Handler] = {
    ContentPosted: Handler(posted, _posted_reads),
    ContentEngaged: Handler(engaged, with_content),
    ContentReported: Handler(reported, with_content),
}
