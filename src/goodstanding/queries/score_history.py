"""An account's score over time, from the ledger lines of its explanation: each line counts
from when it was written, faded from its own date, the sum kept within the policy's range."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def score_over_time(explained: dict[str, Any], points: int = 60) -> list[tuple[float, float]]:
    """(time, score) at `points` evenly spaced instants from registration to the explanation's
    instant, and at every ledger line's time."""
    start, end = _epoch(explained["registered_at"]), _epoch(explained["as_of"])
    half_life = explained["half_life_days"] * 86400.0
    low, high = explained["range"]
    lines = [(_epoch(x["at"]), _epoch(x["dated"]), x["delta"]) for x in explained["ledger"]]
    step = (end - start) / max(1, points - 1)
    instants = sorted({*(start + k * step for k in range(points)), *(s for s, _, _ in lines)})
    series = []
    for t in instants:
        total = explained["start"] + sum(
            delta * 2 ** (-(t - dated) / half_life) for shown, dated, delta in lines if shown <= t
        )
        series.append((t, min(high, max(low, total))))
    return series
