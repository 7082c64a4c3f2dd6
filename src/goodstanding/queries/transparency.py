"""What the transparency report counts, read as aggregates: restricting labels grouped by what
decides their figures, the sanctions of a period with the decisions behind them, and the
counts of standing decisions, appeals and record exports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from goodstanding.engine.state import DecisionState, decision_codec
from goodstanding.store import Store

DETECTED = (
    "LEFT JOIN (SELECT DISTINCT content_id, rule_id FROM flags WHERE source = 'detector') dt "
    "ON dt.content_id = {content} AND dt.rule_id = {rule}"
)
"""Joins the (content, rule) pairs a detector flagged (as queries.decisions.detected);
`dt.content_id IS NOT NULL` when a detector flagged {content} for {rule}. (A join, not a
correlated EXISTS, which SQLite would answer through the index on the rule alone.)"""


class LabelGroup(NamedTuple):
    """Restricting labels (`labels` of them) alike in every figure of the report: of one
    rule and status, applied automatically or not, detected or not, on content posted within
    one stretch of time (`stretch`) over which the rule in force does not change; `posted` is
    the earliest posting time among them."""

    rule_id: str
    status: str
    automated: bool
    detected: bool
    stretch: int
    posted: float
    labels: int


class SanctionBehind(NamedTuple):
    """A sanction of the period, with the moderation decision of its event (if any), when the
    content that decision is about was posted, and whether a detector flagged that content
    for the sanction's rule."""

    sanction_id: str
    action: str
    rule_id: str | None
    at: float
    decided: DecisionState | None
    posted: float | None
    detected: bool


class Reviewed(NamedTuple):
    """A moderator's review of content in the period (upheld or cleared), and when a
    detector or a member first flagged that content (None if never)."""

    content_id: str
    at: float
    first_flag: float | None


def _stretch(column: str, cuts: Sequence[float]) -> tuple[str, dict[str, float]]:
    """An SQL expression for how many of the ascending `cuts` are at or before `column`,
    and its parameters."""
    if not cuts:
        return "0", {}
    whens = " ".join(f"WHEN {column} < :cut{i} THEN {i}" for i in range(len(cuts)))
    return f"CASE {whens} ELSE {len(cuts)} END", {f"cut{i}": t for i, t in enumerate(cuts)}


def label_groups(store: Store, start: float, end: float, cuts: Sequence[float]) -> list[LabelGroup]:
    """The labels restricting content (upheld, hidden or flagged) applied in [start, end),
    grouped (see LabelGroup) by the stretches between the ascending times `cuts`; a label on
    content the store does not know counts as posted when it was applied."""
    posted = "COALESCE(c.at, l.at)"
    stretch, cut_params = _stretch(posted, cuts)
    detected = DETECTED.format(content="l.content_id", rule="l.rule_id")
    rows = store.execute_sql(
        "SELECT l.rule_id, l.status, l.automated, dt.content_id IS NOT NULL, "
        f"{stretch}, MIN({posted}), COUNT(*) FROM labels l "
        f"LEFT JOIN contents c ON c.id = l.content_id {detected} "
        "WHERE l.status IN ('upheld', 'hidden', 'flagged') AND l.at >= :start AND l.at < :end "
        "GROUP BY 1, 2, 3, 4, 5",
        {"start": start, "end": end, **cut_params},
    )
    return [
        LabelGroup(r[0], r[1], bool(r[2]), bool(r[3]), int(r[4]), float(r[5]), int(r[6]))
        for r in rows
    ]


def sanctions_behind(store: Store, start: float, end: float) -> list[SanctionBehind]:
    """The sanctions imposed in [start, end), each with the moderation decision it came from:
    the decision whose id begins the sanction's id, which is the id of the event that
    imposed it."""
    detected = DETECTED.format(content="d.content_id", rule="s.rule_id")
    rows = store.execute_sql(
        "SELECT s.sanction_id, s.action, s.rule_id, s.at, d.state, c.at, "
        "dt.content_id IS NOT NULL FROM sanctions s "
        "LEFT JOIN decisions d ON d.id = s.event_id "
        f"LEFT JOIN contents c ON c.id = d.content_id {detected} "
        "WHERE s.at >= :start AND s.at < :end",
        {"start": start, "end": end},
    )
    decode = decision_codec[1].decode
    found: list[SanctionBehind] = []
    for sanction_id, action, rule_id, at, state, posted, flagged in rows:
        decided = decode(bytes(state)) if state is not None else None
        if decided is None or decided.id != sanction_id.split("/", 1)[0]:
            decided, posted, flagged = None, None, False
        found.append(
            SanctionBehind(
                sanction_id,
                action,
                rule_id,
                float(at),
                decided,
                float(posted) if posted is not None else None,
                bool(flagged),
            )
        )
    return found


def _count(store: Store, table: str, condition: str, start: float, end: float) -> int:
    """How many rows of `table` meet `condition` with `at` in [start, end)."""
    sql = f"SELECT COUNT(*) FROM {table} WHERE {condition} AND at >= :start AND at < :end"
    return int(store.execute_sql(sql, {"start": start, "end": end})[0][0])


def standing_decisions(store: Store, start: float, end: float) -> dict[str, int]:
    """How many decisions goodstanding took by itself in [start, end), by action:
    `admin_suspended` (group administration suspended by standing) and `identity_refused`
    (an identity refused because a decision blocks it)."""
    return {
        "admin_suspended": _count(store, "admin_rights", "NOT acting", start, end),
        "identity_refused": _count(
            store, "identity_log", "status = 'refused' AND decision IS NOT NULL", start, end
        ),
    }


def reviewed(store: Store, start: float, end: float) -> list[Reviewed]:
    """Every moderator's review that upheld or cleared content in [start, end)."""
    rows = store.execute_sql(
        "SELECT l.content_id, l.at, (SELECT MIN(f.at) FROM flags f "
        "WHERE f.content_id = l.content_id) FROM labels l "
        "WHERE l.status IN ('upheld', 'cleared') AND NOT l.automated "
        "AND l.at >= :start AND l.at < :end",
        {"start": start, "end": end},
    )
    return [Reviewed(r[0], float(r[1]), float(r[2]) if r[2] is not None else None) for r in rows]


def appeals(store: Store, start: float, end: float) -> tuple[int, list[tuple[str, float]]]:
    """How many appeals were filed in [start, end), and each appeal decided then as its
    outcome and the seconds it took to decide."""
    filed = _count(store, "appeal_log", "outcome IS NULL", start, end)
    decided = store.execute_sql(
        "SELECT outcome, seconds_to_decide FROM appeal_log WHERE outcome IS NOT NULL "
        "AND at >= :start AND at < :end",
        {"start": start, "end": end},
    )
    return filed, [(str(outcome), float(seconds)) for outcome, seconds in decided]


def record_exports(store: Store, start: float, end: float) -> int:
    """How many exports of group-chat records were audited in [start, end)."""
    return _count(store, "audit_log", "type = 'records.export'", start, end)
