"""The account pages' reads kept to one account give what the whole-store reads gave, filtered
to that account: the notices and statements of reasons of every account of a sim and of one
person's path through every kind of decision (an identity blocked by another account's
decision included); the newest lines of an explanation and the score chart's points are
those of the whole explanation; the log's latest event time is read from an index; and the
reports are read from the log once, then only as far as it grew."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from goodstanding.dueprocess.notices import Notice, acknowledge, notices
from goodstanding.engine import iso
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.policy import PolicySet
from goodstanding.queries.decisions import reports
from goodstanding.queries.explain import explained_with_points, explanation
from goodstanding.queries.lookup import last_event_time
from goodstanding.sim import SimConfig, write_jsonl
from goodstanding.store import Store
from helpers import POLICY_V1, line
from test_dueprocess import every_kind_of_decision, policy_with_detectors
from test_whatif import community


@pytest.fixture(scope="module")
def sim_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store holding a 300-account, 20-day sim, some of its notices acknowledged."""
    folder = tmp_path_factory.mktemp("scoped")
    stream = folder / "sim.jsonl"
    write_jsonl(SimConfig(accounts=300, days=20, seed=5), stream)
    store = Store.open(f"sqlite:///{folder / 'gs.db'}")
    policies = load_policies(store)
    with stream.open("rb") as lines:
        assert not Ingestor(store, policies).ingest(lines).errors
    every = notices(store, policies, include_acked=True)
    acknowledge(store, policies, [n.id for n in every[::3]], "platform", 1.0)
    yield store
    store.close()


def _by_account(store: Store, policies: PolicySet, acked: bool) -> dict[str, list[Notice]]:
    """The whole store's outbox, split by account (the reads before they were scoped)."""
    split: dict[str, list[Notice]] = {}
    for notice in notices(store, policies, include_acked=acked):
        split.setdefault(notice.account_id, []).append(notice)
    return split


def _assert_scoped_reads_match(store: Store, policies: PolicySet) -> dict[str, list[Notice]]:
    known = {row[0] for row in store.execute_sql("SELECT id FROM accounts")}
    for acked in (True, False):
        whole = _by_account(store, policies, acked)
        for account in sorted(known | set(whole)):  # one refused at registration has notices
            scoped = notices(store, policies, account, include_acked=acked)
            assert scoped == whole.get(account, []), account
    return _by_account(store, policies, True)


def test_each_accounts_notices_are_the_whole_outbox_filtered_to_it(sim_store: Store) -> None:
    whole = _assert_scoped_reads_match(sim_store, load_policies(sim_store))
    subjects = {n.id.split(":")[0] for found in whole.values() for n in found}
    assert {"labels", "sanctions", "appeal_log"} <= subjects, subjects
    assert any(n.acked_at is not None for found in whole.values() for n in found)


def test_every_kind_of_decision_is_kept_to_its_account(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'gs.db'}")
    try:
        policies = load_policies(store, [str(policy_with_detectors(tmp_path))])
        assert not Ingestor(store, policies).ingest(every_kind_of_decision()).errors
        whole = _assert_scoped_reads_match(store, policies)
        subjects = {n.id.split(":")[0] for found in whole.values() for n in found}
        assert {"identity_log", "admin_rights", "sanction_lifts"} <= subjects, subjects
    finally:
        store.close()


def test_the_latest_event_time_is_read_from_an_index(sim_store: Store) -> None:
    times = [row[0] for row in sim_store.execute_sql("SELECT at FROM events")]
    assert last_event_time(sim_store) == max(times)
    plan = " ".join(
        str(row[-1])
        for row in sim_store.execute_sql("EXPLAIN QUERY PLAN SELECT MAX(at) FROM events")
    )
    assert "ix_events_at" in plan, plan


def test_the_newest_ledger_lines_and_the_charts_points_match_the_whole_explanation(
    sim_store: Store,
) -> None:
    policies = load_policies(sim_store)
    busiest = sim_store.execute_sql(
        "SELECT account_id FROM ledger GROUP BY account_id ORDER BY COUNT(*) DESC LIMIT 1"
    )[0][0]
    t = last_event_time(sim_store)
    assert t is not None
    whole = explanation(sim_store, policies, busiest, t)
    assert len(whole["ledger"]) > 20
    newest, points = explained_with_points(sim_store, policies, busiest, t, 20)
    assert newest["ledger"] == whole["ledger"][-20:]
    assert {k: v for k, v in newest.items() if k != "ledger"} == {
        k: v for k, v in whole.items() if k != "ledger"
    }
    assert [(iso(s), iso(d), delta) for s, d, delta in points] == [
        (x["at"], x["dated"], x["delta"]) for x in whole["ledger"]
    ]


def test_reports_read_once_then_only_what_the_log_gained(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'gs.db'}")
    try:
        policies = load_policies(store, [str(POLICY_V1)])
        assert not Ingestor(store, policies).ingest(community()).errors
        assert reports(store) == []
        later = line(
            "content.reported", "2026-01-03T00:00:00Z", "m3", content_id="c2", rule="spam.bulk"
        )
        assert not Ingestor(store, policies).ingest([later]).errors
        assert [(r.reporter, r.content_id) for r in reports(store)] == [("m3", "c2")]
        assert reports(store, {"c1"}) == [] and len(reports(store, {"c2"})) == 1
    finally:
        store.close()
