"""Group admins whose standing no longer allows them to act: their rights suspended and
restored, and groups flagged while they have no acting admin."""

from __future__ import annotations

from goodstanding.engine import privileges
from goodstanding.engine.context import Context
from goodstanding.engine.effects import AdminRightsChanged, Effect, GroupFlagged
from goodstanding.engine.state import AccountState, GroupState
from goodstanding.policy.model import Policy


def _acting(ctx: Context, account_id: str) -> bool:
    account = ctx.state.accounts.get(account_id)
    return account is not None and not account.admin_suspended


def flag_if_no_acting_admin(
    ctx: Context, found: GroupState, event_id: str, t: float
) -> list[Effect]:
    """Flags a group the moment it has no acting admin, and clears the flag when it has one."""
    without = not any(_acting(ctx, member) for member in found.admins())
    if without == found.without_admin:
        return []
    found.without_admin = without
    ctx.state.touch_group(found)
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
    ctx: Context, accounts: list[AccountState], event_id: str, t: float, policy: Policy
) -> list[Effect]:
    """Suspends the admin rights of admins whose standing no longer grants administration, and
    restores them when it does again (if the policy says so)."""
    effects: list[Effect] = []
    seen: set[str] = set()
    for account in accounts:
        if account.id in seen or not account.admin_of:
            continue
        seen.add(account.id)
        may = privileges.holds(account, ("administer_group",), t, policy)
        if may != account.admin_suspended:
            continue  # nothing changed: acting and may act, or suspended and may not
        if may and not policy.groups.restore_admin_automatically:
            continue
        account.admin_suspended = not may
        ctx.state.touch_account(account)
        _, reason = privileges.privileges(account, t, policy)
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
            found = ctx.state.groups.get(group_id)
            if found is not None:
                effects += flag_if_no_acting_admin(ctx, found, event_id, t)
    return effects
