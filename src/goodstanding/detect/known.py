"""Known content: near-duplicates of listed texts, found with MinHash and LSH.

Each listed item and each scanned text becomes a set of character 5-shingles of its
normalised form (so it works the same for CJK, which has no spaces, and survives
leetspeak, zero-width characters and stretched letters). A MinHash sketch of that set
estimates Jaccard similarity; MinHashLSH finds the candidate items in sub-linear time and
the estimate decides. Deterministic: the shingle hash is fixed (FNV-style multiply and the
MurmurHash3 finaliser) and the permutations come from a fixed seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]

from goodstanding.detect.normalise import normalise

SHINGLE: Final = 5
NUM_PERM: Final = 128
SEED: Final = 1
LSH_SLACK: Final = 0.75
_CHUNK: Final = 8192
_MULT: Final = np.uint64(0x100000001B3)
_M32: Final = np.uint64(0xFFFFFFFF)
_BAND_MULT: Final = np.random.default_rng(SEED).integers(
    1, 2**63, size=NUM_PERM, dtype=np.uint64
) | np.uint64(1)  # odd multipliers folding a band of a sketch to one 64-bit key


@dataclass(frozen=True)
class KnownHit:
    """A text found similar to a known item."""

    item: int
    """Index of the item in the declaration (inline items first, then the file's)."""
    similarity: float
    """Estimated Jaccard similarity of their 5-shingle sets."""
    text: str
    """The known item, as declared."""


def _fmix32(h: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _shingles(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.intp]]:
    """The 32-bit hashes of the character 5-shingles of normalised texts, all texts in one
    array (a text shorter than 5 is one shingle; an empty one has none), and the index of
    the text each belongs to."""
    encoded = [t.strip().encode("utf-32-le", "surrogatepass") for t in texts]
    lengths = np.fromiter((len(e) // 4 for e in encoded), dtype=np.intp, count=len(texts))
    cps = np.frombuffer(b"".join(encoded), dtype="<u4").astype(np.uint64)
    starts = np.zeros(len(texts), dtype=np.intp)
    np.cumsum(lengths[:-1], out=starts[1:])
    widths = np.minimum(lengths, SHINGLE)
    counts = np.where(lengths > 0, lengths - widths + 1, 0)
    owner = np.repeat(np.arange(len(texts), dtype=np.intp), counts)
    first = np.zeros(len(texts), dtype=np.intp)
    np.cumsum(counts[:-1], out=first[1:])
    position = starts[owner] + np.arange(owner.size, dtype=np.intp) - first[owner]
    width = widths[owner]
    h = np.full(owner.size, np.uint64(0xCBF29CE484222325), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(SHINGLE):
            inside = k < width  # a short text's one shingle stops at its length
            step = (h ^ cps[np.where(inside, position + k, 0)]) * _MULT
            h = np.where(inside, step, h)
        h ^= h >> np.uint64(29)
        folded = ((h ^ (h >> np.uint64(32))) & _M32).astype(np.uint32)
    return folded, owner


class Sketcher:
    """MinHash sketches with fixed permutations (datasketch's affine32 scheme)."""

    def __init__(self, num_perm: int = NUM_PERM, seed: int = SEED) -> None:
        self.num_perm = num_perm
        self.seed = seed
        self.permutations = MinHash(num_perm=num_perm, seed=seed).permutations
        self._a = self.permutations[0].astype(np.uint32)
        self._b = self.permutations[1].astype(np.uint32)

    def hashvalues(self, normalised: str) -> npt.NDArray[np.uint32]:
        """The MinHash sketch of one normalised text."""
        row: npt.NDArray[np.uint32] = self.hashvalues_many([normalised])[0]
        return row

    def hashvalues_many(self, texts: Sequence[str]) -> npt.NDArray[np.uint32]:
        """The MinHash sketches of normalised texts, one row each (all 0xFFFFFFFF for a text
        with no shingle)."""
        out = np.full((len(texts), self.num_perm), np.uint32(0xFFFFFFFF), dtype=np.uint32)
        hashes, owner = _shingles(texts)
        if hashes.size == 0:
            return out
        mixed = _fmix32(hashes)
        # one permutation per row and the shingles along it, so that the minimum of a text's
        # run of shingles is taken over contiguous memory; one buffer serves every block
        a, b = self._a[:, None], self._b[:, None]
        buffer = np.empty((self.num_perm, min(_CHUNK, int(mixed.size))), dtype=np.uint32)
        with np.errstate(over="ignore"):
            for lo in range(0, int(mixed.size), _CHUNK):
                part = mixed[None, lo : lo + _CHUNK]
                rows = owner[lo : lo + _CHUNK]
                block = buffer[:, : part.shape[1]]
                np.multiply(part, a, out=block)
                np.add(block, b, out=block)
                cuts = np.flatnonzero(np.diff(rows, prepend=-1))  # rows are grouped by text
                mins = np.minimum.reduceat(block, cuts, axis=1).T
                np.minimum(out[rows[cuts]], mins, out=mins)
                out[rows[cuts]] = mins
        return out


class KnownIndex:
    """Listed texts and their sketches; ``query`` finds those a text nearly copies."""

    def __init__(self, items: Sequence[str], threshold: float, sketcher: Sketcher | None = None):
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must lie in (0, 1], got {threshold!r}")
        self.items = list(items)
        self.threshold = threshold
        self.sketcher = sketcher or Sketcher()
        # LSH tuned to a lower threshold than the decision's, so that items just above the
        # threshold are not lost to banding; the estimate then decides. datasketch chooses
        # the bands; each band of a sketch is folded to one 64-bit key, so a whole batch is
        # looked up at once
        lsh = MinHashLSH(threshold=threshold * LSH_SLACK, num_perm=self.sketcher.num_perm)
        self._bands: list[tuple[int, int]] = list(lsh.hashranges)
        self._values = (
            self.sketcher.hashvalues_many([normalise(item).text for item in self.items])
            if self.items
            else np.zeros((0, self.sketcher.num_perm), dtype=np.uint32)
        )
        self._tables: list[dict[int, list[int]]] = []
        for keys in self._band_keys(self._values):
            table: dict[int, list[int]] = {}
            for item, key in enumerate(keys.tolist()):
                table.setdefault(key, []).append(item)
            self._tables.append(table)
        self._known = [np.fromiter(t, dtype=np.uint64, count=len(t)) for t in self._tables]

    def _band_keys(self, values: npt.NDArray[np.uint32]) -> list[npt.NDArray[np.uint64]]:
        keys = []
        with np.errstate(over="ignore"):
            for start, end in self._bands:
                band = values[:, start:end].astype(np.uint64)
                keys.append((band * _BAND_MULT[: end - start]).sum(axis=1, dtype=np.uint64))
        return keys

    def similarity(self, normalised: str, item: int) -> float:
        """Estimated Jaccard similarity of a normalised text and one item."""
        values = self.sketcher.hashvalues(normalised)
        return float(np.mean(values == self._values[item]))

    def query(self, normalised: str) -> list[KnownHit]:
        """Items whose estimated similarity to a normalised text reaches the threshold,
        most similar first (ties by item index)."""
        return self.query_many(self.sketcher.hashvalues_many([normalised]))[0]

    def query_many(self, values: npt.NDArray[np.uint32]) -> list[list[KnownHit]]:
        """``query`` for each row of sketches made with this index's ``sketcher``."""
        found: list[set[int]] = [set() for _ in range(len(values))]
        if self.items and len(values):
            for keys, known, table in zip(
                self._band_keys(values), self._known, self._tables, strict=True
            ):
                for row in np.flatnonzero(np.isin(keys, known)).tolist():
                    found[row].update(table[int(keys[row])])
        empty = np.uint32(0xFFFFFFFF)
        out = []
        for row, candidates in enumerate(found):
            hits = []
            if candidates and not bool(np.all(values[row] == empty)):
                for item in sorted(candidates):
                    similarity = float(np.mean(values[row] == self._values[item]))
                    if similarity >= self.threshold:
                        hits.append(KnownHit(item, similarity, self.items[item]))
            hits.sort(key=lambda h: (-h.similarity, h.item))
            out.append(hits)
        return out
