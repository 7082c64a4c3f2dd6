"""Lookups that refuse: the account, content or group an event names, or Rejected."""

from __future__ import annotations

from goodstanding.engine.base import Rejected, iso
from goodstanding.engine.context import Context
from goodstanding.engine.state import AccountState, ContentState, GroupState
from goodstanding.events import brief


def account(ctx: Context, account_id: str, t: float, what: str = "account") -> AccountState:
    """The registered account acting at time t, or Rejected."""
    found = ctx.state.accounts.get(account_id)
    if found is None:
        raise Rejected(
            f"unknown {what} {brief(account_id)}: accounts must be registered "
            "(account.registered) before they act"
        )
    if t < found.registered_at:
        raise Rejected(
            f"{what} {brief(account_id)} acts at {iso(t)}, before its registration "
            f"at {iso(found.registered_at)}"
        )
    return found


def content(ctx: Context, content_id: str, t: float) -> ContentState:
    """The content item referred to at time t, or Rejected."""
    found = ctx.state.contents.get(content_id)
    if found is None or t < found.at:
        posted = None if found is None else f"posted at {iso(found.at)}"
        raise _refused("content", content_id, t, posted)
    return found


def group(ctx: Context, group_id: str, t: float) -> GroupState:
    """The group, or Rejected if it does not exist (yet)."""
    found = ctx.state.groups.get(group_id)
    if found is None or t < found.created_at:
        raise _refused("group", group_id, t, None if found is None else "created")
    return found


def member_group(ctx: Context, group_id: str, account_id: str, t: float) -> GroupState:
    """The group, or Rejected if the account is not one of its members."""
    found = group(ctx, group_id, t)
    if account_id not in found.roles:
        raise Rejected(f"{brief(account_id)} is not a member of group {brief(group_id)}")
    return found


def _refused(what: str, item_id: str, t: float, done: str | None) -> Rejected:
    """Why an event may not refer to an item at time t: it is unknown (`done` None), or it
    was not yet `done` then."""
    if done is None:
        return Rejected(f"unknown {what} {brief(item_id)}")
    return Rejected(f"{what} {brief(item_id)} is referred to at {iso(t)}, before it was {done}")
