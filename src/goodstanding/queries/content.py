"""A content item as a moderator or the platform reads it: labels, reports, decisions."""

from __future__ import annotations

from typing import Any

from goodstanding.engine import iso
from goodstanding.store import Store


def content_record(store: Store, content_id: str) -> dict[str, Any] | None:
    """A content item's labels, reports and the decisions on it; None if unknown."""
    with store.engine.connect() as conn:
        found = store.load_contents(conn, [content_id])
    if not found:
        return None
    item = found[0]
    labels = store.execute_sql(
        "SELECT at, rule_id, status, visible, automated FROM labels WHERE content_id = :id "
        "ORDER BY event_seq, n",
        {"id": content_id},
    )
    decided = store.execute_sql(
        "SELECT id, at, rule_id, appeal_id, reversed FROM decisions WHERE content_id = :id "
        "ORDER BY at, id",
        {"id": content_id},
    )
    return {
        "content": item.id,
        "author": item.author,
        "kind": item.kind,
        "posted_at": iso(item.at),
        "visible": item.visible,
        "labels": [
            {
                "at": iso(r[0]),
                "rule": r[1],
                "status": r[2],
                "visible": bool(r[3]),
                "automated": bool(r[4]),
            }
            for r in labels
        ],
        "reports": [{"rule": rule, "status": status} for _, rule, status in item.reports],
        "decisions": [
            {
                "id": r[0],
                "at": iso(r[1]),
                "rule": r[2],
                "appeal": r[3],
                "reversed": bool(r[4]),
            }
            for r in decided
        ],
    }
