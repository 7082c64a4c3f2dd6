# ruff: noqa: RUF002  (look-alike letters are the point here)
"""Normalisation for detection: one canonical form of a text, with an exact map back.

``normalise(text)`` returns a ``Normalised``: the normalised string and a map from every
span of it back to the span of the original text that produced it, so a match found in
the normalised form can always cite the exact original characters.

The steps, in order (docs/detection.md has the reasoning):

1. Lone surrogates (and U+FFFF, reserved here as a separator) become U+FFFD; the number
   replaced is recorded. Lengths do not change, so spans refer to the input as given.
2. Per character: Cyrillic/Greek capitals that look like Latin ones are mapped first
   (``В`` → ``b``); then Unicode NFKC (full-width → half-width, ligatures, circled and
   mathematical letters), case folding, NFKC again; lower-case look-alikes (Cyrillic
   ``а``, Greek ``ο``) → Latin; Latin letters lose their diacritics (``é`` → ``e``);
   format and control characters (zero-width spaces and joiners, word joiner, BOM, soft
   hyphen, bidi controls, variation selectors) are removed. Whitespace is left to step 5.
3. Base letters followed by combining marks are composed (NFKC) and folded the same way
   (``e`` + U+0301 → ``e``, ``ｶﾞ`` → ``ガ``).
4. Leetspeak inside a token (a run of ``[a-z0-9@$]``) that also holds a letter:
   ``0→o 1→i 3→e 4→a 5→s 7→t @→a $→s``. Tokens that look like numbers, codes or
   mentions are left alone (see ``_decodable``); so "2026", "10k", "@alice" and
   "vx123456" stay as they are while "1d10t" becomes "idiot".
5. Runs of 3 or more of the same letter shrink to one ("looooser" → "loser",
   "idiooot" → "idiot"; "good" keeps its pair) and any run of whitespace becomes one space.
   The matcher adds single-letter variants of terms with doubled letters, so "goooood"
   (→ "god") still matches the term "good".
6. Three or more single Latin, Greek, Cyrillic or Chinese letters separated by one and
   the same separator (a space, ``.``, ``-``, ``*``, ``_``, ``|``, ``+``, ``~`` or ``/``)
   are joined ("f r e e", "f.r.e.e", "b-e-s-t" → "free", "best"; "a b" stays), then
   squeezed; the joined run maps back as a whole.

CJK text goes through the same steps; nothing relies on spaces. Pure and deterministic:
no I/O, no clock, no randomness. The character tables are built once per process.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from goodstanding.detect.folding import (
    SEPARATOR,
    WHITESPACE_NOT_SPACE,
    FoldTables,
    fold_tables,
    fold_text,
    is_mark,
)
from goodstanding.detect.spans import Normalised, Stage

REPLACEMENT: Final = "\ufffd"
_LEET: Final = str.maketrans("013457@$", "oieastas")
_BAD: Final = re.compile("[\ud800-\udfff\uffff]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_SEED: Final = re.compile(r"[0-9@$][a-z0-9@$]*")
_NOT_LEET: Final = re.compile(r"[2689]|^@|^\$\d")
_LETTER: Final = re.compile("[a-z]")
_DIGIT_RUN: Final = re.compile(r"\d{4,}")
_NUMBER_WITH_UNIT: Final = re.compile(
    r"\d*1st|\d*3rd|\d+th|\d+(?:k|m|b|g|d|p|x|h|s|am|pm|km|kg|mg|ml|mm|cm|gb|mb|tb|kb|hz|px"
    r"|fps|mph|yo|mah)|[a-z]{2,3}\d"  # a number and its unit; a short code (mp4, ps5)
)
_RUN: Final = re.compile(r"(.)\1\1+")
_SPACED_LETTER: Final = "[a-z\u0370-\u03ff\u0400-\u04ff\u3400-\u4dbf\u4e00-\u9fff]"
_SPACED: Final = re.compile(
    f"(?<![^\\W_]){_SPACED_LETTER}(?P<sep>[ .*_|+~/-])"
    f"(?:{_SPACED_LETTER}(?P=sep))+{_SPACED_LETTER}(?![^\\W_])"
)
"""Three or more single letters (Latin, Greek, Cyrillic, Chinese) with one and the same
separator between each: a space, a dot, a hyphen, an asterisk...: "f r e e", "f.r.e.e",
"B-E-S-T"."""
_ODD_SPACE: Final = re.compile(f"[{WHITESPACE_NOT_SPACE}]|  ")
_SPACES: Final = re.compile(r"\s{2,}|[^\S ]")


def _decodable(token: str) -> bool:
    """Whether a token holding a digit, '@' or '$' is leetspeak rather than a number."""
    if _NOT_LEET.search(token) or _LETTER.search(token) is None:
        return False
    for run in _DIGIT_RUN.findall(token):
        if len(set(run)) > 1:
            return False  # an identifier such as a phone or account number
    # judged on the squeezed form, as the next step squeezes runs: "ooo0" is "o0", not a code
    return _NUMBER_WITH_UNIT.fullmatch(_RUN.sub(r"\1", token)) is None


_NUMPY_MIN = 4096
"""Texts at least this long find their rare characters with numpy masks, not regexes."""


def _codepoints(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


def _run_bounds(
    mask: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The starts and ends of the runs of True in a mask."""
    positions = np.flatnonzero(mask)
    if positions.size == 0:
        return positions, positions
    breaks = np.flatnonzero(np.diff(positions) != 1)
    starts = np.concatenate(([positions[0]], positions[breaks + 1]))
    ends = np.concatenate((positions[breaks], [positions[-1]])) + 1
    return starts, ends


def _mask_runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """The (start, end) spans of the runs of True in a mask."""
    starts, ends = _run_bounds(mask)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _special_runs(text: str, tables: FoldTables) -> list[tuple[int, int]]:
    if len(text) >= _NUMPY_MIN:
        return _mask_runs(tables.special_mask[_codepoints(text)])
    if tables.special.search(text) is None:
        return []
    return [m.span() for m in tables.special.finditer(text)]


def _fold_specials(
    text: str, runs: Sequence[tuple[int, int]], tables: FoldTables
) -> tuple[str, Stage | None]:
    """Step 2 where the text holds characters whose fold is not ``str.lower``."""
    lowered = text.lower() if text.isascii() else None
    table, lenchange = tables.table, tables.lenchange
    pieces: list[str] = []
    stage: Stage | None = None
    last = 0
    out_pos = 0
    for start, end in runs:
        plain = lowered[last:start] if lowered is not None else text[last:start].lower()
        pieces.append(plain)
        out_pos += len(plain)
        run = text[start:end]
        if lenchange.isdisjoint(run):
            pieces.append(run.translate(table))  # unchanged where not in the table
            out_pos += len(run)
        else:
            if stage is None:
                stage = Stage(len(text), 0)
            for offset, ch in enumerate(run):
                folded = table.get(ord(ch), ch)
                pieces.append(folded)
                if len(folded) != 1:
                    stage.add(start + offset, start + offset + 1, out_pos, out_pos + len(folded))
                out_pos += len(folded)
        last = end
    tail = lowered[last:] if lowered is not None else text[last:].lower()
    pieces.append(tail)
    out = "".join(pieces)
    if stage is not None:
        stage.out_len = len(out)
    return out, stage


def _compose(text: str, pattern: re.Pattern[str]) -> tuple[str, Stage | None]:
    """Step 3: base + combining marks (and conjoining jamo) composed and folded."""
    edits: list[tuple[int, int, str]] = []
    for m in pattern.finditer(text):
        cluster = m.group()
        composed = fold_text(unicodedata.normalize("NFKC", cluster))
        if composed and composed[0].isascii():
            composed = composed[0] + "".join(ch for ch in composed[1:] if not is_mark(ch))
        if composed != cluster:
            edits.append((m.start(), m.end(), composed))
    return _rewrite(text, edits)


def _rewrite(text: str, edits: Sequence[tuple[int, int, str]]) -> tuple[str, Stage | None]:
    """A text with each (start, end, replacement) edit applied, in order and apart, and the
    stage that maps the result back (None when there is no edit)."""
    if not edits:
        return text, None
    stage = Stage(len(text), 0)
    pieces: list[str] = []
    last = out_pos = 0
    for start, end, replacement in edits:
        pieces.append(text[last:start])
        out_pos += start - last
        pieces.append(replacement)
        stage.add(start, end, out_pos, out_pos + len(replacement))
        out_pos += len(replacement)
        last = end
    pieces.append(text[last:])
    out = "".join(pieces)
    stage.out_len = len(out)
    return out, stage


def _leet(text: str) -> str:
    """Step 4 (length-preserving)."""
    pieces: list[str] = []
    last = 0
    for m in _SEED.finditer(text):
        start, end = m.span()
        while start > 0 and "a" <= text[start - 1] <= "z":
            start -= 1
        token = text[start:end]
        if _decodable(token):
            pieces.append(text[last:start])
            pieces.append(token.translate(_LEET))
            last = end
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _letter_runs(text: str) -> list[tuple[int, int, str]]:
    """Runs of 3 or more of one letter, as (start, end, letter)."""
    found: list[tuple[int, int, str]] = []
    if len(text) >= _NUMPY_MIN:
        cps = _codepoints(text)
        same = (cps[:-2] == cps[1:-1]) & (cps[1:-1] == cps[2:])
        spans = [(start, end + 2) for start, end in _mask_runs(same)]
    else:
        spans = [m.span() for m in _RUN.finditer(text)]
    for start, end in spans:
        ch = text[start]
        if ch.isalnum() and not ch.isdecimal():
            found.append((start, end, ch))
    return found


def _space_runs(text: str, tables: FoldTables) -> list[tuple[int, int, str]]:
    """Whitespace to rewrite, as (start, end, " "): runs of 2+, and any single non-space."""
    if len(text) < _NUMPY_MIN:
        if _ODD_SPACE.search(text) is None:
            return []
        return [(m.start(), m.end(), " ") for m in _SPACES.finditer(text)]
    cps = _codepoints(text)
    space = tables.space_mask[cps]
    if not space.any():
        return []
    starts, ends = _run_bounds(space)
    keep = (ends - starts > 1) | (cps[starts] != 32)
    return [
        (start, end, " ")
        for start, end in zip(starts[keep].tolist(), ends[keep].tolist(), strict=True)
    ]


def _squeeze(text: str, tables: FoldTables) -> tuple[str, Stage | None]:
    """Step 5: runs of 3+ of one letter -> 1; whitespace runs -> one space."""
    edits = _letter_runs(text)
    spaces = _space_runs(text, tables)
    if spaces:
        edits = sorted(edits + spaces)
    return _rewrite(text, edits)


def _despace(text: str) -> tuple[str, Stage | None]:
    """Step 6: letters written apart ("i d i o t") are joined and squeezed ("idiot"); the
    run maps back as a whole."""
    if _SPACED.search(text) is None:
        return text, None
    return _rewrite(
        text,
        [
            (m.start(), m.end(), _RUN.sub(r"\1", m.group().replace(m.group("sep"), "")))
            for m in _SPACED.finditer(text)
        ],
    )


def _pipeline(text: str) -> tuple[str, tuple[Stage, ...]]:
    """Steps 2 to 5 on a text already free of surrogates."""
    tables = fold_tables()
    stages: list[Stage] = []
    runs = _special_runs(text, tables)
    if not runs:
        out = text.lower()
    else:
        out, stage = _fold_specials(text, runs, tables)
        if stage is not None:
            stages.append(stage)
    if not out.isascii() and tables.marks.search(out) is not None:
        normal = unicodedata.is_normalized("NFKC", out)
        out, stage = _compose(out, tables.latin_marks if normal else tables.clusters)
        if stage is not None:
            stages.append(stage)
    if _SEED.search(out) is not None:
        out = _leet(out)
    out, stage = _squeeze(out, tables)
    if stage is not None:
        stages.append(stage)
    out, stage = _despace(out)
    if stage is not None:
        stages.append(stage)
    return out, tuple(stages)


def sanitise(text: str) -> tuple[str, int]:
    """Lone surrogates and U+FFFF -> U+FFFD; how many were replaced."""
    if _BAD.search(text) is None:
        return text, 0
    clean, count = _BAD.subn(REPLACEMENT, text)
    return clean, count


def normalise(text: str) -> Normalised:
    """The normalised form of a text and its map back to the original."""
    clean, replaced = sanitise(text)
    out, stages = _pipeline(clean)
    return Normalised(clean, out, replaced, stages)


class NormalisedBatch:
    """Many texts normalised in one pass (joined by ``SEPARATOR``).

    ``joined`` is the normalised joined text, ``texts[i]`` the normalised form of text i,
    ``obases[i]``/``nbases[i]`` where text i starts in the joined original/normalised
    strings. ``item(i)`` gives the same ``Normalised`` as ``normalise(texts[i])`` would.
    """

    __slots__ = ("_stages", "joined", "nbases", "obases", "originals", "replaced", "texts")

    def __init__(self, originals: Sequence[str]) -> None:
        clean = list(originals)
        replaced = [0] * len(clean)
        joined = SEPARATOR.join(clean)
        if _SURROGATE.search(joined) is not None or joined.count(SEPARATOR) != len(clean) - 1:
            for i, text in enumerate(clean):
                clean[i], replaced[i] = sanitise(text)
            joined = SEPARATOR.join(clean)
        self.originals = clean
        self.replaced = replaced
        out, self._stages = _pipeline(joined)
        self.joined = out
        self.texts = out.split(SEPARATOR) if clean else []
        if len(self.texts) != len(clean):  # pragma: no cover - the separator is kept
            raise AssertionError("normalisation lost a separator")
        self.obases = _bases(clean)
        self.nbases = _bases(self.texts)

    def __len__(self) -> int:
        return len(self.texts)

    def item(self, i: int) -> Normalised:
        """Text i as a ``Normalised`` (sharing the batch's offset map)."""
        return Normalised(
            self.originals[i],
            self.texts[i],
            self.replaced[i],
            self._stages,
            self.obases[i],
            self.nbases[i],
        )

    def index_of(self, position: int) -> int:
        """Which text a position of ``joined`` falls in."""
        return bisect_right(self.nbases, position) - 1

    def joined_original_span(self, start: int, end: int) -> tuple[int, int]:
        """``Normalised.original_span`` on the joined strings."""
        s, e = start, end
        for stage in reversed(self._stages):
            s, e = stage.back_span(s, e)
        return s, e


def _bases(parts: Sequence[str]) -> list[int]:
    """Where each part starts when the parts are joined by one separator each."""
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)) + 1
    bases = np.zeros(len(parts), dtype=np.int64)
    np.cumsum(lengths[:-1], out=bases[1:])
    result: list[int] = bases.tolist()
    return result


def normalise_batch(texts: Sequence[str]) -> NormalisedBatch:
    """Normalises many texts at once; ``item(i)`` equals ``normalise(texts[i])``."""
    return NormalisedBatch(texts)


def count_surrogates(text: str) -> int:
    """How many lone surrogates a text holds."""
    return len(_SURROGATE.findall(text))
