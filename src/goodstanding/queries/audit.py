"""The audit log, read page by page: who did what through goodstanding, when, and why."""

from __future__ import annotations

import json
from typing import Any

from goodstanding.engine import iso
from goodstanding.store import Store

PAGE = "SELECT seq, body, hash FROM audit_log WHERE seq > :after ORDER BY seq LIMIT :limit"


def audit_entries(store: Store, after: int, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` audit entries after position `after`, oldest first: each with its
    position, id, action, time (RFC 3339), actor, target, reason, details and chain hash."""
    entries = []
    for seq, body, digest in store.execute_sql(PAGE, {"after": after, "limit": limit}):
        logged = json.loads(body if isinstance(body, str) else bytes(body))
        entries.append(
            {
                "seq": int(seq),
                "id": logged["id"],
                "action": logged["type"],
                "at": iso(logged["at"]),
                "actor": logged["actor"],
                "target": logged["target"],
                "reason": logged["reason"],
                "details": logged["details"],
                "hash": str(digest),
            }
        )
    return entries
