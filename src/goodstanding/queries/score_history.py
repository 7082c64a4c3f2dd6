"""An account's score over time, from the ledger lines behind it: each line counts from
when it was written, faded from its own date, the sum kept within the policy's range."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def score_over_time(
    explained: dict[str, Any], ledger: list[tuple[float, float, float]], points: int = 120
) -> list[tuple[float, float]]:
    """(time, score) at `points` evenly spaced instants from registration to the explanation's
    instant, and just after every line that moved the score by one point or more; `ledger`
    holds every line behind the score as (when written, dated, change), as `ledger_points`
    gives them."""
    start, end = _epoch(explained["registered_at"]), _epoch(explained["as_of"])
    half_life = explained["half_life_days"] * 86400.0
    low, high = explained["range"]
    lines = sorted(ledger)
    step = (end - start) / max(1, points - 1)
    instants = sorted(
        {*(start + k * step for k in range(points)), *(s for s, _, d in lines if abs(d) >= 1)}
    )
    # sum of delta * 2**((dated - start) / half_life) over the lines shown so far; the score
    # at t is start + that sum * 2**(-(t - start) / half_life)
    series, weighted, shown = [], 0.0, 0
    for t in instants:
        while shown < len(lines) and lines[shown][0] <= t:
            _, dated, delta = lines[shown]
            weighted += delta * 2 ** ((dated - start) / half_life)
            shown += 1
        total = explained["start"] + weighted * 2 ** (-(t - start) / half_life)
        series.append((t, min(high, max(low, total))))
    return series
