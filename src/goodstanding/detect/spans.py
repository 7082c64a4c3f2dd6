"""The map back from a normalised text to its original: the edits of each
length-changing step of normalisation, and ``Normalised``, which composes them."""

from __future__ import annotations

from bisect import bisect_right


class Stage:
    """The edits of one length-changing step: input span -> output span, in order.

    Characters outside the edits map one to one. An edit is atomic: every output
    character of it maps back to the whole input span (deletions have an empty output).
    """

    __slots__ = ("in_ends", "in_len", "in_starts", "out_ends", "out_len", "out_starts")

    def __init__(self, in_len: int, out_len: int) -> None:
        self.in_starts: list[int] = []
        self.in_ends: list[int] = []
        self.out_starts: list[int] = []
        self.out_ends: list[int] = []
        self.in_len = in_len
        self.out_len = out_len

    def add(self, in_start: int, in_end: int, out_start: int, out_end: int) -> None:
        """Records one edit: input [in_start, in_end) became output [out_start, out_end)."""
        self.in_starts.append(in_start)
        self.in_ends.append(in_end)
        self.out_starts.append(out_start)
        self.out_ends.append(out_end)

    def back(self, i: int) -> tuple[int, int]:
        """The input span that produced output character i."""
        k = bisect_right(self.out_ends, i)
        if k < len(self.out_starts) and self.out_starts[k] <= i:
            return self.in_starts[k], self.in_ends[k]
        if k == 0:
            return i, i + 1
        shift = self.in_ends[k - 1] - self.out_ends[k - 1]
        return i + shift, i + shift + 1

    def back_span(self, start: int, end: int) -> tuple[int, int]:
        """The input span that produced output span [start, end) (``back`` of both ends,
        inlined: this runs once per match and stage)."""
        if start == end:
            point = self.in_len if start >= self.out_len else self.back(start)[0]
            return point, point
        out_ends, out_starts = self.out_ends, self.out_starts
        n = len(out_ends)
        k = bisect_right(out_ends, start)
        if k < n and out_starts[k] <= start:
            s = self.in_starts[k]
        else:
            s = start if k == 0 else start + self.in_ends[k - 1] - out_ends[k - 1]
        last = end - 1
        k = bisect_right(out_ends, last, k)
        if k < n and out_starts[k] <= last:
            e = self.in_ends[k]
        else:
            e = end if k == 0 else end + self.in_ends[k - 1] - out_ends[k - 1]
        return s, e


class Normalised:
    """A normalised text and the way back to the original.

    ``original`` is the input with lone surrogates (and U+FFFF) replaced by U+FFFD, which
    keeps every offset; ``replaced`` counts those replacements. ``text`` is the normalised
    form. ``original_span(start, end)`` gives the span of ``original`` whose characters
    produced ``text[start:end]``.
    """

    __slots__ = ("_nbase", "_obase", "_stages", "original", "replaced", "text")

    def __init__(
        self,
        original: str,
        text: str,
        replaced: int = 0,
        stages: tuple[Stage, ...] = (),
        obase: int = 0,
        nbase: int = 0,
    ) -> None:
        self.original = original
        self.text = text
        self.replaced = replaced
        self._stages = stages
        self._obase = obase
        self._nbase = nbase

    def __repr__(self) -> str:
        return f"Normalised(text={self.text!r}, replaced={self.replaced})"

    @property
    def identity(self) -> bool:
        """Whether offsets in ``text`` equal offsets in ``original`` everywhere."""
        return not self._stages

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original`` that produced ``text[start:end]``."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) is outside the text (0, {len(self.text)})")
        s, e = start + self._nbase, end + self._nbase
        for stage in reversed(self._stages):
            s, e = stage.back_span(s, e)
        return s - self._obase, e - self._obase

    def excerpt(self, start: int, end: int) -> str:
        """The original characters behind ``text[start:end]``."""
        s, e = self.original_span(start, end)
        return self.original[s:e]
