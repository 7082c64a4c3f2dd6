"""An account as it stood at a past time, rebuilt from the projections.

The stored account state is the fold's state after the last event in the log. For a time T
before that event, the state is rebuilt from what the log's events up to T recorded: the
ledger lines written by events at or before T (added in log order with the engine's own
arithmetic, `AccountState.add`, each under its version's half-life; the daily cap was
already applied when a line was written), the strikes issued by then and not overruled by a
reversal by then, the sanctions imposed by then and not lifted by then, and the identities
verified by then. An entry is dated by the event that wrote it: a reversal at T2 cancels a
penalty dated at its decision, but only from T2 on.
"""

from __future__ import annotations

import json

from goodstanding.engine import iso
from goodstanding.engine.state import AccountState, Sanction, Strike
from goodstanding.policy import PolicySet
from goodstanding.queries.lookup import NotFound, account_state, last_event_time
from goodstanding.store import Store


class NotRegistered(NotFound):
    """An account asked about at a time before it registered; the message says when it did."""


_BY_T = "JOIN events e ON e.seq = x.event_seq WHERE x.account_id = :id AND e.at <= :t"
LEDGER = f"SELECT x.delta, x.at, x.policy_version FROM ledger x {_BY_T} ORDER BY x.event_seq, x.n"
STRIKES = (
    "SELECT x.at, x.rule_id, x.policy_version, x.content_id, x.event_id, x.expires_at "
    f"FROM strikes x {_BY_T} ORDER BY x.event_seq, x.n"
)
REVERSED = (
    "SELECT x.decision_id FROM appeal_log x "
    f"{_BY_T} AND x.outcome = 'reversed' ORDER BY x.event_seq, x.n"
)
SANCTIONS = (
    "SELECT x.sanction_id, x.action, x.at, x.until, x.rule_id, x.privileges FROM sanctions x "
    f"{_BY_T} AND x.action <> 'warning' ORDER BY x.event_seq, x.n"
)
LIFTED = f"SELECT x.sanction_id FROM sanction_lifts x {_BY_T}"
VERIFIED = (
    "SELECT x.kind, x.fingerprint FROM identity_log x "
    f"{_BY_T} AND x.status = 'verified' ORDER BY x.event_seq, x.n"
)


def account_at(store: Store, policies: PolicySet, account_id: str, t: float) -> AccountState:
    """The account as it stood at time t: the stored state when no event in the log is later
    than t, else the state rebuilt from the projections (module docstring). Raises NotFound
    for an unknown account and NotRegistered for one that registered after t."""
    account = account_state(store, account_id)
    if t < account.registered_at:
        raise NotRegistered(
            f"account {account_id!r} was not registered at {iso(t)} "
            f"(it registered at {iso(account.registered_at)})"
        )
    last = last_event_time(store)
    if last is None or t >= last:
        return account
    params = {"id": account_id, "t": t}
    rebuilt = AccountState(id=account.id, role=account.role, registered_at=account.registered_at)
    for delta, at, version in store.execute_sql(LEDGER, params):
        rebuilt.add(delta, at, policies.by_version[version].scoring.half_life_seconds)
    overruled = {row[0] for row in store.execute_sql(REVERSED, params)}
    for at, rule_id, version, content_id, decision_id, expires_at in store.execute_sql(
        STRIKES, params
    ):
        rule = policies.rule_text(version, rule_id)
        rebuilt.strikes.append(
            Strike(
                at=at,
                rule_id=rule_id,
                category=rule.category if rule else "",
                content_id=content_id,
                decision_id=decision_id,
                expires_at=expires_at,
                overruled=decision_id in overruled,
            )
        )
    lifted = {row[0] for row in store.execute_sql(LIFTED, params)}
    for sanction_id, action, at, until, rule_id, held in store.execute_sql(SANCTIONS, params):
        rebuilt.sanctions.append(
            Sanction(
                id=sanction_id,
                action=action,
                at=at,
                until=until,
                rule_id=rule_id,
                privileges=tuple(json.loads(held)) if held is not None else None,
                lifted=sanction_id in lifted,
            )
        )
    for kind, fingerprint in store.execute_sql(VERIFIED, params):
        rebuilt.identities[kind] = fingerprint
    return rebuilt
