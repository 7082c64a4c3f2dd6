"""What a moderator sees while working the review queue: open items filtered by rule, kind,
group and age, and one item in full (its text and thread, the detectors' evidence with the
matched spans, the reports and each reporter's accuracy, the author's standing)."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from goodstanding.engine.state import ContentState
from goodstanding.policy import PolicySet
from goodstanding.queries.lookup import policy_in_force
from goodstanding.queries.moderation import OPEN_ITEMS, named_evidence
from goodstanding.queries.standing import standing
from goodstanding.store import Store

THREAD_DEPTH = 5
_QUOTED = re.compile(r"""(?:^|: )((?:'(?:[^'\\]|\\.)*')|(?:"(?:[^"\\]|\\.)*"))""")


@dataclass(frozen=True)
class QueueFilter:
    """Which open items to list: by rule, content kind, group, and a least age in seconds."""

    rule: str | None = None
    kind: str | None = None
    group: str | None = None
    older_than: float = 0.0

    def admits(self, item: dict[str, Any], now: float) -> bool:
        """Whether an open item passes the filter."""
        return bool(
            (self.rule is None or item["rule"] == self.rule)
            and (self.kind is None or item["kind"] == self.kind)
            and (self.group is None or item["group"] == self.group)
            and now - item["flagged"] >= self.older_than
        )


def open_items(
    store: Store, policies: PolicySet, wanted: QueueFilter, now: float, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Open review items passing the filter, highest priority first (at most `limit`), each
    with its evidence (detectors named), its content's kind and group and its flag time as
    epoch seconds; and how many items are open in all."""
    rows = store.execute_sql(OPEN_ITEMS.replace("LIMIT :limit", ""))
    with store.engine.connect() as conn:
        contents = {c.id: c for c in store.load_contents(conn, sorted({r[0] for r in rows}))}
    found = []
    for content_id, rule_id, outcome, source, evidence, priority, at, author in rows:
        content = contents[content_id]
        item = {
            "content": content_id,
            "rule": rule_id,
            "kind": content.kind,
            "group": content.group_id,
            "flagged": at,
        }
        if not wanted.admits(item, now):
            continue
        found.append(
            item
            | {
                "outcome": outcome,
                "source": source,
                "evidence": [
                    named_evidence(policies, rule_id, at, e) for e in json.loads(evidence)
                ],
                "priority": round(priority, 2),
                "author": author,
            }
        )
        if len(found) >= limit:
            break
    return found, len(rows)


def posted_text(store: Store, content: ContentState) -> str | None:
    """The text a content item was posted with, from its event in the log (None for a group
    message, whose text is kept only as an encrypted record)."""
    decode = msgspec.json.Decoder(dict[str, Any]).decode
    for (body,) in store.execute_sql(
        "SELECT body FROM events WHERE actor = :author AND at = :at AND type = 'content.posted'",
        {"author": content.author, "at": content.at},
    ):
        event = decode(body)
        if event.get("content_id") == content.id:
            text = event.get("text")
            return text if isinstance(text, str) else None
    return None


def _excerpt(line: str) -> str | None:
    """The quoted excerpt of user text an evidence line ends with, unquoted."""
    found = _QUOTED.search(line)
    if found is None:
        return None
    try:
        value = ast.literal_eval(found[1])
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) and value else None


def marked(text: str, evidence: list[str]) -> list[tuple[str, bool]]:
    """The text cut into pieces, each with whether it is a span some evidence line quotes
    (found case-insensitively; overlapping spans merge)."""
    folded = text.casefold()
    spans: list[tuple[int, int]] = []
    for line in evidence:
        excerpt = _excerpt(line)
        if excerpt is None:
            continue
        needle = excerpt.casefold()
        start = folded.find(needle)
        while start >= 0 and len(folded) == len(text):
            spans.append((start, start + len(needle)))
            start = folded.find(needle, start + len(needle))
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(spans):
        if end <= at:
            continue
        start = max(start, at)
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text) or not pieces:
        pieces.append((text[at:], False))
    return pieces


def _reporters(store: Store, reports: Sequence[tuple[str, str, str]]) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        accounts = {a.id: a for a in store.load_accounts(conn, sorted({r[0] for r in reports}))}
    found = []
    for reporter, rule, event_id in reports:
        account = accounts.get(reporter)
        judged = account.reports_upheld + account.reports_rejected if account else 0
        found.append(
            {
                "reporter": reporter,
                "rule": rule,
                "event": event_id,
                "upheld": account.reports_upheld if account else 0,
                "judged": judged,
                "accuracy": account.report_accuracy() if account and judged else None,
            }
        )
    return found


def recent_ledger(store: Store, account_id: str, n: int) -> list[dict[str, Any]]:
    """An account's last `n` ledger lines, newest first."""
    rows = store.execute_sql(
        "SELECT at, delta, reason, rule_id FROM ledger WHERE account_id = :id "
        "ORDER BY event_seq DESC, n DESC LIMIT :n",
        {"id": account_id, "n": n},
    )
    return [{"at": r[0], "delta": r[1], "reason": r[2], "rule": r[3]} for r in rows]


def review_item(
    store: Store, policies: PolicySet, content_id: str, rule_id: str, now: float
) -> dict[str, Any] | None:
    """One review item in full: the content and the thread it answers (oldest first), the
    live flags under this rule with their evidence (detectors named) and the marked text,
    the reports with each reporter's accuracy, the rule's text, and the author's standing
    and recent ledger; None when the content is unknown."""
    with store.engine.connect() as conn:
        found = store.load_contents(conn, [content_id])
    if not found:
        return None
    content = found[0]
    thread: list[dict[str, Any]] = []
    parent = content.parent_id
    while parent is not None and len(thread) < THREAD_DEPTH:
        with store.engine.connect() as conn:
            above = store.load_contents(conn, [parent])
        if not above:
            break
        thread.insert(
            0,
            {
                "content": above[0].id,
                "author": above[0].author,
                "text": posted_text(store, above[0]),
            },
        )
        parent = above[0].parent_id
    flags = [
        {
            "source": source,
            "outcome": outcome,
            "priority": round(priority, 2),
            "at": at,
            "evidence": [named_evidence(policies, rule_id, at, e) for e in json.loads(evidence)],
        }
        for source, outcome, priority, at, evidence in store.execute_sql(
            "SELECT source, outcome, priority, at, evidence FROM flags WHERE content_id = :c "
            "AND rule_id = :r AND mode = 'live' ORDER BY event_seq, n",
            {"c": content_id, "r": rule_id},
        )
    ]
    text = posted_text(store, content)
    rule = policy_in_force(policies, content.at).rules_by_id.get(rule_id)
    return {
        "content": content.id,
        "rule": rule_id,
        "rule_title": rule.title if rule else None,
        "rule_text": rule.text if rule else None,
        "author": content.author,
        "kind": content.kind,
        "group": content.group_id,
        "posted": content.at,
        "visible": content.visible,
        "text": text,
        "pieces": marked(text, [e for f in flags for e in f["evidence"]]) if text else [],
        "thread": thread,
        "flags": flags,
        "reports": _reporters(store, content.reports),
        "author_standing": standing(store, policies, content.author, now),
        "author_history": recent_ledger(store, content.author, 10),
    }
