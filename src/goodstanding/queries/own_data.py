"""A person's own data: everything goodstanding holds about one account, nothing about others."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import msgspec

from goodstanding.engine import iso
from goodstanding.queries.lookup import NotFound
from goodstanding.store import Store

# Each section: a query over rows about the account, and the columns a person may see.
# Columns naming other people (reporters, moderators) are left out on purpose.
SECTIONS: dict[str, str] = {
    "ledger": "SELECT at, delta, reason, rule_id, policy_version, evidence, note, event_id "
    "FROM ledger WHERE account_id = :id ORDER BY event_seq, n",
    "denials": "SELECT at, privilege, reason, event_id FROM denials WHERE account_id = :id "
    "ORDER BY event_seq, n",
    "strikes": "SELECT at, rule_id, policy_version, content_id, expires_at, event_id "
    "FROM strikes WHERE account_id = :id ORDER BY event_seq, n",
    "sanctions": "SELECT at, sanction_id, action, until, rule_id, policy_version, trigger, "
    "reasons FROM sanctions WHERE account_id = :id ORDER BY event_seq, n",
    "sanctions_lifted": "SELECT at, sanction_id, reason FROM sanction_lifts "
    "WHERE account_id = :id ORDER BY event_seq, n",
    "decisions_on_my_content": "SELECT id, at, content_id, rule_id, appeal_id, reversed "
    "FROM decisions WHERE account_id = :id ORDER BY at, id",
    "appeals": "SELECT at, appeal_id, decision_id, outcome, seconds_to_decide "
    "FROM appeal_log WHERE account_id = :id ORDER BY event_seq, n",
    "labels_on_my_content": "SELECT l.at, l.content_id, l.rule_id, l.status, l.visible, "
    "l.automated FROM labels l JOIN contents c ON c.id = l.content_id "
    "WHERE c.author = :id ORDER BY l.event_seq, l.n",
    "admin_rights": "SELECT at, group_id, acting, reasons FROM admin_rights "
    "WHERE account_id = :id ORDER BY event_seq, n",
    # keyed fingerprints (key id and HMAC) and their kinds: the values were never stored
    "identities": "SELECT at, kind, fingerprint, status, reason, until FROM identity_log "
    "WHERE account_id = :id ORDER BY event_seq, n",
}
TIME_COLUMNS = {"at", "until", "expires_at"}


def account_export(store: Store, account_id: str) -> dict[str, Any]:
    """Everything held about one account: its own events, its standing's ledger, decisions,
    sanctions and appeals; raises NotFound for an unknown account."""
    role, registered_at = _registered(store, account_id)
    decode = msgspec.json.Decoder(dict[str, Any]).decode
    events = [
        decode(body)
        for (body,) in store.execute_sql(
            "SELECT body FROM events WHERE actor = :id ORDER BY seq", {"id": account_id}
        )
    ]
    data: dict[str, Any] = {
        "account": account_id,
        "role": role,
        "registered_at": iso(registered_at),
        "events_by_this_account": events,
    }
    return data | own_sections(store, account_id, SECTIONS)


def own_sections(store: Store, account_id: str, names: Iterable[str]) -> dict[str, Any]:
    """The named sections (keys of SECTIONS) of one account's own data, as `account_export`
    gives them; raises NotFound for an unknown account."""
    _registered(store, account_id)
    return {
        name: [
            _readable(dict(row._mapping))
            for row in store.execute_sql(SECTIONS[name], {"id": account_id})
        ]
        for name in names
    }


def _registered(store: Store, account_id: str) -> tuple[str, float]:
    """An account's role and registration time; NotFound for an unknown account."""
    found = store.execute_sql(
        "SELECT role, registered_at FROM accounts WHERE id = :id", {"id": account_id}
    )
    if not found:
        raise NotFound(f"unknown account {account_id!r}")
    return found[0][0], found[0][1]


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    """Times as RFC 3339 text, JSON columns as lists."""
    for key, value in row.items():
        if key in TIME_COLUMNS and isinstance(value, float):
            row[key] = iso(value)
        elif key == "evidence" and isinstance(value, str):
            row[key] = json.loads(value)
    return row
