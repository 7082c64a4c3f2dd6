"""Group chats: creation, membership and roles."""

from __future__ import annotations

from goodstanding.engine import admins, lookups, privileges
from goodstanding.engine.base import Rejected
from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect
from goodstanding.engine.handler import Handler, Keys
from goodstanding.engine.state import AccountState, GroupState
from goodstanding.events import GroupCreated, GroupJoined, GroupLeft, GroupRoleChanged, brief
from goodstanding.policy.model import Policy

ADMIN_ROLES = ("owner", "admin")


def created(ctx: Context, event: GroupCreated, t: float, policy: Policy) -> list[Effect]:
    """A new group owned by the actor (if the actor may create groups)."""
    account = lookups.account(ctx, event.actor, t)
    if event.group_id in ctx.state.groups:
        raise Rejected(f"group {brief(event.group_id)} already exists")
    denial = privileges.check(account, ("create_group",), event, t, policy)
    if denial is not None:
        return [denial]
    new = GroupState(
        id=event.group_id,
        owner=account.id,
        created_at=t,
        name=event.name,
        roles={account.id: "owner"},
    )
    ctx.state.groups[new.id] = ctx.state.touch_group(new)
    account.admin_of.append(new.id)
    ctx.state.touch_account(account)
    return []


def joined(ctx: Context, event: GroupJoined, t: float, policy: Policy) -> list[Effect]:
    """The actor becomes a member."""
    lookups.account(ctx, event.actor, t)
    found = lookups.group(ctx, event.group_id, t)
    if event.actor in found.roles:
        raise Rejected(f"{brief(event.actor)} is already a member of group {brief(found.id)}")
    found.roles[event.actor] = "member"
    ctx.state.touch_group(found)
    return []


def left(ctx: Context, event: GroupLeft, t: float, policy: Policy) -> list[Effect]:
    """The actor leaves (an owner must hand ownership over first)."""
    account = lookups.account(ctx, event.actor, t)
    found = lookups.member_group(ctx, event.group_id, event.actor, t)
    if found.roles[event.actor] == "owner":
        raise Rejected(
            f"the owner of group {brief(found.id)} cannot leave it; make another member the "
            "owner first"
        )
    _set_role(ctx, found, account, None)
    return admins.flag_if_no_acting_admin(ctx, found, event.id, t)


def role_changed(ctx: Context, event: GroupRoleChanged, t: float, policy: Policy) -> list[Effect]:
    """The owner or an acting admin changes a member's role; only the owner hands on ownership."""
    actor = lookups.account(ctx, event.actor, t)
    found = lookups.member_group(ctx, event.group_id, event.actor, t)
    target = lookups.account(ctx, event.member, t, "member")
    if event.member not in found.roles:
        raise Rejected(f"{brief(event.member)} is not a member of group {brief(found.id)}")
    mine = found.roles[event.actor]
    if mine not in ADMIN_ROLES:
        raise Rejected(
            f"only the owner or an admin of group {brief(found.id)} may change roles; "
            f"{brief(event.actor)} is a {mine}"
        )
    theirs = found.roles[event.member]
    if (event.role == "owner" or theirs == "owner") and mine != "owner":
        raise Rejected(f"only the owner of group {brief(found.id)} may hand on or change ownership")
    denial = privileges.check(actor, ("administer_group",), event, t, policy)
    if denial is not None:
        return [denial]
    if event.role == "owner":
        _set_role(ctx, found, actor, "admin")
        found.owner = target.id
    _set_role(ctx, found, target, event.role)
    return admins.flag_if_no_acting_admin(ctx, found, event.id, t)


def _set_role(ctx: Context, found: GroupState, account: AccountState, role: str | None) -> None:
    if role is None:
        found.roles.pop(account.id, None)
    else:
        found.roles[account.id] = role
    admin = role in ADMIN_ROLES
    if admin and found.id not in account.admin_of:
        account.admin_of.append(found.id)
    elif not admin and found.id in account.admin_of:
        account.admin_of.remove(found.id)
    ctx.state.touch_group(found)
    ctx.state.touch_account(account)


def _reads(event: GroupCreated | GroupJoined | GroupLeft) -> Keys:
    return Keys(accounts={event.actor}, groups={event.group_id})


def _role_reads(event: GroupRoleChanged) -> Keys:
    return Keys(accounts={event.actor, event.member}, groups={event.group_id})


HANDLERS: dict[type, Handler] = {
    GroupCreated: Handler(created, _reads),
    GroupJoined: Handler(joined, _reads),
    GroupLeft: Handler(left, _reads),
    GroupRoleChanged: Handler(role_changed, _role_reads),
}
