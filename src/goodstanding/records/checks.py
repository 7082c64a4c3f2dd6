"""Checked identifiers and times for the record store, and the small conversions its
modules share."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult

from goodstanding.records.crypto import RecordsError

MAX_ID = 200


def check_id(value: object, what: str) -> str:
    """`value` if it is a non-empty string of at most `MAX_ID` characters; `ValueError`
    naming `what` if not."""
    if not isinstance(value, str) or not value or len(value) > MAX_ID:
        raise ValueError(f"{what} must be a non-empty string of at most {MAX_ID} characters")
    return value


def check_time(value: object, what: str) -> float:
    """`value` as float epoch seconds if it is a finite number; `ValueError` naming `what`
    if not."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number of epoch seconds, not {value!r}")
    return float(value)


def inserted_id(result: CursorResult[Any]) -> int:
    """The integer primary key of the row an INSERT just made."""
    key = result.inserted_primary_key
    if key is None or key[0] is None:
        raise RecordsError("the database did not report the new row's id")
    return int(key[0])


def iso(at: float) -> str:
    """Epoch seconds as ISO 8601 UTC with a "Z"."""
    return datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")
