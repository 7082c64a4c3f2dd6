"""The webhook outbox: the effects a platform must act on, written in the same transaction
as the effects themselves, one message each, keyed by the effect's log position."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from goodstanding.engine import (
    AdminRightsChanged,
    Effect,
    LabelChanged,
    Notice,
    SanctionImposed,
    iso,
)
from goodstanding.engine.effects import IdentityChanged, SanctionLifted
from goodstanding.store.service_tables import webhook_messages

_encode = msgspec.json.Encoder().encode


def message_type(effect: Effect) -> tuple[str, str] | None:
    """The projection table an effect is kept in and the webhook type it is sent as; None
    for effects the platform need not act on."""
    if isinstance(effect, SanctionImposed):
        return "sanctions", "sanction.imposed"
    if isinstance(effect, SanctionLifted):
        return "sanction_lifts", "sanction.lifted"
    if isinstance(effect, LabelChanged):
        if not effect.visible:
            return "labels", "content.hidden"
        return "labels", "content.restored" if effect.status == "cleared" else "content.labelled"
    if isinstance(effect, AdminRightsChanged):
        return "admin_rights", "admin_rights.restored" if effect.acting else "admin_rights.revoked"
    if isinstance(effect, IdentityChanged) and effect.status in ("blocked", "unblocked"):
        return "identity_log", f"identity.{effect.status}"
    if isinstance(effect, Notice):
        return "notices", "notice"
    return None


def enqueue(conn: Connection, positioned_effects: Sequence[tuple[int, int, Effect]]) -> int:
    """Adds a message for each effect (given with its log position) a platform acts on,
    unless one with its id is already there; returns how many were new."""
    rows: list[dict[str, Any]] = []
    now = time.time()  # when it was queued: endpoints receive what is queued after they are added
    for seq, n, effect in positioned_effects:
        kind = message_type(effect)
        if kind is None:
            continue
        table, type_ = kind
        message_id = f"{table}:{seq}:{n}"
        payload = {
            "id": message_id,
            "type": type_,
            "timestamp": iso(effect.at),
            "data": msgspec.to_builtins(effect),
        }
        rows.append(
            {
                "id": message_id,
                "event_seq": seq,
                "type": type_,
                "at": effect.at,
                "payload": _encode(payload).decode(),
                "created_at": now,
            }
        )
    if not rows:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(webhook_messages).on_conflict_do_nothing(index_elements=["id"])
    return int(conn.execute(insert, rows).rowcount or 0)
