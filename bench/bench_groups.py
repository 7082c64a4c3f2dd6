"""Group messages through the whole ingest path: decode, detection with the default policy,
the fold, the encrypted group-chat record, the hash-chained log, on SQLite."""

from __future__ import annotations

import json
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import note, report, sim_stream, throwaway_keys, timed
from goodstanding.pipeline import Ingestor, load_policies
from goodstanding.store import Store

MEMBERS, GROUPS, MESSAGES, DAYS = 5_000, 100, 200_000, 30


def _texts() -> list[str]:
    """Real texts from the sim (ordinary and violating, in several languages)."""
    texts = []
    with sim_stream(2_000, 30).open("rb") as lines:
        for line in lines:
            event = json.loads(line)
            if event["type"] == "content.posted" and event["text"]:
                texts.append(event["text"])
    return texts


def _stream(texts: list[str]) -> list[bytes]:
    rng = random.Random(5)
    start = datetime(2026, 1, 5, tzinfo=UTC)

    def at(seconds: float) -> str:
        return (start + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")

    lines = []
    members = [f"m{i:05d}" for i in range(MEMBERS)]
    for who in members:
        lines.append({"id": f"r-{who}", "type": "account.registered", "at": at(0), "actor": who})
    group_of = {}
    for g in range(GROUPS):
        owner = members[g]
        lines.append(
            {
                "id": f"g-{g}",
                "type": "group.created",
                "at": at(1),
                "actor": owner,
                "group_id": f"g{g}",
                "name": f"group {g}",
            }
        )
        group_of[owner] = g
    for who in members[GROUPS:]:
        g = rng.randrange(GROUPS)
        group_of[who] = g
        lines.append(
            {
                "id": f"j-{who}",
                "type": "group.joined",
                "at": at(2),
                "actor": who,
                "group_id": f"g{g}",
            }
        )
    step = DAYS * 86400 / MESSAGES
    for i in range(MESSAGES):
        who = members[int(rng.paretovariate(1.2)) % MEMBERS]
        lines.append(
            {
                "id": f"msg-{i}",
                "type": "content.posted",
                "at": at(10 + i * step),
                "actor": who,
                "content_id": f"msg{i}",
                "kind": "message",
                "group_id": f"g{group_of[who]}",
                "text": rng.choice(texts),
            }
        )
    return [json.dumps(line, ensure_ascii=False).encode() for line in lines]


def main() -> None:
    """Prints group messages per second through ingest (detection + records + log)."""
    note("building a stream of group messages from sim texts")
    lines = _stream(_texts())
    throwaway_keys()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'bench.db'}")
        ingestor = Ingestor(store, load_policies(store))
        setup = MEMBERS + GROUPS + (MEMBERS - GROUPS)
        ingestor.ingest(lines[:setup])
        note(f"ingesting {MESSAGES:,} group messages")
        result, seconds = timed(lambda: ingestor.ingest(lines[setup:]))
        if result.accepted != MESSAGES or result.errors:
            raise AssertionError(f"expected {MESSAGES} accepted, got {result.as_dict()}")
        records = store.execute_sql("SELECT COUNT(*) FROM record_records")[0][0]
        store.close()
    report(
        "group messages through ingest, SQLite",
        MESSAGES / seconds,
        "messages/s",
        f"{MESSAGES:,} messages in {GROUPS} groups of {MEMBERS:,} members, sim texts; "
        f"detection with the default policy, fold, AES-GCM record ({records:,} kept), "
        "hash-chained log; one process",
    )
