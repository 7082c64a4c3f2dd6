"""The transparency report (DSA Arts. 15 and 24): decisions, notices, appeals, sanctions and
record exports over a period, as data and as a self-contained HTML page."""

from __future__ import annotations

import os
import statistics
from collections import Counter
from datetime import UTC, datetime
from typing import Any, Final

import jinja2
from markupsafe import Markup

from goodstanding.dueprocess.collect import Facts, decisions
from goodstanding.policy import PolicySet
from goodstanding.store import Store

SERVICE_NAME_ENV: Final = "GOODSTANDING_SERVICE_NAME"
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


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    return f"{seconds / 3600:.1f} hours" if seconds < 3 * 86400 else f"{seconds / 86400:.1f} days"


STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#1d1d1f}h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse}th,td{padding:.2rem .8rem;text-align:left}"
    "th{font-weight:normal;color:#444}td{font-variant-numeric:tabular-nums}"
    "svg text{font:13px system-ui,sans-serif;fill:#1d1d1f}"
)


_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("goodstanding.dueprocess", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.filters["label"] = _label
_templates.filters["duration"] = _duration


def service_name() -> str:
    """The name of the service the report is about: GOODSTANDING_SERVICE_NAME, or
    goodstanding (at most 200 characters)."""
    return (os.environ.get(SERVICE_NAME_ENV, "").strip() or "goodstanding")[:200]


def render_html(report: dict[str, Any], generated: float, *, standalone: bool = True) -> str:
    """The report as HTML from the one template the command line and the console share: with
    `standalone`, one self-contained page (inline styles and SVG charts, no scripts, no
    external resources); without, the report's body for a console page. It names the
    service, the period and when it was generated."""
    period = " to ".join(
        f"{datetime.fromisoformat(report['period'][k]):%Y-%m-%d %H:%M} UTC" for k in ("from", "to")
    )
    return _templates.get_template("transparency.html").render(
        report=report,
        period=period,
        service=service_name(),
        generated=f"{datetime.fromtimestamp(generated, UTC):%Y-%m-%d %H:%M} UTC",
        standalone=standalone,
        style=Markup(STYLE),
    )
