"""The read side behind the console's pages: the matched spans marked in a content's text,
a score's history, and the queue filter."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from goodstanding.queries.review import QueueFilter, marked
from goodstanding.queries.score_history import score_over_time


@given(st.text(max_size=80), st.lists(st.text(min_size=1, max_size=6), max_size=4))
def test_marking_keeps_the_text_and_marks_only_quoted_spans(text: str, quoted: list[str]) -> None:
    evidence = [f"terms detector 1 (3 terms) (score 1.00): {q!r}" for q in quoted]
    pieces = marked(text, evidence)
    assert "".join(piece for piece, _ in pieces) == text
    for piece, hit in pieces:
        assert not hit or any(piece.casefold() in q.casefold() for q in quoted)


def test_marking_finds_each_quoted_excerpt_case_insensitively() -> None:
    evidence = [
        "pattern detector 2 (2 patterns) (score 1.00): 'secure-login-bank.example'",
        "terms detector 1 (10 terms) (score 1.00): 'FREE'",
        "reports 0: score 2.5",
    ]
    assert marked("Free money at secure-login-bank.example, free!", evidence) == [
        ("Free", True),
        (" money at ", False),
        ("secure-login-bank.example", True),
        (", ", False),
        ("free", True),
        ("!", False),
    ]


def test_a_score_history_fades_each_line_from_its_date_and_clamps() -> None:
    day = 86400.0
    explained = {
        "registered_at": "2026-01-01T00:00:00Z",
        "as_of": "2026-01-11T00:00:00Z",
        "half_life_days": 10.0,
        "range": [0.0, 100.0],
        "start": 50.0,
    }
    first = 1767225600.0  # 2026-01-01T00:00:00Z
    ledger = [(first, first, -80.0), (first + 5 * day, first, 40.0)]
    series = dict(score_over_time(explained, ledger, points=11))
    start = min(series)
    assert series[start] == 0.0, "50 - 80 is clamped to the minimum"
    assert series[start + 4 * day] == 0.0
    assert round(series[start + 5 * day], 6) == round(50 - 40 * 2**-0.5, 6)
    assert round(series[start + 10 * day], 6) == 30.0, "50 + (-80 + 40) / 2"


def test_a_queue_filter_admits_by_rule_kind_group_and_age() -> None:
    item = {"rule": "spam.bulk", "kind": "message", "group": "g1", "flagged": 1000.0}
    assert QueueFilter().admits(item, 1000.0)
    assert QueueFilter(rule="spam.bulk", kind="message", group="g1").admits(item, 1000.0)
    assert not QueueFilter(rule="spam.links").admits(item, 1000.0)
    assert not QueueFilter(kind="post").admits(item, 1000.0)
    assert not QueueFilter(group="g2").admits(item, 1000.0)
    assert not QueueFilter(older_than=3600.0).admits(item, 4599.0)
    assert QueueFilter(older_than=3600.0).admits(item, 4600.0)
