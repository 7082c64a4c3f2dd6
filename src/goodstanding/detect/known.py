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
_CHUNK: Final = 2048
_MULT: Final = np.uint64(0x100000001B3)
_M32: Final = np.uint64(0xFFFFFFFF)


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


def shingle_hashes(normalised: str) -> npt.NDArray[np.uint32]:
    """The distinct 32-bit hashes of the character 5-shingles of a normalised text
    (a shorter text is one shingle)."""
    text = normalised.strip()
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint64)
    if cps.size == 0:
        return np.zeros(0, dtype=np.uint32)
    width = min(SHINGLE, int(cps.size))
    count = int(cps.size) - width + 1
    h = np.full(count, np.uint64(0xCBF29CE484222325), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(width):
            h = (h ^ cps[k : k + count]) * _MULT
        h ^= h >> np.uint64(29)
        folded = ((h ^ (h >> np.uint64(32))) & _M32).astype(np.uint32)
    return np.unique(folded)


class Sketcher:
    """MinHash sketches with fixed permutations (datasketch's affine32 scheme)."""

    def __init__(self, num_perm: int = NUM_PERM, seed: int = SEED) -> None:
        self.num_perm = num_perm
        self.seed = seed
        self.permutations = MinHash(num_perm=num_perm, seed=seed).permutations
        self._a = self.permutations[0].astype(np.uint32)
        self._b = self.permutations[1].astype(np.uint32)

    def hashvalues(self, normalised: str) -> npt.NDArray[np.uint32]:
        hashes = shingle_hashes(normalised)
        out = np.full(self.num_perm, np.uint32(0xFFFFFFFF), dtype=np.uint32)
        if hashes.size == 0:
            return out
        mixed = _fmix32(hashes)
        with np.errstate(over="ignore"):
            for lo in range(0, int(mixed.size), _CHUNK):
                block = mixed[lo : lo + _CHUNK, None] * self._a[None, :] + self._b[None, :]
                np.minimum(out, block.min(axis=0), out=out)
        return out

    def minhash(self, hashvalues: npt.NDArray[np.uint32]) -> MinHash:
        return MinHash(
            seed=self.seed,
            hashvalues=hashvalues,
            permutations=self.permutations,
            scheme="affine32",
        )


class KnownIndex:
    """Listed texts and their sketches; ``query`` finds those a text nearly copies."""

    def __init__(self, items: Sequence[str], threshold: float, sketcher: Sketcher | None = None):
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must lie in (0, 1], got {threshold!r}")
        self.items = list(items)
        self.threshold = threshold
        self.sketcher = sketcher or Sketcher()
        # LSH tuned to a lower threshold than the decision's, so that items just above the
        # threshold are not lost to banding; the estimate then decides
        self._lsh = MinHashLSH(threshold=threshold * LSH_SLACK, num_perm=self.sketcher.num_perm)
        rows = []
        for i, item in enumerate(self.items):
            values = self.sketcher.hashvalues(normalise(item).text)
            rows.append(values)
            self._lsh.insert(i, self.sketcher.minhash(values))
        self._values = (
            np.vstack(rows) if rows else np.zeros((0, self.sketcher.num_perm), dtype=np.uint32)
        )

    def similarity(self, normalised: str, item: int) -> float:
        """Estimated Jaccard similarity of a normalised text and one item."""
        values = self.sketcher.hashvalues(normalised)
        return float(np.mean(values == self._values[item]))

    def query(self, normalised: str) -> list[KnownHit]:
        """Items whose estimated similarity to a normalised text reaches the threshold,
        most similar first (ties by item index)."""
        if not self.items or not normalised.strip():
            return []
        return self.query_values(self.sketcher.hashvalues(normalised))

    def query_values(self, values: npt.NDArray[np.uint32]) -> list[KnownHit]:
        """``query`` for a text already sketched with this index's ``sketcher``."""
        if not self.items or bool(np.all(values == np.uint32(0xFFFFFFFF))):
            return []
        candidates = sorted(self._lsh.query(self.sketcher.minhash(values)))
        hits = []
        for item in candidates:
            similarity = float(np.mean(values == self._values[item]))
            if similarity >= self.threshold:
                hits.append(KnownHit(item, similarity, self.items[item]))
        hits.sort(key=lambda h: (-h.similarity, h.item))
        return hits
