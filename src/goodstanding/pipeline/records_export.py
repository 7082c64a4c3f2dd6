"""An auditor's export of a group's chat records: decrypted, and recorded in the audit log
with its reason (the command line and the console export through this)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from goodstanding.queries.lookup import exists
from goodstanding.records import RecordStore
from goodstanding.store import Store


class ExportRefused(ValueError):
    """An export that may not be made as asked; the message says why (nothing was read)."""


def export_records(
    store: Store,
    records: RecordStore,
    group: str,
    period: tuple[float, float],
    reason: str,
    by: str,
    at: float,
    details: dict[str, Any],
    deliver: Callable[[str], None],
) -> int:
    """Hands a group's records with `start <= at < end` as JSON Lines to `deliver`, then
    audits the export under `by` with its reason and `details` plus how many records (an
    export that could not be delivered is not audited as made); returns how many.
    ExportRefused without a reason or for an unknown group."""
    if not reason.strip():
        raise ExportRefused("an export must say why the records are exported (it is audited)")
    if not exists(store, "group", group):
        raise ExportRefused(f"unknown group {group!r}")
    lines = [
        json.dumps(record, ensure_ascii=False) + "\n" for record in records.export(group, *period)
    ]
    deliver("".join(lines))
    store.audit(
        by, "records.export", f"group:{group}", reason, at, {**details, "records": len(lines)}
    )
    return len(lines)
