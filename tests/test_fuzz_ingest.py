"""Fuzzed lines against ingest on SQLite and PostgreSQL: no crash, every good line of the
same batch kept, nothing invalid accepted, and the log still verifies."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodstanding.event_lines import decode_event
from goodstanding.events import EventError
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.store import Store, verify
from helpers import POLICY_V1
from hostile import mutated

_counter = iter(range(10**9))


def good_lines(n: int) -> list[bytes]:
    """Valid, distinct registrations and posts (unique ids across the whole test run)."""
    lines = []
    for _ in range(n):
        k = next(_counter)
        at = "2026-01-02T00:00:00Z"
        lines.append(
            json.dumps(
                {"id": f"r{k}", "type": "account.registered", "at": at, "actor": f"u{k}"}
            ).encode()
        )
        lines.append(
            json.dumps(
                {
                    "id": f"p{k}",
                    "type": "content.posted",
                    "at": at,
                    "actor": f"u{k}",
                    "content_id": f"c{k}",
                    "kind": "post",
                    "text": "a fine day for a walk",
                }
            ).encode()
        )
    return lines


def decodes(line: bytes) -> bool:
    try:
        decode_event(line)
    except EventError:
        return False
    return True


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(mutated(), min_size=1, max_size=25), st.randoms(use_true_random=False))
def test_hostile_lines_cost_no_good_line(db_url: str, bad: list[bytes], rnd: object) -> None:
    store = Store.open(db_url)
    try:
        good = good_lines(5)
        lines = list(good)
        for line in bad:  # at random places, the good lines keeping their order
            lines.insert(rnd.randint(0, len(lines)), line)  # type: ignore[attr-defined]
        report = Ingestor(store, load_policies(store, [str(POLICY_V1)])).ingest(lines)
        undecodable = sum(1 for b in bad if b.strip() and not decodes(b))  # blanks are skipped
        assert report.accepted >= len(good)  # every good line kept
        assert len(report.errors) >= undecodable  # every undecodable line refused
        assert report.accepted + report.duplicates + len(report.errors) == report.read
        for error in report.errors:
            assert error.line is not None and len(str(error)) < 1000
        assert verify(store).ok
    finally:
        store.close()
