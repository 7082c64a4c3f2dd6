"""Dates typed into console forms: YYYY-MM-DD, midnight UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from goodstanding.service.console.errors import PageError

DAY = 86400.0


def day(text: str, name: str) -> float:
    """A date as epoch seconds at midnight UTC; a 422 page naming the field if it is not one."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise PageError(422, f"{name}: a date as YYYY-MM-DD, not {text!r}.") from None


def date_of(t: float) -> str:
    """Epoch seconds as the date (UTC) they fall on."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d")
