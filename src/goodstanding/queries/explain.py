"""Why an account's score is what it is: every ledger line behind it, with rule texts."""

from __future__ import annotations

import json
from typing import Any

from goodstanding.engine import iso
from goodstanding.policy import PolicySet
from goodstanding.queries.lookup import account_state, policy_in_force
from goodstanding.queries.standing import standing_of
from goodstanding.store import Store

LEDGER = (
    "SELECT at, delta, reason, rule_id, policy_version, evidence, note, event_id "
    "FROM ledger WHERE account_id = :id AND at <= :t ORDER BY event_seq, n"
)
SANCTIONS = (
    "SELECT sanction_id, action, at, until, reasons FROM sanctions WHERE account_id = :id "
    "AND at <= :t ORDER BY event_seq, n"
)


def explanation(store: Store, policies: PolicySet, account_id: str, t: float) -> dict[str, Any]:
    """An account's standing at time t with every ledger line behind its score (each faded
    to t, with its rule's text and evidence) and its sanction history; the sum of the faded
    entries is the account state's, so start plus it, within the range, is the score.
    Raises NotFound for an unknown account."""
    account = account_state(store, account_id)
    policy = policy_in_force(policies, t)
    half_life = policy.scoring.half_life_seconds
    params = {"id": account_id, "t": t}
    lines = []
    for at, delta, reason, rule_id, version, evidence, note, event_id in store.execute_sql(
        LEDGER, params
    ):
        rule = policies.rule_text(version, rule_id) if rule_id else None
        lines.append(
            {
                "at": iso(at),
                "delta": delta,
                "now": delta * 2 ** (-(t - at) / half_life),
                "reason": reason,
                "rule": rule_id,
                "rule_title": rule.title if rule else None,
                "rule_text": rule.text if rule else None,
                "policy_version": version,
                "evidence": json.loads(evidence),
                "event": event_id,
                "note": note,
            }
        )
    return standing_of(account, policies, policy, t) | {
        "start": policy.scoring.start,
        "sum_of_faded_entries": account.decayed(t, half_life),
        "half_life_days": policy.scoring.half_life_days,
        "ledger": lines,
        "sanction_history": [
            {
                "id": r[0],
                "action": r[1],
                "at": iso(r[2]),
                "until": iso(r[3]) if r[3] is not None else None,
                "reasons": r[4],
            }
            for r in store.execute_sql(SANCTIONS, params)
        ],
    }
