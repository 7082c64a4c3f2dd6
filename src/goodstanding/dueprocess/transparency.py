"""The transparency report (DSA Arts. 15 and 24): decisions, notices, appeals, sanctions and
record exports over a period, as data and as a self-contained HTML page."""

from __future__ import annotations

import html
import statistics
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from goodstanding.dueprocess.collect import Facts, decisions
from goodstanding.policy import PolicySet
from goodstanding.store import Store

LABELS = {
    "fully": "Decided automatically",
    "partially": "Moderator decision, step set by the ladder",
    "not": "Decided by a moderator",
    "removed": "Content removed",
    "hidden": "Content hidden pending review",
    "labelled": "Content labelled",
    "restriction": "Privileges restricted",
    "revoke_group_admin": "Group administration withdrawn",
    "admin_suspended": "Group administration suspended (standing)",
    "suspension": "Account suspended",
    "ban": "Account closed",
    "identity_refused": "Registration refused (blocked identity)",
}


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _counts(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def transparency_report(
    store: Store, policies: PolicySet, start: float, end: float
) -> dict[str, Any]:
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


def _label(key: str) -> str:
    return (
        key.removeprefix("STATEMENT_CATEGORY_").replace("_", " ").capitalize()
        if key.isupper()
        else LABELS.get(key, key.replace("_", " "))
    )


def _bars(title: str, counts: dict[str, int]) -> str:
    """A horizontal bar chart as inline SVG (no scripts, nothing fetched)."""
    if not counts:
        return f"<h3>{html.escape(title)}</h3><p>None in this period.</p>"
    top = max(counts.values()) or 1
    row, label_w, bar_w = 24, 300, 360
    parts = [
        f'<svg role="img" aria-label="{html.escape(title)}" width="{label_w + bar_w + 80}" '
        f'height="{row * len(counts) + 8}">'
    ]
    for i, (key, value) in enumerate(counts.items()):
        y = i * row + 4
        width = max(1.0, bar_w * value / top)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{html.escape(_label(key))}'
            f'</text><rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row - 8}" '
            f'fill="#3b6ea8"></rect><text x="{label_w + width + 6:.1f}" y="{y + 16}">{value}'
            "</text>"
        )
    parts.append("</svg>")
    return f"<h3>{html.escape(title)}</h3>" + "".join(parts)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    return f"{seconds / 3600:.1f} hours" if seconds < 3 * 86400 else f"{seconds / 86400:.1f} days"


def _table(rows: list[tuple[str, object]]) -> str:
    body = "".join(
        f"<tr><th scope=row>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"


STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#1d1d1f}h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse}th,td{padding:.2rem .8rem;text-align:left}"
    "th{font-weight:normal;color:#444}td{font-variant-numeric:tabular-nums}"
    "svg text{font:13px system-ui,sans-serif;fill:#1d1d1f}"
)


def render_html(report: dict[str, Any]) -> str:
    """The report as one self-contained page: inline styles and SVG charts, no scripts and no
    external resources."""
    d, n, a, s = (
        report["decisions"],
        report["notices"],
        report["appeals"],
        report["account_sanctions"],
    )
    period = " to ".join(
        f"{datetime.fromisoformat(report['period'][k]):%Y-%m-%d %H:%M} UTC" for k in ("from", "to")
    )
    sections = [
        "<h2>Decisions</h2>",
        _table(
            [
                ("Restrictions decided", d["total"]),
                ("Warnings given", d["warnings"]),
                ("Found by automated detection", d["automated_detection"]),
                (
                    "Median time from notice or flag to decision",
                    _duration(d["median_seconds_to_decision"]),
                ),
            ]
        ),
        _bars("By category of violation", d["by_category"]),
        _bars("By kind of action", d["by_action"]),
        _bars("Automated or human", d["by_automation"]),
        "<h2>Notices received</h2>",
        _table([("Notices", n["received"]), ("From trusted flaggers", n["from_trusted_flaggers"])]),
        _bars("Notices by category named", n["by_category"]),
        "<h2>Appeals</h2>",
        _table(
            [
                ("Filed", a["filed"]),
                ("Decided", a["decided"]),
                ("Decision upheld", a["upheld"]),
                ("Decision reversed", a["reversed"]),
                ("Median time to decide an appeal", _duration(a["median_seconds_to_decide"])),
            ]
        ),
        "<h2>Account sanctions</h2>",
        _table(
            [
                ("Suspensions", s["suspensions"]),
                ("Bans", s["bans"]),
                ("Restrictions", s["restrictions"]),
            ]
        ),
        "<h2>Group-chat record exports</h2>",
        _table([("Exports to auditors", report["record_exports"])]),
    ]
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Transparency report, {html.escape(period)}</title><style>{STYLE}</style></head>"
        f"<body><h1>Transparency report</h1><p>Period: {html.escape(period)}.</p>"
        + "".join(sections)
        + "</body></html>\n"
    )
