"""What a check ("may account A do action X at time t?") reads: the log's position, the
accounts whose check-relevant state changed after a position, the statement of reasons of a
sanction, and the verdict itself, computed from an account's state.

An account's answer depends on its score (moved only by ledger lines), its sanctions (imposed
and lifted) and whether it holds a verified identity. Every change to those writes a row
naming the account, in the same transaction as the state, into `ledger`, `sanctions`,
`sanction_lifts` or `identity_log`; `changed_since` reads those rows by log position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from goodstanding.engine.privileges import privileges
from goodstanding.engine.state import AccountState
from goodstanding.policy import PolicySet
from goodstanding.queries.lookup import policy_in_force
from goodstanding.queries.standing import sanction_view
from goodstanding.store import Store

_AFTER = "event_seq > :after AND event_seq <= :upto"
_CHECKED = ("ledger", "sanctions", "sanction_lifts", "identity_log")
CHANGED = " UNION ".join(f"SELECT account_id FROM {table} WHERE {_AFTER}" for table in _CHECKED)
CHANGED_ONE = " UNION ALL ".join(
    f"SELECT 1 FROM {table} WHERE account_id = :account AND {_AFTER}" for table in _CHECKED
)
NEW_ENTRIES = "SELECT MAX(seq), MAX(at) FROM events WHERE seq > :after"
REASONS = "SELECT reasons FROM sanctions WHERE sanction_id = :id"


@dataclass(frozen=True)
class Position:
    """How far the log has been read: its last entry and the latest `at` of any entry."""

    seq: int = 0
    latest_at: float | None = None


def changed_since(store: Store, since: Position) -> tuple[Position, set[str]]:
    """The log's position now, and the accounts whose check-relevant state changed in the
    entries after `since` and up to it (module docstring)."""
    rows = store.execute_sql(NEW_ENTRIES, {"after": since.seq})
    upto, latest = rows[0] if rows else (None, None)
    if upto is None or latest is None:
        return since, set()
    at = max(float(latest), since.latest_at if since.latest_at is not None else float(latest))
    now = Position(int(upto), at)
    changed = store.execute_sql(CHANGED, {"after": since.seq, "upto": now.seq})
    return now, {str(account_id) for (account_id,) in changed if account_id is not None}


def log_head(store: Store) -> int:
    """The position of the log's last entry (0 for an empty log)."""
    with store.engine.connect() as conn:
        return store.head(conn)[0]


def changed_between(store: Store, account_id: str, after: int, upto: int) -> bool:
    """Whether the entries after position `after` and up to `upto` changed the account's
    check-relevant state (module docstring)."""
    params = {"account": account_id, "after": after, "upto": upto}
    return bool(store.execute_sql(f"{CHANGED_ONE} LIMIT 1", params))


def account_states(store: Store, ids: list[str]) -> list[AccountState]:
    """The stored state of these accounts (those that exist)."""
    with store.engine.connect() as conn:
        return store.load_accounts(conn, ids)


def sanction_statement(store: Store, sanction_id: str) -> str | None:
    """The statement of reasons a sanction was imposed with (None for an unknown id)."""
    rows = store.execute_sql(REASONS, {"id": sanction_id})
    return str(rows[0][0]) if rows else None


def verdict(account: AccountState, policies: PolicySet, action: str, t: float) -> dict[str, Any]:
    """Whether the account may do `action` at time t under the policy in force then: the
    decision, band, score and the reason its privileges are what they are (as its standing
    gives them); for a denial while sanctions bind, the binding sanction and its rule
    (`statement` is left for the caller, who knows where to read it)."""
    policy = policy_in_force(policies, t)
    score = account.score(t, policy)
    held, reason = privileges(account, t, policy)
    allowed = action in held
    answer: dict[str, Any] = {
        "account": account.id,
        "action": action,
        "decision": "allow" if allowed else "deny",
        "band": policy.band_for(score).name,
        "score": round(score, 2),
        "reason": reason,
        "sanction": None,
        "rule": None,
        "statement": None,
    }
    sanctions = account.binding(t)
    if allowed or not sanctions:
        return answer
    binding = next((s for s in sanctions if s.id in reason), sanctions[0])
    answer["sanction"] = sanction_view(binding)
    rule = policies.rule_text(policy.version, binding.rule_id or "")
    if rule is not None:
        answer["rule"] = {"id": rule.id, "title": rule.title, "text": rule.text}
    return answer
