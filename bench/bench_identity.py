"""Identity benchmarks: validation + fingerprinting, and registration checks against a block
list of 10,000,000 fingerprints with its memory.

Run with ``python -m bench identity``. Prints ``<figure>: <value> <unit> (<conditions>)``.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from stdnum.cn import ric as stdnum_ric

from goodstanding.identity import (
    BlockList,
    IdentifierError,
    KeyRing,
    candidates,
    fingerprint,
    generate_key,
    parse_keys,
    validate,
)
from goodstanding.identity.blocklist import PREFIX_BYTES

BLOCKED = 10_000_000
SAMPLES = 20_000
AREAS = ("110101", "110102", "120101", "310101", "310104", "440106", "510104", "330106")


def rss_mb() -> float:
    """The resident set size of this process now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def ring_of(keys: int) -> KeyRing:
    return parse_keys(",".join(f"k{keys - i}:{generate_key()}" for i in range(keys)))


def make_rics(rng: random.Random, n: int) -> list[str]:
    numbers = []
    for _ in range(n):
        born = f"{rng.randint(1940, 2007)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        body = f"{rng.choice(AREAS)}{born}{rng.randint(0, 999):03d}"
        number = body + stdnum_ric.calc_check_digit(body + "0")
        # typed as people type them: some with spaces, some with a lower-case x
        numbers.append(
            f"{number[:6]} {number[6:14]} {number[14:]}" if rng.random() < 0.3 else number.lower()
        )
    return numbers


def make_phones(rng: random.Random, n: int) -> list[str]:
    prefixes = ("138", "139", "150", "186", "135", "187")
    return [
        f"{rng.choice(prefixes)} {rng.randint(0, 9999):04d} {rng.randint(0, 9999):04d}"
        for _ in range(n)
    ]


def is_valid_phone(value: str) -> bool:
    try:
        validate("phone", value, "CN", mobile_required=True)
    except IdentifierError:
        return False
    return True


def rate(action: Callable[[], int], repeat: int = 3) -> float:
    """Best-of-`repeat` operations per second; `action` returns how many it did."""
    best = 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        done = action()
        best = max(best, done / (time.perf_counter() - started))
    return best


def main() -> None:
    rng = random.Random(20250301)
    one, two = ring_of(1), ring_of(2)
    rics = make_rics(rng, SAMPLES)
    phones = [p for p in make_phones(rng, SAMPLES) if is_valid_phone(p)]

    def ric_current() -> int:
        for value in rics:
            fingerprint(one, validate("cn.ric", value))
        return len(rics)

    per_s = rate(ric_current)
    print(
        f"cn.ric validate+fingerprint: {per_s:,.0f} /s "
        f"({SAMPLES:,} distinct numbers, 30% typed with spaces, 1 key, HMAC-SHA256, one core)"
    )

    def ric_candidates() -> int:
        for value in rics:
            candidates(two, validate("cn.ric", value))
        return len(rics)

    per_s = rate(ric_candidates)
    print(
        f"cn.ric validate+candidates: {per_s:,.0f} /s "
        f"({SAMPLES:,} numbers, 2 active keys, one core)"
    )

    def phone_current() -> int:
        for value in phones:
            fingerprint(one, validate("phone", value, "CN"))
        return len(phones)

    per_s = rate(phone_current)
    print(
        f"phone validate+fingerprint: {per_s:,.0f} /s "
        f"({len(phones):,} CN mobile numbers, national form with region, E.164, 1 key, one core)"
    )
    block_list(rics, one, two)
    digest_set()
    sys.stdout.flush()


def block_list(rics: list[str], one: KeyRing, two: KeyRing) -> None:
    """Registration checks against 10,000,000 blocked fingerprints, and the memory they take."""
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    nrng = np.random.default_rng(7)
    digests = nrng.integers(0, 256, size=(BLOCKED, PREFIX_BYTES), dtype=np.uint8)
    until = np.where(nrng.random(BLOCKED) < 0.7, np.nan, 1.9e9 + nrng.random(BLOCKED) * 1e8)
    decisions = [f"evt-{i:08d}/acct-{i:08d}/ban" for i in range(BLOCKED // 2)]
    decision_of = np.arange(BLOCKED, dtype=np.uint32) // 2
    blocks = BlockList.from_arrays(digests, until, decisions, decision_of)
    del digests, until, decisions, decision_of
    gc.collect()
    built = time.perf_counter() - started
    delta = rss_mb() - before
    print(
        f"block list build: {built:.1f} s ({BLOCKED:,} entries, {BLOCKED // 2:,} decision ids, "
        "BlockList.from_arrays: sort + packed decision table; random digests stand in for "
        "HMAC outputs)"
    )
    print(
        f"block list memory: {delta:,.0f} MB RSS delta ({BLOCKED:,} entries: 16-byte digest "
        f"prefix + float64 end + uint32 decision, ~30-char decision ids; nbytes "
        f"{blocks.nbytes / 2**20:,.0f} MiB)"
    )

    # Block a tenth of the sampled identities (under k1, the older key) and check them all.
    now = 1.8e9
    before_rotation = one_of(two)
    for index, value in enumerate(rics[::10]):
        fp = fingerprint(before_rotation, validate("cn.ric", value))
        blocks.block(fp, None, f"ban-sample-{index}")
    expected = len(rics[::10])

    def registrations() -> int:
        hits = 0
        for value in rics:
            if blocks.is_blocked(candidates(two, validate("cn.ric", value)), now) is not None:
                hits += 1
        assert hits == expected, (hits, expected)
        return len(rics)

    per_s = rate(registrations)
    print(
        f"registration checks: {per_s:,.0f} /s (cn.ric validate + 2 candidates + lookup in "
        f"{len(blocks):,} blocked fingerprints, {expected:,} of {SAMPLES:,} blocked, one core)"
    )
    probes = [fingerprint(one, validate("cn.ric", value)) for value in rics]

    def lookups() -> int:
        for fp in probes:
            blocks.is_blocked((fp,), now)
        return len(probes)

    per_s = rate(lookups)
    print(
        f"block list lookups: {per_s:,.0f} /s "
        f"(one fingerprint each, misses, {len(blocks):,} entries, one core)"
    )


def digest_set() -> None:
    """The alternative: a Python set of 16-byte digests (digests only)."""
    gc.collect()
    nrng = np.random.default_rng(8)
    before = rss_mb()
    raw = nrng.integers(0, 256, size=BLOCKED * PREFIX_BYTES, dtype=np.uint8).tobytes()
    started = time.perf_counter()
    digest_set = {raw[i : i + PREFIX_BYTES] for i in range(0, len(raw), PREFIX_BYTES)}
    elapsed = time.perf_counter() - started
    del raw
    gc.collect()
    delta = rss_mb() - before
    print(
        f"python set of digests memory: {delta:,.0f} MB RSS delta ({len(digest_set):,} "
        f"16-byte bytes, digests only: no ends, no decisions; built in {elapsed:.1f} s)"
    )
    del digest_set
    gc.collect()


def one_of(ring: KeyRing) -> KeyRing:
    """The ring of its oldest key alone (to fingerprint as before a rotation)."""
    return KeyRing([ring.active[-1]])


if __name__ == "__main__":
    main()
