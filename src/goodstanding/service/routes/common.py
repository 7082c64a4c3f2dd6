"""What routes share: the problem responses they document, and times from queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from goodstanding.service.problems import MEDIA_TYPE, Problem

_PROBLEM: dict[str, Any] = {
    "content": {
        MEDIA_TYPE: {
            "schema": {
                "type": "object",
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                },
                "required": ["type", "title", "status", "detail"],
            }
        }
    }
}


def problems(*codes: int, public: bool = False) -> dict[int | str, dict[str, Any]]:
    """The problem responses a route documents: the given codes and those every route with
    a token has (a public route: only the given codes)."""
    every = () if public else (401, 403, 422, 429)
    return {code: {"description": "a problem", **_PROBLEM} for code in sorted({*codes, *every})}


def epoch(when: datetime | None, name: str, default: float) -> float:
    """A query's time as epoch seconds (`default` when absent); it needs an offset."""
    if when is None:
        return default
    if when.tzinfo is None:
        raise Problem(422, f"{name}: needs an offset (e.g. Z)", "invalid", field=name)
    return when.timestamp()
