"""The community at a glance: accounts per band, sanctions by step, the most upheld rules."""

from __future__ import annotations

from collections import Counter
from typing import Any

from goodstanding.engine import iso
from goodstanding.engine.state import account_codec
from goodstanding.policy import PolicySet
from goodstanding.queries.lookup import last_event_time, policy_in_force
from goodstanding.store import Store
from goodstanding.store import schema as tables

SANCTIONS_BY_STEP = "SELECT action, COUNT(*) FROM sanctions GROUP BY action ORDER BY COUNT(*) DESC"
TOP_RULES = (
    "SELECT rule_id, COUNT(*) FROM strikes GROUP BY rule_id "
    "ORDER BY COUNT(*) DESC, rule_id LIMIT 10"
)


def summary(store: Store, policies: PolicySet) -> dict[str, Any]:
    """Accounts per band at the latest event, sanctions by step, the most upheld rules, and
    the sizes of the log and the main projections."""
    t = last_event_time(store)
    bands: Counter[str] = Counter()
    order: list[str] = []
    if t is not None:
        policy = policy_in_force(policies, t)
        decode = account_codec[1].decode
        for (blob,) in store.execute_sql("SELECT state FROM accounts"):
            bands[policy.band_for(decode(blob).score(t, policy)).name] += 1
        order = [b.name for b in policy.bands]
    return {
        "as_of": iso(t) if t is not None else None,
        "events": store.count(tables.events),
        "accounts_per_band": {name: bands.get(name, 0) for name in order},
        "sanctions_by_step": dict(store.execute_sql(SANCTIONS_BY_STEP)),
        "top_rules": [{"rule": r, "strikes": n} for r, n in store.execute_sql(TOP_RULES)],
        "denials": store.count(tables.denials),
        "ledger_entries": store.count(tables.ledger),
    }
