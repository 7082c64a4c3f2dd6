"""Ingest, replay and verify end to end, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from goodstanding.pipeline import Ingestor, load_policies, replay
from goodstanding.store import ChainError, Store, StoreError, verify
from goodstanding.store import schema as tables
from helpers import POLICY_V1, line

T0 = "2026-01-02T00:00:00Z"


def stream() -> list[bytes]:
    """A small community: registrations, posts, likes, a report and an upheld decision."""
    out = [line("account.registered", T0, f"m{i}", id=f"r{i}") for i in range(1, 4)]
    out.append(line("account.registered", T0, "mod", role="moderator", id="rmod"))
    for i in range(1, 4):
        out.append(
            line(
                "content.posted",
                f"2026-01-02T0{i}:00:00Z",
                f"m{i}",
                id=f"p{i}",
                content_id=f"c{i}",
                kind="post",
                text="hello",
            )
        )
    out.append(
        line("content.engaged", "2026-01-02T05:00:00Z", "m2", id="l1", content_id="c1", kind="like")
    )
    out.append(
        line(
            "content.reported",
            "2026-01-02T06:00:00Z",
            "m2",
            id="rep1",
            content_id="c3",
            rule="spam.bulk",
        )
    )
    out.append(
        line(
            "review.decided",
            "2026-01-02T07:00:00Z",
            "mod",
            id="d1",
            content_id="c3",
            rule="spam.bulk",
            verdict="violates",
        )
    )
    return out


def open_store(url: str) -> tuple[Store, Ingestor]:
    store = Store.open(url)
    return store, Ingestor(store, load_policies(store, [str(POLICY_V1)]))


def counts(store: Store) -> dict[str, int]:
    return {t.name: store.count(t) for t in (tables.events, *tables.PROJECTIONS)}


def test_ingest_is_idempotent(db_url: str) -> None:
    store, ingestor = open_store(db_url)
    first = ingestor.ingest(stream())
    assert (first.accepted, first.duplicates, first.errors) == (10, 0, [])
    before = counts(store)
    second = Ingestor(store, load_policies(store)).ingest(stream())
    assert (second.accepted, second.duplicates) == (0, 10)
    assert counts(store) == before
    assert before["strikes"] == 1 and before["sanctions"] == 1


def test_bad_lines_are_reported_and_good_ones_kept(db_url: str) -> None:
    store, ingestor = open_store(db_url)
    lines = [
        *stream()[:4],
        b'{"id": "x", "type": "nope", "at": "2026-01-02T00:00:00Z", "actor": "m1"}',
        b'{"id": "y", "type": "account.registered", "at": "2026-01-02T00:00:00", "actor": "m9"}',
        b"not json",
        line("content.posted", T0, "ghost", id="g", content_id="cg", kind="post", text="hi"),
    ]
    report = ingestor.ingest(lines)
    assert report.accepted == 4
    assert [(e.line, e.event_id) for e in report.errors] == [
        (5, "x"),
        (6, "y"),
        (7, None),
        (8, "g"),
    ]
    assert "unknown event type" in report.errors[0].message
    assert "offset" in report.errors[1].message
    assert "malformed JSON" in report.errors[2].message
    assert "unknown account 'ghost'" in report.errors[3].message
    assert store.count(tables.events) == 4


def test_strict_refuses_the_whole_batch(db_url: str) -> None:
    store, ingestor = open_store(db_url)
    report = ingestor.ingest([*stream(), b"{broken"], strict=True)
    assert report.refused_all and report.accepted == 0
    assert all(n == 0 for n in counts(store).values())
    ok = Ingestor(store, load_policies(store)).ingest(stream(), strict=True)
    assert ok.accepted == 10 and not ok.refused_all


def test_replay_twice_gives_identical_projections(db_url: str) -> None:
    store, ingestor = open_store(db_url)
    ingestor.ingest(stream())
    ingested = store.digest()
    policies = load_policies(store)
    assert replay(store, policies) == 10
    assert store.digest() == ingested
    replay(store, policies)
    assert store.digest() == ingested


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder", "truncate", "columns"])
def test_verify_names_the_broken_entry(db_url: str, tamper: str) -> None:
    store, ingestor = open_store(db_url)
    ingestor.ingest(stream())
    assert verify(store).ok
    with store.engine.begin() as conn:
        if tamper == "edit":
            conn.execute(
                text("UPDATE events SET body = REPLACE(body, 'hello', 'HELLO') WHERE seq = 6")
                if store.dialect == "sqlite"
                else text(
                    "UPDATE events SET body = convert_to(replace(convert_from(body, "
                    "'UTF8'), 'hello', 'HELLO'), 'UTF8') WHERE seq = 6"
                )
            )
        elif tamper == "delete":
            conn.execute(text("DELETE FROM events WHERE seq = 4"))
        elif tamper == "reorder":
            conn.execute(text("UPDATE events SET seq = -1 WHERE seq = 5"))
            conn.execute(text("UPDATE events SET seq = 5 WHERE seq = 6"))
            conn.execute(text("UPDATE events SET seq = 6 WHERE seq = -1"))
        elif tamper == "truncate":
            conn.execute(text("DELETE FROM events WHERE seq = 10"))
        else:
            conn.execute(text("UPDATE events SET actor = 'm9' WHERE seq = 7"))
    report = verify(store)
    assert not report.ok
    expected = {"edit": 6, "delete": 4, "reorder": 5, "truncate": 10, "columns": 7}[tamper]
    assert report.seq == expected, report.problem
    with pytest.raises(ChainError, match=f"entry {expected}"):
        replay(store, load_policies(store))


def test_a_published_policy_version_never_changes(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'gs.db'}")
    load_policies(store, [str(POLICY_V1)])
    changed = tmp_path / "changed.toml"
    changed.write_text(POLICY_V1.read_text().replace("post = 1.0", "post = 2.0"))
    with pytest.raises(StoreError, match="differs from the one already recorded"):
        load_policies(store, [str(changed)])


def test_state_survives_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gs.db'}"
    store, ingestor = open_store(url)
    lines = stream()
    ingestor.ingest(lines[:7])
    store.close()
    store, ingestor = open_store(url)
    ingestor.ingest(lines[7:])
    split = store.digest()
    replay(store, load_policies(store))
    assert store.digest() == split
