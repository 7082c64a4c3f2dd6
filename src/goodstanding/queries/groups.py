"""A group at a time: its members by standing band, its admins, its open flags."""

from __future__ import annotations

from typing import Any

from goodstanding.engine import iso
from goodstanding.policy import PolicySet
from goodstanding.queries.lookup import NotFound, group_state, policy_in_force
from goodstanding.store import Store

FLAGS = "SELECT at, message FROM group_flags WHERE group_id = :id ORDER BY event_seq, n"


def group(store: Store, policies: PolicySet, group_id: str, t: float) -> dict[str, Any]:
    """A group at time t: members by band, admins and whether they may act, open flags.
    Members are read in one batch; raises NotFound for an unknown group, or for a member
    the store holds no account for."""
    found = group_state(store, group_id)
    policy = policy_in_force(policies, t)
    member_ids = sorted(found.roles)
    with store.engine.connect() as conn:
        accounts = {a.id: a for a in store.load_accounts(conn, member_ids)}
    missing = [m for m in member_ids if m not in accounts]
    if missing:
        raise NotFound(
            f"group {group_id!r} lists member(s) with no account in the store: {', '.join(missing)}"
        )
    members: dict[str, list[str]] = {band.name: [] for band in policy.bands}
    admins = []
    for member_id in member_ids:
        account, role = accounts[member_id], found.roles[member_id]
        members[policy.band_for(account.score(t, policy)).name].append(member_id)
        if role in ("owner", "admin"):
            admins.append(
                {"account": member_id, "role": role, "acting": not account.admin_suspended}
            )
    return {
        "group": found.id,
        "name": found.name,
        "owner": found.owner,
        "as_of": iso(t),
        "created_at": iso(found.created_at),
        "members": len(found.roles),
        "members_by_band": members,
        "admins": admins,
        "without_acting_admin": found.without_admin,
        "flags": [
            {"at": iso(at), "message": message}
            for at, message in store.execute_sql(FLAGS, {"id": group_id})
        ],
    }
