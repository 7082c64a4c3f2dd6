"""What moderators and rule owners look at: the review queue, how well a rule performs, and
rings of accounts that like each other's violating content. Read-only queries over the store."""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec

from goodstanding.detect import find_rings, like_edges
from goodstanding.detect.spec import (
    ClassifierSpec,
    DetectorSpec,
    KnownSpec,
    PatternSpec,
    TermsSpec,
)
from goodstanding.engine import iso
from goodstanding.policy import PolicySet
from goodstanding.store import Store

OPEN_ITEMS = """
SELECT f.content_id, f.rule_id, f.outcome, f.source, f.evidence, f.priority, f.at, c.author
FROM flags f JOIN contents c ON c.id = f.content_id
WHERE f.mode = 'live' AND f.outcome IN ('queue', 'hide')
  AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.content_id = f.content_id
                  AND l.rule_id = f.rule_id AND l.status IN ('upheld', 'cleared')
                  AND l.event_seq > f.event_seq)
ORDER BY f.priority DESC, f.at, f.content_id
LIMIT :limit
"""


_EVIDENCE = re.compile(r"(terms|pattern|classifier|known|reports) (\d+)(.*)", re.DOTALL)


def _summary(spec: DetectorSpec) -> str:
    """What one detector declaration is, in a few words."""
    if isinstance(spec, TermsSpec):
        return spec.terms_file or f"{len(spec.terms)} terms"
    if isinstance(spec, PatternSpec):
        return f"{len(spec.patterns)} patterns"
    if isinstance(spec, ClassifierSpec):
        return f"model {spec.model}, threshold {spec.threshold:g}"
    if isinstance(spec, KnownSpec):
        return spec.items_file or f"{len(spec.items)} known items"
    return f"report score {spec.threshold:g}"


def named_evidence(policies: PolicySet, rule_id: str, at: float, line: str) -> str:
    """An evidence line with its detector named: `pattern 0: ...` of rule R becomes `pattern
    detector 1 (3 patterns): ...`, from rule R as the policy in force at `at` declares it."""
    found = _EVIDENCE.match(line)
    rule = (policies.at_epoch(at) or policies.versions[0]).rules_by_id.get(rule_id)
    if found is None or rule is None or int(found[2]) >= len(rule.detectors):
        return line
    index = int(found[2])
    spec = rule.detectors[index]
    return f"{found[1]} detector {index + 1} ({_summary(spec)}){found[3]}"


def review_queue(store: Store, policies: PolicySet, limit: int = 50) -> list[dict[str, Any]]:
    """Open review items, highest priority first (severity, reach, report score), each with
    the evidence that put it there, its detectors named."""
    return [
        {
            "content": r[0],
            "rule": r[1],
            "outcome": r[2],
            "source": r[3],
            "evidence": [named_evidence(policies, r[1], r[6], e) for e in json.loads(r[4])],
            "priority": round(r[5], 2),
            "flagged_at": iso(r[6]),
            "author": r[7],
        }
        for r in store.execute_sql(OPEN_ITEMS, {"limit": limit})
    ]


def owner_queue(store: Store, owner: str) -> list[dict[str, Any]]:
    """The comments under an owner's posts that need them: waiting for approval, or showing
    with a violation label; each with the detectors' evidence, oldest first."""
    latest: dict[str, tuple[str, str, float]] = {}
    for content_id, status, reason, at in store.execute_sql(
        "SELECT content_id, status, reason, at FROM comment_reviews WHERE owner_id = :owner "
        "ORDER BY event_seq, n",
        {"owner": owner},
    ):
        latest[content_id] = (status, reason, at)
    waiting = sorted(c for c, (status, _, _) in latest.items() if status in ("held", "labelled"))
    with store.engine.connect() as conn:
        comments = {c.id: c for c in store.load_contents(conn, waiting)}
    evidence: dict[str, list[str]] = {}
    for content_id, rule_id, found in store.execute_sql(
        "SELECT content_id, rule_id, evidence FROM flags WHERE mode = 'live' "
        "AND content_id IN (SELECT content_id FROM comment_reviews WHERE owner_id = :owner) "
        "ORDER BY event_seq, n",
        {"owner": owner},
    ):
        evidence.setdefault(content_id, []).extend(f"{rule_id}: {e}" for e in json.loads(found))
    items = []
    for content_id in waiting:
        comment = comments[content_id]
        status, reason, at = latest[content_id]
        still = (
            comment.owner_state == "held"
            if status == "held"
            else comment.visible and bool(comment.flags)
        )
        if comment.removed_by is None and still:
            items.append(
                {
                    "comment": content_id,
                    "under": comment.parent_id,
                    "author": comment.author,
                    "status": status,
                    "since": iso(at),
                    "reason": reason,
                    "evidence": evidence.get(content_id, []),
                }
            )
    return sorted(items, key=lambda i: (i["since"], i["comment"]))


def open_item_count(store: Store) -> int:
    """How many review items are open (the queue's length before any limit)."""
    query = OPEN_ITEMS.replace("LIMIT :limit", "")
    return int(store.execute_sql(f"SELECT COUNT(*) FROM ({query}) AS open_items", {})[0][0])


def rule_report(store: Store, rule_id: str, examples: int | None = 5) -> dict[str, Any]:
    """How a rule (live or shadow) performs: items matched, by detector or reports, and how
    reviews judged them (precision), with the first `examples` examples (all with None)."""
    rows = store.execute_sql(
        "SELECT f.content_id, f.mode, f.source, f.outcome, f.evidence, "
        "(SELECT l.status FROM labels l WHERE l.content_id = f.content_id AND "
        " l.rule_id = f.rule_id AND l.status IN ('upheld', 'cleared') "
        " AND l.event_seq > f.event_seq ORDER BY l.event_seq LIMIT 1) "
        "FROM flags f WHERE f.rule_id = :rule ORDER BY f.event_seq",
        {"rule": rule_id},
    )
    upheld = sum(1 for r in rows if r[5] == "upheld")
    rejected = sum(1 for r in rows if r[5] == "cleared")
    reviewed = upheld + rejected
    return {
        "rule": rule_id,
        "matched": len(rows),
        "by_mode": _count(r[1] for r in rows),
        "by_source": _count(r[2] for r in rows),
        "reviewed": reviewed,
        "upheld": upheld,
        "rejected": rejected,
        "precision": round(upheld / reviewed, 3) if reviewed else None,
        "examples": [
            {
                "content": r[0],
                "mode": r[1],
                "outcome": r[3],
                "evidence": json.loads(r[4]),
                "review": r[5],
            }
            for r in rows[:examples]
        ],
    }


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return dict(sorted(out.items()))


def rings(store: Store, k: int = 2, min_size: int = 3) -> list[list[str]]:
    """Groups of accounts that repeatedly like or share each other's content upheld as
    violating, to be reviewed (nothing is decided automatically)."""
    labelled = {
        r[0]
        for r in store.execute_sql("SELECT DISTINCT content_id FROM labels WHERE status = 'upheld'")
    }
    decode = msgspec.json.Decoder(dict[str, Any]).decode
    events = (
        decode(body)
        for (body,) in store.execute_sql(
            "SELECT body FROM events WHERE type IN ('content.posted', 'content.engaged') "
            "ORDER BY seq"
        )
    )
    return find_rings(like_edges(events, labelled), k=k, min_size=min_size)
