"""The moderation dashboard's figures over a period: open review items by age, decisions per
day (automated or by people), the most upheld rules, sanctions by ladder step, appeals by
outcome, and decisions per moderator."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from goodstanding.queries.moderation import OPEN_ITEMS
from goodstanding.store import Store

DAY = 86400.0
AGES = (("under an hour", 3600.0), ("under a day", DAY), ("under a week", 7 * DAY))


def _day(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d")


def _age_bucket(age: float) -> str:
    return next((name for name, limit in AGES if age < limit), "a week or more")


def dashboard(store: Store, start: float, end: float, now: float) -> dict[str, Any]:
    """The dashboard's figures for decisions made in [start, end), and the queue as it is
    now. A decision by people is a moderator's review that labelled content (upheld or
    cleared); an automated one, a label a detector put on content (hidden or queued)."""
    period = {"start": start, "end": end}
    open_items = OPEN_ITEMS.replace("LIMIT :limit", "")
    flagged = [
        float(r[0]) for r in store.execute_sql(f"SELECT at FROM ({open_items}) AS open_items")
    ]
    ages = Counter(_age_bucket(now - t) for t in flagged)
    per_day: dict[str, dict[str, int]] = {}
    for at, automated in store.execute_sql(
        "SELECT at, automated FROM labels WHERE at >= :start AND at < :end "
        "AND status IN ('upheld', 'cleared', 'hidden', 'queued')",
        period,
    ):
        counts = per_day.setdefault(_day(at), {"automated": 0, "people": 0})
        counts["automated" if automated else "people"] += 1
    by_moderator = store.execute_sql(
        "SELECT actor, COUNT(*) FROM events WHERE type = 'review.decided' AND seq IN "
        "(SELECT event_seq FROM labels WHERE at >= :start AND at < :end AND NOT automated "
        "AND status IN ('upheld', 'cleared')) GROUP BY actor ORDER BY COUNT(*) DESC, actor",
        period,
    )
    top_rules = store.execute_sql(
        "SELECT rule_id, COUNT(*) FROM labels WHERE status = 'upheld' "
        "AND at >= :start AND at < :end GROUP BY rule_id ORDER BY COUNT(*) DESC, rule_id "
        "LIMIT 10",
        period,
    )
    sanctions = store.execute_sql(
        "SELECT action, COUNT(*) FROM sanctions WHERE at >= :start AND at < :end "
        "GROUP BY action ORDER BY COUNT(*) DESC, action",
        period,
    )
    appeals = store.execute_sql(
        "SELECT COALESCE(a.outcome, 'open'), COUNT(*) FROM appeals a "
        "WHERE a.filed_at >= :start AND a.filed_at < :end GROUP BY 1 ORDER BY 2 DESC, 1",
        period,
    )
    return {
        "open_items": len(flagged),
        "open_by_age": [
            (name, ages.get(name, 0)) for name in [*(n for n, _ in AGES), "a week or more"]
        ],
        "oldest_open": now - min(flagged) if flagged else None,
        "decisions_per_day": sorted(per_day.items()),
        "top_rules": [(r[0], int(r[1])) for r in top_rules],
        "sanctions_by_step": [(r[0], int(r[1])) for r in sanctions],
        "appeals_by_outcome": [(r[0], int(r[1])) for r in appeals],
        "decisions_by_moderator": [(r[0], int(r[1])) for r in by_moderator],
    }
