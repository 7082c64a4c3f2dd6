"""The transparency report's figures as they were computed before they were read as SQL
aggregates: from every decision of the period as due process lists it (collect.decisions).
Kept as the reference the aggregates must equal, figure for figure."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from goodstanding.dueprocess.collect import Facts, decisions
from goodstanding.policy import PolicySet
from goodstanding.store import Store


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _counts(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def report_before(store: Store, policies: PolicySet, start: float, end: float) -> dict[str, Any]:
    """The report's figures for decisions applied, notices received and appeals filed or
    decided in [start, end)."""
    facts = Facts(store, policies)
    window = {"start": start, "end": end}
    made = list(decisions(store, policies, start, end, facts))
    restrictions = [d for d in made if d.action != "warning"]

    first_flag: dict[str, float] = {}
    for content_id, at in store.execute_sql("SELECT content_id, MIN(at) FROM flags GROUP BY 1"):
        first_flag[content_id] = float(at)
    to_decision = []
    for content_id, at in store.execute_sql(
        "SELECT content_id, at FROM labels WHERE status IN ('upheld', 'cleared') "
        "AND NOT automated AND at >= :start AND at < :end",
        window,
    ):
        starts = [t for t, _, _ in facts.reports.get(content_id, [])]
        if content_id in first_flag:
            starts.append(first_flag[content_id])
        earlier = [t for t in starts if t <= at]
        if earlier:
            to_decision.append(at - min(earlier))

    notices: Counter[str] = Counter()
    trusted = 0
    for reports in facts.reports.values():
        for at, actor, rule_id in reports:
            if start <= at < end:
                notices[facts.rule(rule_id, at)[2]] += 1
                trusted += actor in facts.trusted

    filed = store.execute_sql(
        "SELECT COUNT(*) FROM appeal_log WHERE outcome IS NULL AND at >= :start AND at < :end",
        window,
    )[0][0]
    outcomes: Counter[str] = Counter()
    appeal_times: list[float] = []
    for outcome, seconds in store.execute_sql(
        "SELECT outcome, seconds_to_decide FROM appeal_log WHERE outcome IS NOT NULL "
        "AND at >= :start AND at < :end",
        window,
    ):
        outcomes[outcome] += 1
        appeal_times.append(float(seconds))
    exports = store.execute_sql(
        "SELECT COUNT(*) FROM audit_log WHERE type = 'records.export' "
        "AND at >= :start AND at < :end",
        window,
    )[0][0]
    actions = Counter(d.action for d in made)
    return {
        "period": {
            "from": datetime.fromtimestamp(start, UTC).isoformat(),
            "to": datetime.fromtimestamp(end, UTC).isoformat(),
        },
        "decisions": {
            "total": len(restrictions),
            "warnings": actions.pop("warning", 0),
            "by_category": _counts(Counter(d.category for d in restrictions)),
            "by_action": _counts(actions),
            "by_automation": _counts(Counter(d.automated_decision for d in restrictions)),
            "automated_detection": sum(d.automated_detection for d in restrictions),
            "median_seconds_to_decision": _median(to_decision),
        },
        "notices": {
            "received": sum(notices.values()),
            "from_trusted_flaggers": trusted,
            "by_category": _counts(notices),
        },
        "appeals": {
            "filed": filed,
            "decided": sum(outcomes.values()),
            "upheld": outcomes["upheld"],
            "reversed": outcomes["reversed"],
            "median_seconds_to_decide": _median(appeal_times),
        },
        "account_sanctions": {
            "suspensions": sum(d.action == "suspension" for d in made),
            "bans": sum(d.action == "ban" for d in made),
            "restrictions": sum(d.action == "restriction" for d in made),
        },
        "record_exports": exports,
    }
