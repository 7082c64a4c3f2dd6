"""Character n-gram features of texts, hashed and weighted (tf-idf), for a whole batch at
once: every step is an array operation over the batch's code points, so a text costs a few
microseconds.

Reads Chinese, which has no spaces, and spelling variants alike. Deterministic: the hash is
arithmetic on code points, never Python's salted ``hash``. A row's weights are n-gram
occurrences times their idf, scaled to unit length over the occurrences.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
from scipy import sparse

Array = np.ndarray[Any, Any]
BITS: Final = 20
"""Hash buckets: 2**20 (a corpus of a few thousand texts has about 10**5 distinct n-grams)."""
_MIX: Final = np.uint64(0x9E3779B97F4A7C15)
_PRIME: Final = np.uint64(1_000_003)


def buckets(texts: Sequence[str], longest: int) -> tuple[Array, Array]:
    """The hash bucket of every n-gram (n from 1 to `longest`) of every text, in text order,
    and the index of the text each belongs to."""
    joined = "\0".join(text.replace("\0", " ").lower() for text in texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if not len(codes):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    separator = codes == 0
    owner = np.cumsum(separator)
    # value[i, n - 1]: the n-gram starting at code point i; valid if no separator inside
    width = len(codes)
    padded = np.concatenate((codes, np.zeros(longest, dtype=np.uint64)))
    inside = np.concatenate(([0], np.cumsum(separator), np.full(longest, owner[-1] + 1)))
    value = np.zeros((width, longest), dtype=np.uint64)
    valid = np.zeros((width, longest), dtype=bool)
    running = np.zeros(width, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for n in range(1, longest + 1):
            running = running * _PRIME + padded[n - 1 : n - 1 + width]
            value[:, n - 1] = ((running + np.uint64(n)) * _MIX) >> np.uint64(64 - BITS)
            valid[:, n - 1] = (inside[n : n + width] == inside[:width]) & ~separator
    rows = np.repeat(owner, longest).reshape(width, longest)
    return value[valid].astype(np.int64), rows[valid]


class CharGrams:
    """Tf-idf over hashed character n-grams of 1 to `longest` characters, fitted on a corpus
    whose n-grams make the columns (those it never saw are left out, as a vocabulary would)."""

    def __init__(self, longest: int = 4):
        self.longest = longest
        self.column = np.full(1 << BITS, -1, dtype=np.int32)
        self.idf: Array = np.zeros(0)

    @property
    def seen(self) -> Array:
        """The hash buckets of the n-grams the corpus had, in column order."""
        return np.flatnonzero(self.column >= 0)

    @classmethod
    def restored(cls, seen: Array, idf: Array, longest: int = 4) -> CharGrams:
        """Features as fitted before, from their `seen` buckets and idf weights."""
        grams = cls(longest)
        grams.column[seen] = np.arange(len(seen), dtype=np.int32)
        grams.idf = idf
        return grams

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Learns the columns and their idf weights from `texts`; their features."""
        found, rows = buckets(texts, self.longest)
        seen = np.unique(found)
        self.column[:] = -1
        self.column[seen] = np.arange(len(seen), dtype=np.int32)
        columns = self.column[found]
        df = np.bincount(np.unique(rows * len(seen) + columns) % len(seen), minlength=len(seen))
        self.idf = np.log((1 + len(texts)) / (1 + df)) + 1.0
        return self._matrix(len(texts), rows, columns)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The features of `texts`: one row each, of unit length."""
        found, rows = buckets(texts, self.longest)
        columns = self.column[found]
        known = columns >= 0
        return self._matrix(len(texts), rows[known], columns[known])

    def _matrix(self, n: int, rows: Array, columns: Array) -> sparse.csr_matrix:
        weights = self.idf[columns]
        norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=n))
        norms[norms == 0] = 1.0
        indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n))))
        return sparse.csr_matrix((weights / norms[rows], columns, indptr), shape=(n, len(self.idf)))
