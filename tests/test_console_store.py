"""The console's rows in a real SQLite and PostgreSQL store: claims on review items (two
processes racing for the same items never both get one; a claim expires), sessions kept
only as hashes, notes and preferences."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from goodstanding.store import Store

ITEMS = 40
RACE = """
import json, sys
from goodstanding.store import Store
url, me, order = sys.argv[1], sys.argv[2], sys.argv[3]
store = Store.open(url)
items = list(range(int(sys.argv[4])))
if order == "down":
    items.reverse()
print(sys.stdin.readline(), end="", flush=True)  # wait for the go signal
got = [i for i in items if store.claim(f"c{i}", "spam.bulk", me, 1000.0, 600.0).moderator == me]
print(json.dumps(got))
"""


def test_two_processes_racing_for_the_same_items_never_both_get_one(db_url: str) -> None:
    Store.open(db_url).close()  # created and migrated before the race
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACE, db_url, me, order, str(ITEMS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for me, order in (("m1", "up"), ("m2", "down"))
    ]
    for racer in racers:
        assert racer.stdin is not None
        racer.stdin.write("go\n")
        racer.stdin.flush()
    outputs = [racer.communicate(timeout=120)[0].splitlines() for racer in racers]
    assert all(racer.returncode == 0 for racer in racers)
    got = [set(json.loads(lines[-1])) for lines in outputs]
    assert got[0].isdisjoint(got[1])
    assert got[0] | got[1] == set(range(ITEMS))
    store = Store.open(db_url)
    held = store.claims(1000.0)
    for me, mine in zip(("m1", "m2"), got, strict=True):
        assert {int(c[1:]) for (c, _), claim in held.items() if claim.moderator == me} == mine


def test_a_claim_holds_until_it_expires_then_another_may_take_it(db_url: str) -> None:
    store = Store.open(db_url)
    assert store.claim("c1", "spam.bulk", "m1", 1000.0, 600.0).moderator == "m1"
    assert store.claim("c1", "spam.bulk", "m2", 1599.0, 600.0).moderator == "m1"
    assert store.claim("c1", "spam.links", "m2", 1599.0, 600.0).moderator == "m2"
    assert store.claims(1599.0)[("c1", "spam.bulk")].expires_at == 1600.0
    assert ("c1", "spam.bulk") not in store.claims(1600.0)
    taken = store.claim("c1", "spam.bulk", "m2", 1600.0, 600.0)
    assert (taken.moderator, taken.expires_at) == ("m2", 2200.0)
    store.release("c1", "spam.bulk", "m1")  # not m1's any more: nothing happens
    assert store.claims(1700.0)[("c1", "spam.bulk")].moderator == "m2"
    store.release("c1", "spam.bulk", "m2")
    assert ("c1", "spam.bulk") not in store.claims(1700.0)


def test_a_session_is_stored_only_as_the_hash_of_its_id(db_url: str) -> None:
    store = Store.open(db_url)
    session_id, opened = store.open_session("tok1", 1000.0, 3600.0)
    rows = store.execute_sql("SELECT id_sha256, token_id FROM console_sessions")
    assert rows == [(hashlib.sha256(session_id.encode()).hexdigest(), "tok1")]
    found = store.session(session_id, 4599.0)
    assert found is not None and (found.token_id, found.csrf) == ("tok1", opened.csrf)
    assert store.session(session_id, 4600.0) is None, "expired"
    assert store.session(session_id + "x", 1000.0) is None
    store.close_session(session_id)
    assert store.session(session_id, 1000.0) is None


def test_notes_newest_first_and_blurring_on_until_turned_off(db_url: str) -> None:
    store = Store.open(db_url)
    store.add_note("a1", "m1", 10.0, "first")
    store.add_note("a1", "m2", 20.0, "<b>second</b>")
    store.add_note("a2", "m1", 30.0, "elsewhere")
    assert [(n.author, n.text) for n in store.notes("a1")] == [
        ("m2", "<b>second</b>"),
        ("m1", "first"),
    ]
    assert store.blur_flagged("m1") is True
    store.set_blur_flagged("m1", False)
    assert store.blur_flagged("m1") is False
    assert store.blur_flagged("m2") is True
