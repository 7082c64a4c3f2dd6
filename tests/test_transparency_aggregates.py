"""The transparency report read as SQL aggregates gives the figures, and so the JSON and the
page, byte for byte that it gave when it was computed from every decision of the period
(tests/transparency_before.py), on SQLite and PostgreSQL: over a person's path through every
kind of decision, and over a simulated community judged by two policy versions whose rule
categories and dates differ."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.dueprocess.collect import decisions
from goodstanding.dueprocess.transparency import render_html, transparency_report
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.policy import DEFAULT_POLICY
from goodstanding.store import Store
from test_dueprocess import every_kind_of_decision, policy_with_detectors
from transparency_before import report_before

DAY = 86400.0
LATER = (
    ('version = "2026.1"', 'version = "2026.2"'),
    ("effective_from = 2026-01-01T00:00:00Z", "effective_from = 2026-01-12T00:00:00Z"),
    (
        'category = "scams_and_fraud"\nseverity = "low"\nsevere = false\n'
        "effective_from = 2026-01-01T00:00:00Z",
        'category = "cyber_violence"\nseverity = "low"\nsevere = false\n'
        "effective_from = 2026-01-14T00:00:00Z",
    ),
)
"""A later version from 12 January: spam.bulk is counted as cyber violence, and only from
14 January (between the two it is in force in no version)."""


def _periods(store: Store) -> list[tuple[float, float]]:
    """The whole log, its first and second halves, and a day in the middle."""
    low, high = store.execute_sql("SELECT MIN(at), MAX(at) FROM events")[0]
    middle = (low + high) / 2
    return [
        (0.0, high + DAY),
        (low - DAY, high + DAY),
        (low, middle),
        (middle, high + 1),
        (middle, middle + DAY),
    ]


def _same_as_before(store: Store) -> None:
    policies = load_policies(store)
    for start, end in _periods(store):
        before = report_before(store, policies, start, end)
        now = transparency_report(store, policies, start, end)
        assert json.dumps(now) == json.dumps(before), (start, end)
        assert render_html(now, 0.0) == render_html(before, 0.0)


@pytest.fixture
def person(tmp_path: Path, db_url: str) -> Iterator[Store]:
    """One person's path through every kind of decision."""
    store = Store.open(db_url)
    policies = load_policies(store, [str(policy_with_detectors(tmp_path))])
    assert not Ingestor(store, policies).ingest(every_kind_of_decision()).errors
    yield store
    store.close()


def test_every_kind_of_decision_is_counted_as_before(person: Store) -> None:
    made = Counter(d.action for d in decisions(person, load_policies(person), 0, math.inf))
    assert {"removed", "hidden", "labelled", "warning", "suspension", "ban"} <= made.keys()
    assert {"admin_suspended", "identity_refused"} <= made.keys()
    _same_as_before(person)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated month of 300 accounts, as event lines."""
    folder = tmp_path_factory.mktemp("sim")
    stream = folder / "sim.jsonl"
    made = CliRunner().invoke(
        app, ["sim", "--accounts", "300", "--days", "20", "--seed", "5", "--out", str(stream)]
    )
    assert made.exit_code == 0, made.output
    return stream


def test_a_simulated_community_under_two_versions_is_counted_as_before(
    simulated: Path, db_url: str, tmp_path: Path
) -> None:
    text = DEFAULT_POLICY.read_text()
    for old, new in LATER:
        assert old in text, old
        text = text.replace(old, new, 1)
    later = tmp_path / "later.toml"
    later.write_text(text)
    shutil.copytree(DEFAULT_POLICY.parent / "terms", tmp_path / "terms")
    store = Store.open(db_url)
    try:
        policies = load_policies(store, [str(DEFAULT_POLICY), str(later)])
        with simulated.open("rb") as lines:
            Ingestor(store, policies).ingest(lines)
        made = Counter(d.action for d in decisions(store, policies, 0, math.inf))
        assert {"removed", "warning", "suspension"} <= made.keys()
        by_category = transparency_report(store, policies, 0, 2e9)["decisions"]
        assert "STATEMENT_CATEGORY_CYBER_VIOLENCE" in by_category["by_category"]
        _same_as_before(store)
    finally:
        store.close()
