"""An account's standing at a time: score, band, privileges, binding sanctions, strikes."""

from __future__ import annotations

from typing import Any

from goodstanding.engine import iso
from goodstanding.engine.privileges import privileges
from goodstanding.engine.state import AccountState, Sanction
from goodstanding.policy import Policy, PolicySet
from goodstanding.queries.history import account_at
from goodstanding.queries.lookup import policy_in_force
from goodstanding.store import Store


def standing(store: Store, policies: PolicySet, account_id: str, t: float) -> dict[str, Any]:
    """An account's standing at time t (as the log's events up to t left it): score, band,
    privileges, sanctions and strikes; raises NotFound for an unknown account and
    NotRegistered for one that registered after t."""
    account = account_at(store, policies, account_id, t)
    return standing_of(account, policies, policy_in_force(policies, t), t)


def standing_of(
    account: AccountState, policies: PolicySet, policy: Policy, t: float
) -> dict[str, Any]:
    """The standing of a loaded account at time t under the policy in force then."""
    score = account.score(t, policy)
    # the fold's privilege rules live on the engine; building one is cheap and reads nothing
    held, reason = privileges(account, t, policy)
    window = policy.sanctions.strike_window_days * 86400
    return {
        "account": account.id,
        "role": account.role,
        "as_of": iso(t),
        "registered_at": iso(account.registered_at),
        "policy_version": policy.version,
        "score": round(score, 2),
        "band": policy.band_for(score).name,
        "privileges": sorted(held),
        "privileges_reason": reason,
        "sanctions": [sanction_view(s) for s in account.binding(t)],
        "strikes": [
            {
                "rule": s.rule_id,
                "content": s.content_id,
                "at": iso(s.at),
                "expires_at": iso(s.expires_at),
            }
            for s in account.active_strikes(t, window)
        ],
    }


def sanction_view(sanction: Sanction) -> dict[str, Any]:
    """A binding sanction as a standing or a check shows it."""
    return {
        "id": sanction.id,
        "action": sanction.action,
        "since": iso(sanction.at),
        "until": iso(sanction.until) if sanction.until is not None else None,
        "rule": sanction.rule_id,
    }
