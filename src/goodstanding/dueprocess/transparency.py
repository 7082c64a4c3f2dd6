"""The transparency report (DSA Arts. 15 and 24): decisions, notices, appeals, sanctions and
record exports over a period, as data and as a self-contained HTML page."""

from __future__ import annotations

import bisect
import os
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any, Final

from markupsafe import Markup

from goodstanding.dueprocess.collect import (
    BY_STANDING,
    label_decision,
    rule_in_force,
    sanction_automation,
    trusted_flaggers,
)
from goodstanding.policy import PolicySet
from goodstanding.queries import decisions as read
from goodstanding.queries import transparency as report_queries
from goodstanding.store import Store
from goodstanding.templating import package_templates

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


class _Categories:
    """The DSA category of a rule as in force at an instant, looked up once per rule and
    stretch of time between `cuts`: the instants at which a version or a rule starts or ends,
    the only ones at which a rule's category can change."""

    def __init__(self, policies: PolicySet) -> None:
        self.policies = policies
        self.cuts = sorted(
            {
                when.timestamp()
                for policy in policies.versions
                for rule in policy.rules
                for when in (policy.effective_from, rule.effective_from, rule.effective_until)
                if when is not None
            }
        )
        self._found: dict[tuple[str | None, int], str] = {}

    def stretch(self, at: float) -> int:
        """How many cuts are at or before `at`."""
        return bisect.bisect_right(self.cuts, at)

    def of(self, rule_id: str | None, at: float, stretch: int | None = None) -> str:
        """The category of `rule_id` as in force at `at` (whose stretch may be given)."""
        key = (rule_id, self.stretch(at) if stretch is None else stretch)
        if key not in self._found:
            self._found[key] = rule_in_force(self.policies, rule_id, at)[2]
        return self._found[key]


Tally = Counter[tuple[str, str, str, bool]]
"""Decisions counted by category, action, automated decision and automated detection."""


def _decisions(store: Store, start: float, end: float, categories: _Categories) -> Tally:
    """The decisions applied in [start, end) (those collect.decisions lists), counted."""
    tally: Tally = Counter()
    for group in report_queries.label_groups(store, start, end, categories.cuts):
        action, automation, detected = label_decision(group.status, group.automated, group.detected)
        category = categories.of(group.rule_id, group.posted, group.stretch)
        tally[category, action, automation, detected] += group.labels
    for sanction in report_queries.sanctions_behind(store, start, end):
        posted = sanction.at if sanction.posted is None else sanction.posted
        category = categories.of(sanction.rule_id, posted)
        automation = sanction_automation(sanction.decided)
        tally[category, sanction.action, automation, sanction.detected] += 1
    category, automation, detected = BY_STANDING
    for action, count in report_queries.standing_decisions(store, start, end).items():
        if count:
            tally[category, action, automation, detected] += count
    return tally


def _sum(tally: Tally, part: int) -> Counter[str]:
    """The tally summed by one part of its key (0 category, 1 action, 2 automation)."""
    found: Counter[str] = Counter()
    for key, count in tally.items():
        found[str(key[part])] += count
    return found


def transparency_report(
    store: Store, policies: PolicySet, start: float, end: float
) -> dict[str, Any]:
    """The report's figures for decisions applied, notices received and appeals filed or
    decided in [start, end)."""
    categories = _Categories(policies)
    made = _decisions(store, start, end, categories)
    restrictions: Tally = Counter({k: n for k, n in made.items() if k[1] != "warning"})
    reports: dict[str, list[float]] = defaultdict(list)
    notices: Counter[str] = Counter()
    trusted, flaggers = 0, trusted_flaggers(policies)
    for report in read.reports(store):
        reports[report.content_id].append(report.at)
        if start <= report.at < end:
            notices[categories.of(report.rule_id, report.at)] += 1
            trusted += report.reporter in flaggers

    to_decision = []
    for review in report_queries.reviewed(store, start, end):
        starts = reports.get(review.content_id, [])
        if review.first_flag is not None:
            starts = [*starts, review.first_flag]
        earlier = [t for t in starts if t <= review.at]
        if earlier:
            to_decision.append(review.at - min(earlier))

    filed, decided = report_queries.appeals(store, start, end)
    outcomes = Counter(outcome for outcome, _ in decided)
    actions = _sum(made, 1)
    return {
        "period": {
            "from": datetime.fromtimestamp(start, UTC).isoformat(),
            "to": datetime.fromtimestamp(end, UTC).isoformat(),
        },
        "decisions": {
            "total": sum(restrictions.values()),
            "warnings": actions.pop("warning", 0),
            "by_category": _counts(_sum(restrictions, 0)),
            "by_action": _counts(actions),
            "by_automation": _counts(_sum(restrictions, 2)),
            "automated_detection": sum(n for k, n in restrictions.items() if k[3]),
            "median_seconds_to_decision": _median(to_decision),
        },
        "notices": {
            "received": sum(notices.values()),
            "from_trusted_flaggers": trusted,
            "by_category": _counts(notices),
        },
        "appeals": {
            "filed": filed,
            "decided": len(decided),
            "upheld": outcomes["upheld"],
            "reversed": outcomes["reversed"],
            "median_seconds_to_decide": _median([seconds for _, seconds in decided]),
        },
        "account_sanctions": {
            "suspensions": actions["suspension"],
            "bans": actions["ban"],
            "restrictions": actions["restriction"],
        },
        "record_exports": report_queries.record_exports(store, start, end),
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


_templates = package_templates("goodstanding.dueprocess", label=_label, duration=_duration)


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
