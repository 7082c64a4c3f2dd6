"""What every part of the engine shares: the refusal of an event, and time as text."""

from __future__ import annotations

from datetime import UTC, datetime


class Rejected(ValueError):
    """An event the engine refuses: it names something that does not exist or cannot be."""


def iso(t: float) -> str:
    """An epoch time as RFC 3339 UTC text."""
    return datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")
