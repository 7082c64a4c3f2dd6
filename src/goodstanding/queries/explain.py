"""Why an account's score is what it is: every ledger line behind it, with rule texts."""

from __future__ import annotations

import json
from typing import Any

from goodstanding.engine import iso
from goodstanding.policy import PolicySet
from goodstanding.queries.history import account_at
from goodstanding.queries.lookup import policy_in_force
from goodstanding.queries.standing import standing_of
from goodstanding.store import Store

# a line is shown when the event that wrote it happened (an appeal's reversal: when it was
# decided), dated for its fading at its own `at` (a reversal: at the decision it cancels)
LEDGER = (
    "SELECT e.at, x.at, x.delta, x.reason, x.rule_id, x.policy_version, x.evidence, x.note, "
    "x.event_id FROM ledger x JOIN events e ON e.seq = x.event_seq "
    "WHERE x.account_id = :id AND e.at <= :t ORDER BY e.at, x.event_seq, x.n"
)
SANCTIONS = (
    "SELECT sanction_id, action, at, until, reasons FROM sanctions WHERE account_id = :id "
    "AND at <= :t ORDER BY at, event_seq, n"
)


def explanation(store: Store, policies: PolicySet, account_id: str, t: float) -> dict[str, Any]:
    """An account's standing at time t (as the log's events up to t left it) with every
    ledger line behind its score, in time order (each faded to t, with its rule's text and
    evidence) and its sanction history. Start plus the sum of the faded lines is the score,
    unless it fell outside the policy's range: `clamped` then names the bound it was kept
    at ("min" or "max"). Raises NotFound for an unknown account and NotRegistered for one
    that registered after t."""
    return explained_with_points(store, policies, account_id, t, None)[0]


def explained_with_points(
    store: Store, policies: PolicySet, account_id: str, t: float, newest: int | None
) -> tuple[dict[str, Any], list[tuple[float, float, float]]]:
    """The explanation at time t with only its `newest` latest ledger lines (all when None),
    and every ledger line as (when it was written, the date it fades from, its change):
    what a chart of the score needs."""
    account = account_at(store, policies, account_id, t)
    policy = policy_in_force(policies, t)
    scoring = policy.scoring
    params = {"id": account_id, "t": t}
    rows = store.execute_sql(LEDGER, params)
    points = [(float(r[0]), float(r[1]), float(r[2])) for r in rows]
    detailed = rows if newest is None else rows[max(0, len(rows) - newest) :]
    lines = []
    for (
        shown,
        dated,
        delta,
        reason,
        rule_id,
        version,
        evidence,
        note,
        event_id,
    ) in detailed:
        rule = policies.rule_text(version, rule_id) if rule_id else None
        lines.append(
            {
                "at": iso(shown),
                "dated": iso(dated),
                "delta": delta,
                "now": delta * 2 ** (-(t - dated) / scoring.half_life_seconds),
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
    faded = account.decayed(t, scoring.half_life_seconds)
    raw = scoring.start + faded
    clamped = "min" if raw < scoring.min else "max" if raw > scoring.max else None
    explained = standing_of(account, policies, policy, t) | {
        "start": scoring.start,
        "sum_of_faded_entries": faded,
        "unclamped_score": raw,
        "range": [scoring.min, scoring.max],
        "clamped": clamped,
        "half_life_days": scoring.half_life_days,
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
    return explained, points
