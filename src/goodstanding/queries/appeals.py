"""Appeals as moderators and members see them: the cases with the decision each contests and
who took it (an appeal is decided by another moderator)."""

from __future__ import annotations

from typing import Any

from goodstanding.store import Store


def _cases(store: Store, where: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    rows = store.execute_sql(
        "SELECT a.id, a.filed_at, a.account_id, a.decision_id, a.outcome, "
        "(SELECT l.decided_by FROM appeal_log l WHERE l.appeal_id = a.id "
        " AND l.outcome IS NOT NULL ORDER BY l.event_seq DESC LIMIT 1) "
        f"FROM appeals a WHERE {where} ORDER BY a.filed_at, a.id",
        params,
    )
    with store.engine.connect() as conn:
        decisions = {d.id: d for d in store.load_decisions(conn, [r[3] for r in rows])}
    cases = []
    for appeal_id, filed_at, account_id, decision_id, outcome, decided_by in rows:
        decision = decisions.get(decision_id)
        cases.append(
            {
                "appeal": appeal_id,
                "filed": filed_at,
                "account": account_id,
                "decision": decision_id,
                "content": decision.content_id if decision else None,
                "rule": decision.rule_id if decision else None,
                "decision_at": decision.at if decision else None,
                "original_moderator": decision.decided_by if decision else None,
                "reversed": decision.reversed if decision else False,
                "outcome": outcome,
                "decided_by": decided_by,
            }
        )
    return cases


def open_appeals(store: Store) -> list[dict[str, Any]]:
    """Appeals filed and not yet decided, oldest first."""
    return _cases(store, "a.outcome IS NULL", {})


def appeals_of(store: Store, account_id: str) -> list[dict[str, Any]]:
    """Every appeal an account filed, oldest first, with its outcome."""
    return _cases(store, "a.account_id = :id", {"id": account_id})


def appeal_case(store: Store, appeal_id: str) -> dict[str, Any] | None:
    """One appeal, or None if unknown."""
    found = _cases(store, "a.id = :id", {"id": appeal_id})
    return found[0] if found else None


def appealable(store: Store, account_id: str) -> list[dict[str, Any]]:
    """The decisions on an account's content, and the sanctions imposed on it directly
    (`content` empty), that stand and have not been appealed, newest first: what the account
    may still appeal (within the policy's window)."""
    rows = store.execute_sql(
        "SELECT id, at, content_id, rule_id FROM decisions WHERE account_id = :id "
        "AND appeal_id IS NULL AND NOT reversed ORDER BY at DESC, id",
        {"id": account_id},
    )
    return [{"decision": r[0], "at": r[1], "content": r[2], "rule": r[3]} for r in rows]
