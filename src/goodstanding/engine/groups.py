"""Group chats in the fold: membership, roles, and admins whose standing no longer allows them
to act. Deterministic and free of I/O, like the rest of the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from goodstanding.engine.base import Rejected, iso
from goodstanding.engine.effects import AdminRightsChanged, Effect, GroupFlagged
from goodstanding.engine.state import AccountState, GroupState
from goodstanding.events import GroupCreated, GroupJoined, GroupLeft, GroupRoleChanged
from goodstanding.policy.model import Policy

if TYPE_CHECKING:
    from goodstanding.engine.fold import Engine

ADMIN_ROLES = ("owner", "admin")


def group(engine: Engine, group_id: str, t: float) -> GroupState:
    """The group, or Rejected if it does not exist (yet)."""
    found = engine.state.groups.get(group_id)
    if found is None:
        raise Rejected(f"unknown group {group_id!r}")
    if t < found.created_at:
        raise Rejected(f"group {group_id!r} is referred to at {iso(t)}, before it was created")
    return found


def require_member(engine: Engine, group_id: str, account_id: str, t: float) -> GroupState:
    """The group, or Rejected if the account is not one of its members."""
    found = group(engine, group_id, t)
    if account_id not in found.roles:
        raise Rejected(f"{account_id!r} is not a member of group {group_id!r}")
    return found


def created(engine: Engine, event: GroupCreated, t: float, policy: Policy) -> list[Effect]:
    """A new group owned by the actor (if the actor may create groups)."""
    account = engine.account(event.actor, t)
    if event.group_id in engine.state.groups:
        raise Rejected(f"group {event.group_id!r} already exists")
    denial = engine.check(account, ("create_group",), event, t, policy)
    if denial is not None:
        return [denial]
    new = GroupState(
        id=event.group_id,
        owner=account.id,
        created_at=t,
        name=event.name,
        roles={account.id: "owner"},
    )
    engine.state.groups[new.id] = engine.state.touch_group(new)
    account.admin_of.append(new.id)
    engine.state.touch_account(account)
    return []


def joined(engine: Engine, event: GroupJoined, t: float, policy: Policy) -> list[Effect]:
    """The actor becomes a member."""
    engine.account(event.actor, t)
    found = group(engine, event.group_id, t)
    if event.actor in found.roles:
        raise Rejected(f"{event.actor!r} is already a member of group {found.id!r}")
    found.roles[event.actor] = "member"
    engine.state.touch_group(found)
    return []


def left(engine: Engine, event: GroupLeft, t: float, policy: Policy) -> list[Effect]:
    """The actor leaves (an owner must hand ownership over first)."""
    account = engine.account(event.actor, t)
    found = require_member(engine, event.group_id, event.actor, t)
    if found.roles[event.actor] == "owner":
        raise Rejected(
            f"the owner of group {found.id!r} cannot leave it; make another member the owner first"
        )
    _set_role(engine, found, account, None)
    return _flag_if_no_acting_admin(engine, found, event.id, t)


def role_changed(engine: Engine, event: GroupRoleChanged, t: float, policy: Policy) -> list[Effect]:
    """The owner or an acting admin changes a member's role; only the owner hands on ownership."""
    actor = engine.account(event.actor, t)
    found = require_member(engine, event.group_id, event.actor, t)
    target = engine.account(event.member, t, "member")
    if event.member not in found.roles:
        raise Rejected(f"{event.member!r} is not a member of group {found.id!r}")
    mine = found.roles[event.actor]
    if mine not in ADMIN_ROLES:
        raise Rejected(
            f"only the owner or an admin of group {found.id!r} may change roles; "
            f"{event.actor!r} is a {mine}"
        )
    theirs = found.roles[event.member]
    if (event.role == "owner" or theirs == "owner") and mine != "owner":
        raise Rejected(f"only the owner of group {found.id!r} may hand on or change ownership")
    denial = engine.check(actor, ("administer_group",), event, t, policy)
    if denial is not None:
        return [denial]
    if event.role == "owner":
        _set_role(engine, found, actor, "admin")
        found.owner = target.id
    _set_role(engine, found, target, event.role)
    return _flag_if_no_acting_admin(engine, found, event.id, t)


def _set_role(engine: Engine, found: GroupState, account: AccountState, role: str | None) -> None:
    if role is None:
        found.roles.pop(account.id, None)
    else:
        found.roles[account.id] = role
    admin = role in ADMIN_ROLES
    if admin and found.id not in account.admin_of:
        account.admin_of.append(found.id)
    elif not admin and found.id in account.admin_of:
        account.admin_of.remove(found.id)
    engine.state.touch_group(found)
    engine.state.touch_account(account)


def _acting(engine: Engine, account_id: str) -> bool:
    account = engine.state.accounts.get(account_id)
    return account is not None and not account.admin_suspended


def _flag_if_no_acting_admin(
    engine: Engine, found: GroupState, event_id: str, t: float
) -> list[Effect]:
    """Flags a group the moment it has no acting admin, and clears the flag when it has one."""
    without = not any(_acting(engine, member) for member in found.admins())
    if without == found.without_admin:
        return []
    found.without_admin = without
    engine.state.touch_group(found)
    if without:
        return [
            GroupFlagged(
                event_id=event_id,
                at=t,
                group_id=found.id,
                message="no acting admin: every owner and admin has lost the "
                "standing to administer this group",
            )
        ]
    return [
        GroupFlagged(event_id=event_id, at=t, group_id=found.id, message="an acting admin again")
    ]


def review_admins(
    engine: Engine, accounts: list[AccountState], event_id: str, t: float, policy: Policy
) -> list[Effect]:
    """Suspends the admin rights of admins whose standing no longer grants administration, and
    restores them when it does again (if the policy says so)."""
    effects: list[Effect] = []
    seen: set[str] = set()
    for account in accounts:
        if account.id in seen or not account.admin_of:
            continue
        seen.add(account.id)
        may = engine.holds(account, ("administer_group",), t, policy)
        if may != account.admin_suspended:
            continue  # nothing changed: acting and may act, or suspended and may not
        if may and not policy.groups.restore_admin_automatically:
            continue
        account.admin_suspended = not may
        engine.state.touch_account(account)
        _, reason = engine.privileges(account, t, policy)
        if may:
            reasons = f"Group administration restored: your standing grants it again ({reason})."
        else:
            reasons = (
                "Group administration suspended: administering a group needs a band "
                f"that grants 'administer_group'; {reason}. You keep your role and it "
                "comes back when your standing recovers"
                + (
                    "."
                    if policy.groups.restore_admin_automatically
                    else " and a moderator restores it."
                )
            )
        for group_id in sorted(account.admin_of):
            effects.append(
                AdminRightsChanged(
                    event_id=event_id,
                    at=t,
                    account_id=account.id,
                    group_id=group_id,
                    acting=may,
                    reasons=reasons,
                )
            )
            found = engine.state.groups.get(group_id)
            if found is not None:
                effects += _flag_if_no_acting_admin(engine, found, event_id, t)
    return effects
