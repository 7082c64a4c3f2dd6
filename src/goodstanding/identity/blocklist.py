"""The identity block list: fingerprints that may not be used to register, until when and why.

Two forms:

* **Fold form** (pure functions over `BlockEntry` msgspec Structs): the fold keeps one
  `BlockEntry` per fingerprint in its keyed state; `add_hold`, `remove_hold`, `prune`,
  `check` and `carry_forward` return new values and never mutate.
* **`BlockList`**: a compact in-memory index for fast registration checks against millions of
  entries (e.g. in a service). Per entry it keeps a 16-byte digest prefix (sorted numpy
  ``S16`` array), the end (float64, +inf for none) and a 4-byte index into a packed table of
  decision ids: 28 bytes plus the decision text, instead of ~110 bytes for the digest alone in
  a Python ``set`` of ``bytes`` (measured in bench/bench_identity.py and docs/identity.md).

Why a 16-byte prefix is enough: fingerprints are HMAC outputs, uniform to anyone without the
key. With n = 10^7 entries a check of an unrelated identity matches a stored prefix with
probability n / 2^128 ~ 3e-32; over 10^12 checks ~ 3e-20; and a collision between two stored
entries has probability n^2 / 2^129 ~ 1.5e-25. An attacker cannot search for collisions
without the key. (An 8-byte prefix would give n / 2^64 ~ 5e-13 per check, ~0.5 over 10^12
checks: a wrongful block, so no.) The fold form keeps full fingerprints.

Times are epoch seconds (float), as everywhere in the fold; ``until=None`` means no end.
"""

from __future__ import annotations

import bisect
import math
from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import Final

import msgspec
import numpy as np
import numpy.typing as npt

from goodstanding.identity.fingerprint import parse_fingerprint

PREFIX_BYTES: Final = 16
_NO_END: Final = math.inf


# -- the fold form ----------------------------------------------------------------------------


class Hold(msgspec.Struct, frozen=True, array_like=True):
    """One decision blocking a fingerprint from `at` until `until` (None: no end)."""

    decision: str
    at: float
    until: float | None = None

    def binds(self, t: float) -> bool:
        """Whether it blocks at time t."""
        return self.at <= t and (self.until is None or t < self.until)


class BlockEntry(msgspec.Struct, frozen=True, kw_only=True, array_like=True):
    """Fold state for one fingerprint: the decisions that block it."""

    fingerprint: str
    holds: tuple[Hold, ...] = ()

    def hold_at(self, t: float) -> Hold | None:
        """The binding hold that lasts longest at time t (no end first), or None."""
        binding = [h for h in self.holds if h.binds(t)]
        if not binding:
            return None
        return max(binding, key=_strength)


class BlockHit(msgspec.Struct, frozen=True, kw_only=True):
    """A registration check matched: the fingerprint, the decision and when it ends."""

    fingerprint: str
    decision: str
    until: float | None


def _strength(hold: Hold) -> tuple[float, str]:
    # Longest first; the decision id breaks ties so the choice is deterministic.
    return (_NO_END if hold.until is None else hold.until, hold.decision)


def add_hold(
    entry: BlockEntry | None, fingerprint: str, decision: str, at: float, until: float | None
) -> BlockEntry:
    """The entry with `decision` blocking `fingerprint` from `at` until `until`.

    The same decision again replaces its earlier hold (idempotent on replay).
    """
    parse_fingerprint(fingerprint)
    if entry is not None and entry.fingerprint != fingerprint:
        raise ValueError("the entry belongs to another fingerprint")
    _check_decision(decision)
    if until is not None and until <= at:
        raise ValueError("a block must end after it starts")
    others = () if entry is None else tuple(h for h in entry.holds if h.decision != decision)
    holds = tuple(sorted((*others, Hold(decision, at, until)), key=lambda h: (h.at, h.decision)))
    return BlockEntry(fingerprint=fingerprint, holds=holds)


def remove_hold(entry: BlockEntry, decision: str) -> BlockEntry | None:
    """The entry without `decision` (lifted, e.g. on appeal); None when nothing is left."""
    holds = tuple(h for h in entry.holds if h.decision != decision)
    return BlockEntry(fingerprint=entry.fingerprint, holds=holds) if holds else None


def prune(entry: BlockEntry, t: float) -> BlockEntry | None:
    """The entry without holds that ended by time t; None when nothing is left."""
    holds = tuple(h for h in entry.holds if h.until is None or h.until > t)
    if len(holds) == len(entry.holds):
        return entry
    return BlockEntry(fingerprint=entry.fingerprint, holds=holds) if holds else None


Lookup = Callable[[str], BlockEntry | None]


def check(lookup: Lookup, fingerprints: Iterable[str], at: float) -> BlockHit | None:
    """Whether any of an identity's fingerprints (its `candidates`) is blocked at time `at`.

    `lookup` returns the fold's entry for a fingerprint (e.g. ``state.get``). Of several
    binding holds the one lasting longest is named.
    """
    best: tuple[tuple[float, str], str, Hold] | None = None
    for fp in (fingerprints,) if isinstance(fingerprints, str) else fingerprints:
        entry = lookup(fp)
        hold = entry.hold_at(at) if entry is not None else None
        if hold is not None and (best is None or _strength(hold) > best[0]):
            best = (_strength(hold), fp, hold)
    if best is None:
        return None
    _, fp, hold = best
    return BlockHit(fingerprint=fp, decision=hold.decision, until=hold.until)


def carry_forward(lookup: Lookup, fingerprints: Sequence[str], at: float) -> BlockEntry | None:
    """Re-keying on verification: the entry to store under ``fingerprints[0]`` (the current
    key's) holding every hold still in force or to come found under the older-key
    fingerprints ``fingerprints[1:]``; None when there is nothing to carry.

    Once no entry or account needs an old key's fingerprints, the key can be retired.
    """
    if not fingerprints:
        return None
    current = fingerprints[0]
    entry = lookup(current)
    changed = False
    for fp in fingerprints[1:]:
        old = lookup(fp)
        if old is None:
            continue
        for hold in old.holds:
            if hold.until is not None and hold.until <= at:
                continue
            if entry is not None and hold in entry.holds:
                continue
            entry = add_hold(entry, current, hold.decision, hold.at, hold.until)
            changed = True
    return entry if changed else None


def _check_decision(decision: str) -> None:
    if not isinstance(decision, str) or not decision or "\0" in decision:
        raise ValueError("a decision id is a non-empty string without NUL characters")


# -- the compact in-memory index ----------------------------------------------------------------


class BlockList:
    """A memory-efficient block list for fast checks (millions of entries).

    `block` adds entries to a small pending buffer that is merged into the sorted arrays when
    it grows past 1/32 of them; `lift` finds a decision in the packed table (a scan of the
    table, tens of ms at 10^7 entries) and masks its entries until the next `compact`.
    Not thread-safe.
    """

    def __init__(self) -> None:
        self._keys: npt.NDArray[np.bytes_] = np.empty(0, dtype=f"S{PREFIX_BYTES}")
        self._until: npt.NDArray[np.float64] = np.empty(0, dtype=np.float64)
        self._dec: npt.NDArray[np.uint32] = np.empty(0, dtype=np.uint32)
        self._pending: dict[bytes, list[tuple[float, int]]] = {}
        self._pending_rows = 0
        # Decision ids, packed: NUL, then each id followed by NUL; id i is
        # blob[starts[i] : starts[i + 1] - 1].
        self._blob = bytearray(b"\0")
        self._starts = array("Q", [1])
        self._last: tuple[str, int] | None = None
        self._lifted: set[int] = set()
        self._lifted_rows = 0

    # -- building --

    @classmethod
    def from_entries(cls, entries: Iterable[BlockEntry]) -> BlockList:
        """A block list holding every hold of the given fold entries (e.g. loaded from store)."""
        keys = bytearray()
        until = array("d")
        dec = array("I")
        index: dict[str, int] = {}
        decisions: list[str] = []
        for entry in entries:
            key = _prefix(entry.fingerprint)
            for hold in entry.holds:
                number = index.get(hold.decision)
                if number is None:
                    _check_decision(hold.decision)
                    number = index[hold.decision] = len(decisions)
                    decisions.append(hold.decision)
                keys += key
                until.append(_NO_END if hold.until is None else hold.until)
                dec.append(number)
        del index
        digests = np.frombuffer(bytes(keys), dtype=np.uint8).reshape(-1, PREFIX_BYTES)
        return cls.from_arrays(
            digests,
            np.frombuffer(until, dtype=np.float64),
            decisions,
            np.frombuffer(dec, dtype=np.uint32),
        )

    @classmethod
    def from_arrays(
        cls,
        digests: npt.NDArray[np.uint8],
        until: npt.NDArray[np.float64],
        decisions: Sequence[str],
        decision_of: npt.NDArray[np.integer],
    ) -> BlockList:
        """A block list from columns: `digests` (n x >=16 bytes: fingerprint digests),
        `until` (n ends, +inf or NaN for none), the distinct `decisions` and, per row, the
        index of its decision (`decision_of`). For bulk loads from a database."""
        digests = np.asarray(digests, dtype=np.uint8)
        if digests.ndim != 2 or digests.shape[1] < PREFIX_BYTES:
            raise ValueError(f"digests must be an n x {PREFIX_BYTES}+ array of bytes")
        n = digests.shape[0]
        if until.shape != (n,) or decision_of.shape != (n,):
            raise ValueError("until and decision_of need one value per digest")
        if n and (int(decision_of.min()) < 0 or int(decision_of.max()) >= len(decisions)):
            raise ValueError("decision_of refers to a decision that is not given")
        blocks = cls()
        blocks._set_decisions(decisions)
        keys = np.ascontiguousarray(digests[:, :PREFIX_BYTES]).view(f"S{PREFIX_BYTES}").ravel()
        order = np.argsort(keys, kind="stable")
        blocks._keys = keys[order]
        ends = np.asarray(until, dtype=np.float64)[order]
        blocks._until = np.where(np.isnan(ends), _NO_END, ends)
        blocks._dec = np.asarray(decision_of, dtype=np.uint32)[order]
        blocks._last = None
        return blocks

    def _set_decisions(self, decisions: Sequence[str]) -> None:
        """Packs `decisions` as the table (vectorised: 5,000,000 ids in about a second)."""
        if len(decisions) >= 2**32 - 1:
            raise OverflowError("too many decisions for one block list")
        encoded = [d.encode() for d in decisions]
        lengths = np.fromiter(map(len, encoded), dtype=np.uint64, count=len(encoded))
        blob = bytearray(b"\0" + b"\0".join(encoded) + b"\0") if encoded else bytearray(b"\0")
        del encoded
        if (len(lengths) and int(lengths.min()) == 0) or blob.count(0) != len(lengths) + 1:
            raise ValueError("a decision id is a non-empty string without NUL characters")
        starts = np.empty(len(lengths) + 1, dtype=np.uint64)
        starts[0] = 1
        np.cumsum(lengths + 1, out=starts[1:])
        starts[1:] += 1
        self._blob = blob
        self._starts = array("Q")
        self._starts.frombytes(starts.tobytes())
        self._last = None

    def _append_decision(self, decision: str) -> int:
        _check_decision(decision)
        encoded = decision.encode()
        number = len(self._starts) - 1
        if number >= 2**32 - 1:
            raise OverflowError("too many decisions for one block list")
        self._blob += encoded
        self._blob += b"\0"
        self._starts.append(len(self._blob))
        self._last = (decision, number)
        return number

    def _decision(self, number: int) -> str:
        return self._blob[self._starts[number] : self._starts[number + 1] - 1].decode()

    # -- changing --

    def block(self, fp: str, until: float | None, decision: str) -> None:
        """Blocks fingerprint `fp` until `until` (None: no end) because of `decision`."""
        key = _prefix(fp)
        if self._last is not None and self._last[0] == decision:
            number = self._last[1]
        else:
            number = self._append_decision(decision)
        end = _NO_END if until is None else float(until)
        self._pending.setdefault(key, []).append((end, number))
        self._pending_rows += 1
        if self._pending_rows > max(4096, len(self._keys) // 32):
            self._merge()

    def lift(self, decision: str) -> int:
        """Lifts every block `decision` caused; returns how many entries it released."""
        _check_decision(decision)
        needle = b"\0" + decision.encode() + b"\0"
        numbers: set[int] = set()
        position = self._blob.find(needle)
        while position >= 0:
            numbers.add(bisect.bisect_left(self._starts, position + 1))
            position = self._blob.find(needle, position + 1)
        numbers -= self._lifted
        if not numbers:
            return 0
        self._last = None
        released = 0
        for key in list(self._pending):
            rows = self._pending[key]
            kept = [row for row in rows if row[1] not in numbers]
            released += len(rows) - len(kept)
            self._pending_rows -= len(rows) - len(kept)
            if kept:
                self._pending[key] = kept
            else:
                del self._pending[key]
        if len(self._dec):
            mask = np.isin(self._dec, np.fromiter(numbers, dtype=np.uint32, count=len(numbers)))
            in_base = int(np.count_nonzero(mask))
            released += in_base
            self._lifted_rows += in_base
        self._lifted |= numbers
        if self._lifted_rows > max(4096, len(self._keys) // 32):
            self.compact()
        return released

    def _merge(self) -> None:
        if not self._pending:
            return
        items = sorted(
            (key, end, number) for key, rows in self._pending.items() for end, number in rows
        )
        keys = np.array([key for key, _, _ in items], dtype=f"S{PREFIX_BYTES}")
        ends = np.array([end for _, end, _ in items], dtype=np.float64)
        numbers = np.array([number for _, _, number in items], dtype=np.uint32)
        where = np.searchsorted(self._keys, keys, side="right")
        self._keys = np.insert(self._keys, where, keys)
        self._until = np.insert(self._until, where, ends)
        self._dec = np.insert(self._dec, where, numbers)
        self._pending.clear()
        self._pending_rows = 0

    def compact(self, at: float | None = None) -> None:
        """Merges pending entries and drops lifted ones (and those ended by `at`, if given)."""
        self._merge()
        keep = np.ones(len(self._keys), dtype=bool)
        if self._lifted:
            lifted = np.fromiter(self._lifted, dtype=np.uint32, count=len(self._lifted))
            keep &= ~np.isin(self._dec, lifted)
        if at is not None:
            keep &= self._until > at
        if not keep.all():
            self._keys = self._keys[keep]
            self._until = self._until[keep]
            self._dec = self._dec[keep]
        self._lifted_rows = 0  # lifted rows are gone; the numbers stay lifted for safety

    # -- checking --

    def is_blocked(self, fps: Iterable[str], at: float) -> BlockHit | None:
        """The block in force at `at` on any of `fps` (an identity's candidates), or None.

        Of several, the one lasting longest is named.
        """
        best: tuple[float, int, str] | None = None
        keys = self._keys
        n = len(keys)
        for fp in (fps,) if isinstance(fps, str) else fps:
            key = _prefix(fp)
            rows = list(self._pending.get(key, ()))
            stripped = key.rstrip(b"\0")  # numpy drops trailing NULs of S16 items
            i = int(keys.searchsorted(key))
            while i < n and keys[i] == stripped:
                rows.append((float(self._until[i]), int(self._dec[i])))
                i += 1
            for end, number in rows:
                if (
                    end > at
                    and number not in self._lifted
                    and (best is None or (end, -number) > (best[0], -best[1]))
                ):
                    best = (end, number, fp)
        if best is None:
            return None
        end, number, fp = best
        return BlockHit(
            fingerprint=fp,
            decision=self._decision(number),
            until=None if end == _NO_END else end,
        )

    def __len__(self) -> int:
        """Entries held (lifted ones excluded)."""
        return len(self._keys) - self._lifted_rows + self._pending_rows

    @property
    def nbytes(self) -> int:
        """Approximate memory held by the index, in bytes."""
        arrays = self._keys.nbytes + self._until.nbytes + self._dec.nbytes
        table = len(self._blob) + self._starts.itemsize * len(self._starts)
        return arrays + table + 120 * self._pending_rows


def _prefix(fp: str) -> bytes:
    return parse_fingerprint(fp)[1][:PREFIX_BYTES]
