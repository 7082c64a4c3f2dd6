"""The identity block list: the fold form and the compact BlockList index."""

from __future__ import annotations

import os
import random

import msgspec
import numpy as np
import pytest

from goodstanding.identity import (
    BlockEntry,
    BlockHit,
    BlockList,
    Hold,
    Key,
    KeyRing,
    add_hold,
    candidates,
    carry_forward,
    check,
    fingerprint,
    prune,
    remove_hold,
    validate,
)

DAY = 86400.0
K1 = KeyRing.of(("k1", bytes(range(1, 33))))
K2 = K1.with_current(Key("k2", bytes(range(101, 133))))


def random_fp(rng: random.Random, kid: str = "k1") -> str:
    return f"{kid}:{rng.randbytes(32).hex()}"


# -- the fold form -----------------------------------------------------------------------------


def test_entries_are_msgspec_structs_that_round_trip() -> None:
    fp = random_fp(random.Random(1))
    entry = add_hold(None, fp, "d1/acct/ban", 100.0, None)
    entry = add_hold(entry, fp, "d2/acct/suspension", 50.0, 500.0)
    for codec in (msgspec.msgpack, msgspec.json):
        assert codec.decode(codec.encode(entry), type=BlockEntry) == entry
    assert [h.decision for h in entry.holds] == ["d2/acct/suspension", "d1/acct/ban"]


def test_fold_check_names_decision_and_end() -> None:
    fp = random_fp(random.Random(2))
    state: dict[str, BlockEntry] = {fp: add_hold(None, fp, "d1", 100.0, 100.0 + 30 * DAY)}
    assert check(state.get, [fp], 99.0) is None  # before the decision
    hit = check(state.get, ["k1:" + "0" * 64, fp], 200.0)
    assert hit == BlockHit(fingerprint=fp, decision="d1", until=100.0 + 30 * DAY)
    assert check(state.get, [fp], 100.0 + 30 * DAY) is None  # ended
    # a permanent ban outranks a suspension
    state[fp] = add_hold(state[fp], fp, "d2", 150.0, None)
    assert check(state.get, [fp], 200.0) == BlockHit(fingerprint=fp, decision="d2", until=None)
    # replaying the same decision changes nothing
    assert add_hold(state[fp], fp, "d2", 150.0, None) == state[fp]


def test_fold_lift_and_prune() -> None:
    fp = random_fp(random.Random(3))
    entry = add_hold(add_hold(None, fp, "d1", 0.0, 10.0), fp, "d2", 0.0, None)
    lifted = remove_hold(entry, "d2")
    assert lifted is not None and [h.decision for h in lifted.holds] == ["d1"]
    assert remove_hold(lifted, "d1") is None
    assert prune(entry, 5.0) is entry
    pruned = prune(entry, 10.0)
    assert pruned is not None and pruned.holds == (Hold("d2", 0.0, None),)
    assert prune(lifted, 10.0) is None


def test_fold_refuses_bad_input() -> None:
    fp = random_fp(random.Random(4))
    with pytest.raises(ValueError):
        add_hold(None, "not a fingerprint", "d1", 0.0, None)
    with pytest.raises(ValueError):
        add_hold(None, fp, "", 0.0, None)
    with pytest.raises(ValueError):
        add_hold(None, fp, "d1", 10.0, 5.0)
    with pytest.raises(ValueError):
        add_hold(add_hold(None, fp, "d1", 0.0, None), random_fp(random.Random(5)), "d2", 0, None)


def test_rotation_block_found_under_old_key_and_carried_forward() -> None:
    identity = validate("cn.ric", "110101199003071233")
    old_fp = fingerprint(K1, identity)
    state: dict[str, BlockEntry] = {old_fp: add_hold(None, old_fp, "ban-1", 0.0, None)}
    fps = candidates(K2, identity)
    assert fps[0].startswith("k2:") and fps[1] == old_fp
    hit = check(state.get, fps, 10.0)
    assert hit is not None and hit.decision == "ban-1" and hit.fingerprint == old_fp
    moved = carry_forward(state.get, fps, 10.0)
    assert moved is not None and moved.fingerprint == fps[0]
    state[fps[0]] = moved
    assert carry_forward(state.get, fps, 10.0) is None  # idempotent
    # k1 retired: only the k2 fingerprint is computed, and the block still holds.
    retired = K2.without("k1")
    assert check(state.get, candidates(retired, identity), 20.0) == BlockHit(
        fingerprint=fps[0], decision="ban-1", until=None
    )
    # without carrying forward, retiring k1 would have forgotten the block
    only_old: dict[str, BlockEntry] = {old_fp: state[old_fp]}
    assert check(only_old.get, candidates(retired, identity), 20.0) is None


def test_carry_forward_skips_ended_holds() -> None:
    rng = random.Random(6)
    new, old = random_fp(rng, "k2"), random_fp(rng)
    state = {old: add_hold(add_hold(None, old, "s1", 0.0, 5.0), old, "s2", 0.0, 50.0)}
    moved = carry_forward(state.get, [new, old], 10.0)
    assert moved is not None and [h.decision for h in moved.holds] == ["s2"]
    assert carry_forward(state.get, [new], 10.0) is None
    assert carry_forward(state.get, [], 10.0) is None


# -- the compact index ---------------------------------------------------------------------------


def test_blocklist_basic() -> None:
    rng = random.Random(7)
    blocks = BlockList()
    a, b, c = random_fp(rng), random_fp(rng), random_fp(rng)
    blocks.block(a, None, "ban-a")
    blocks.block(b, 1000.0, "susp-b")
    assert len(blocks) == 2
    assert blocks.is_blocked([c], 0.0) is None
    assert blocks.is_blocked([c, a], 0.0) == BlockHit(fingerprint=a, decision="ban-a", until=None)
    assert blocks.is_blocked([b], 999.0) == BlockHit(fingerprint=b, decision="susp-b", until=1000.0)
    assert blocks.is_blocked([b], 1000.0) is None
    # both: the longer one is named
    blocks.block(b, None, "ban-b")
    assert blocks.is_blocked([b], 0.0) == BlockHit(fingerprint=b, decision="ban-b", until=None)
    assert blocks.lift("ban-b") == 1
    assert blocks.is_blocked([b], 0.0) == BlockHit(fingerprint=b, decision="susp-b", until=1000.0)
    assert blocks.lift("ban-b") == 0
    assert blocks.lift("never") == 0
    assert len(blocks) == 2


def test_blocklist_same_digest_under_another_kid_matches() -> None:
    blocks = BlockList()
    digest = os.urandom(32).hex()
    blocks.block(f"k1:{digest}", None, "d")
    hit = blocks.is_blocked([f"k9:{digest}"], 0.0)
    assert hit is not None and hit.decision == "d"


def test_blocklist_digests_with_trailing_zero_bytes() -> None:
    # numpy strips trailing NULs from S16 items; lookups must still match exactly.
    blocks = BlockList()
    zero = "k1:" + "00" * 32
    tail = "k1:" + "ab" * 8 + "00" * 24
    near = "k1:" + "ab" * 8 + "00" * 7 + "01" + "00" * 16
    for fp in (zero, tail):
        blocks.block(fp, None, f"d-{fp[-40:-30]}")
    for _ in range(5000):
        blocks.block(f"k1:{os.urandom(32).hex()}", None, "filler")
    for fp in (zero, tail):
        assert blocks.is_blocked([fp], 0.0) is not None
    assert blocks.is_blocked([near], 0.0) is None


def test_blocklist_with_100000_entries() -> None:
    rng = random.Random(8)
    n = 100_000
    fps = [random_fp(rng) for _ in range(n)]
    entries = [
        add_hold(None, fp, f"decision-{i // 2}", 0.0, None if i % 3 else 1000.0 + i)
        for i, fp in enumerate(fps)
    ]
    blocks = BlockList.from_entries(entries)
    assert len(blocks) == n
    assert blocks.nbytes < 60 * n  # 28 bytes an entry plus the decision text
    for i in range(0, n, 997):
        hit = blocks.is_blocked([random_fp(rng, "k2"), fps[i]], 500.0)
        assert hit == BlockHit(
            fingerprint=fps[i], decision=f"decision-{i // 2}", until=None if i % 3 else 1000.0 + i
        )
        if i % 3 == 0:
            assert blocks.is_blocked([fps[i]], 1000.0 + i) is None
    misses = [random_fp(rng) for _ in range(5000)]
    assert all(blocks.is_blocked([fp], 0.0) is None for fp in misses)

    # incremental blocks beyond the merge threshold, then lifts
    extra = [random_fp(rng) for _ in range(10_000)]
    for i, fp in enumerate(extra):
        blocks.block(fp, None, f"extra-{i // 4}")
    assert len(blocks) == n + len(extra)
    assert all(blocks.is_blocked([fp], 0.0) is not None for fp in extra[::101])
    assert blocks.lift("decision-10") == 2
    assert blocks.is_blocked([fps[20]], 0.0) is None and blocks.is_blocked([fps[21]], 0.0) is None
    assert blocks.lift("extra-0") == 4
    assert blocks.is_blocked([extra[0]], 0.0) is None
    assert len(blocks) == n + len(extra) - 6
    blocks.compact(at=2000.0)
    ended = {i for i in range(n) if i % 3 == 0 and 1000.0 + i <= 2000.0}  # 0, 3, ..., 999
    assert len(blocks) == n + len(extra) - 6 - len(ended - {20, 21})
    assert blocks.is_blocked([fps[999]], 0.0) is None and blocks.is_blocked([fps[1002]], 0.0)
    assert blocks.is_blocked([fps[1]], 0.0) is not None
    # a lifted decision id used again blocks again
    blocks.block(fps[20], None, "decision-10")
    assert blocks.is_blocked([fps[20]], 0.0) is not None


def test_from_arrays_matches_from_entries() -> None:
    rng = np.random.default_rng(9)
    digests = rng.integers(0, 256, size=(1000, 32), dtype=np.uint8)
    until = np.where(np.arange(1000) % 2 == 0, np.nan, 5000.0)
    blocks = BlockList.from_arrays(digests, until, ["a", "b"], np.arange(1000) % 2)
    for i in (0, 1, 998, 999):
        fp = "k1:" + digests[i].tobytes().hex()
        hit = blocks.is_blocked([fp], 0.0)
        assert hit == BlockHit(
            fingerprint=fp, decision="ab"[i % 2], until=None if i % 2 == 0 else 5000.0
        )
    with pytest.raises(ValueError):
        BlockList.from_arrays(digests[:, :8], until, ["a"], np.zeros(1000, dtype=np.int64))
    with pytest.raises(ValueError):
        BlockList.from_arrays(digests, until, ["a"], np.ones(1000, dtype=np.int64))
