"""The groups an account belongs to, with its role in each, and the kinds and status of the
identities it submitted (never the fingerprints)."""

from __future__ import annotations

from typing import Any

import msgspec

from goodstanding.store import Store


def groups_of(store: Store, account_id: str) -> list[dict[str, Any]]:
    """The groups the account created or joined and has not left, with its role in each."""
    decode = msgspec.json.Decoder(dict[str, Any]).decode
    joined: dict[str, bool] = {}
    for (body,) in store.execute_sql(
        "SELECT body FROM events WHERE actor = :id AND type IN "
        "('group.created', 'group.joined', 'group.left') ORDER BY seq",
        {"id": account_id},
    ):
        event = decode(body)
        joined[str(event["group_id"])] = event["type"] != "group.left"
    current = sorted(g for g, member in joined.items() if member)
    with store.engine.connect() as conn:
        groups = {g.id: g for g in store.load_groups(conn, current)}
    return [
        {
            "group": g,
            "name": groups[g].name if g in groups else "",
            "role": groups[g].roles.get(account_id, "member") if g in groups else "member",
        }
        for g in current
    ]


def identity_status(store: Store, account_id: str) -> list[dict[str, Any]]:
    """Each identity check of the account: when, the identifier's kind, its status and why."""
    return [
        {"at": r[0], "kind": r[1], "status": r[2], "reason": r[3]}
        for r in store.execute_sql(
            "SELECT at, kind, status, reason FROM identity_log WHERE account_id = :id "
            "ORDER BY event_seq, n",
            {"id": account_id},
        )
    ]
