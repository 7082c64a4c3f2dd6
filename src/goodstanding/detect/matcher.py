"""One multi-pattern matcher over every term and pattern of every rule.

``Matcher.compile(rules, base_dir)`` builds it once; ``scan(text)`` (or ``scan_batch``)
normalises and finds every match, each with its rule, the declared term or pattern, the
normalised span and the exact span of the original text.

One literal matcher holds every term (with its stretched variants) and every pattern's
*required literals* (strings one of which each match of the pattern contains, see
``literals.py``); a pattern's regex runs only on the texts where one of them occurs.
Two backends (``backends.py``) give identical results (the tests check it); term variants
and word boundaries are in ``variants.py``:

* ``hyperscan``: the literals form one Hyperscan literal database (``SOM_LEFTMOST``, so
  every occurrence comes with its start); patterns without a required literal are
  prefiltered by a second database in prefilter mode.
* ``aho``: a pyahocorasick automaton holds the literals; patterns without a required
  literal are prefiltered by one combined ``regex`` alternation.

In both, pattern spans come from the ``regex`` module run on the candidate texts only, so
a pattern means exactly what the ``regex`` module says it means. Term matches are every
occurrence of every term (overlaps included), filtered by the word-boundary rule.
Batches are scanned as one string joined by U+FFFF; no literal contains it and every match
is kept within its own text. A Matcher is safe to share between threads (Hyperscan scratch
space is per thread).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import msgspec
import regex  # type: ignore[import-untyped]

from goodstanding.detect.backends import (
    HAVE_HYPERSCAN,
    Backend,
    aho_automaton,
    byte_to_char,
    hyperscan,
    hyperscan_literals,
    hyperscan_prefilter,
    python_prefilter,
)
from goodstanding.detect.folding import SEPARATOR
from goodstanding.detect.literals import pattern_tokens, required_literals
from goodstanding.detect.normalise import NormalisedBatch, normalise, normalise_batch
from goodstanding.detect.spans import Normalised
from goodstanding.detect.spec import (
    PatternSpec,
    RuleDetectors,
    TermsSpec,
    compiled_pattern,
    pattern_problem,
    terms_of,
)
from goodstanding.detect.variants import WORD_CHARS, edges, is_word_char, variants

EXCERPT_MAX: Final = 300
"""Excerpts longer than this are cut (and end with "…"); spans are always exact."""


class Match(msgspec.Struct, frozen=True, kw_only=True):
    """One occurrence of a term or pattern in a text."""

    rule_id: str
    kind: Literal["terms", "pattern"]
    detector: int
    """Index of the declaration among the rule's ``detectors``."""
    matched: str
    """The term as declared, or the pattern's source."""
    normalised: str
    """The normalised text that matched."""
    norm_start: int
    norm_end: int
    start: int
    """Span of the original text (as given; lone surrogates count one each)."""
    end: int
    excerpt: str
    """The original text of the span (cut at EXCERPT_MAX characters)."""

    @property
    def sort_key(self) -> tuple[int, int, str, int, str]:
        return (self.start, self.end, self.rule_id, self.detector, self.matched)


class SpecError(ValueError):
    """Detector declarations that cannot be compiled (see ``spec.check_specs``)."""


# -- patterns ----------------------------------------------------------------------------


def joinable(pattern: str) -> bool:
    """Whether a pattern means the same in a text and in texts joined by U+FFFF: no
    anchors (``^ $ \\A \\Z \\z \\G``) and no lookarounds. Others are run text by text."""
    for i, token, in_class in pattern_tokens(pattern):
        if in_class:
            continue
        if len(token) == 2 and token[0] == "\\" and token[1] in "AZzGK":
            return False
        if token in ("^", "$") or (
            token == "(" and pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i)
        ):
            return False
    return True


@dataclass(frozen=True)
class _Term:
    rule_index: int
    detector: int
    declared: str
    start_bounded: bool
    end_bounded: bool


@dataclass(frozen=True)
class _Pattern:
    rule_index: int
    detector: int
    source: str
    compiled: regex.Pattern[str]
    joinable: bool
    literals: frozenset[str] | None


@dataclass
class _Compiled:
    rule_ids: list[str]
    keys: list[str]  # normalised literals: terms, their variants, patterns' literals
    key_terms: list[tuple[_Term, ...]]  # per key id
    key_patterns: list[tuple[int, ...]]  # per key id: patterns that require the literal
    patterns: list[_Pattern]
    automaton: Any = None
    hs_literals: Any = None
    hs_patterns: Any = None  # loose joinable patterns Hyperscan can prefilter
    hs_pattern_ids: list[int] = field(default_factory=list)
    python_prefilter: regex.Pattern[str] | None = None  # loose joinable patterns, otherwise
    python_prefilter_ids: list[int] = field(default_factory=list)
    per_text_ids: list[int] = field(default_factory=list)  # loose, not joinable


@dataclass(slots=True)
class _View:
    """Texts as the matcher sees them: one joined normalised string and the way back."""

    joined: str
    texts: Sequence[str]
    nbases: Sequence[int]
    originals: Sequence[str]
    obases: Sequence[int]
    map_span: Callable[[int, int], tuple[int, int]]

    @classmethod
    def of(cls, item: Normalised | NormalisedBatch) -> _View:
        if isinstance(item, Normalised):
            return cls(item.text, [item.text], [0], [item.original], [0], item.original_span)
        return cls(
            item.joined,
            item.texts,
            item.nbases,
            item.originals,
            item.obases,
            item.joined_original_span,
        )


Hit = tuple[int, int, "_Term | _Pattern"]


class Matcher:
    """Terms and patterns of many rules, compiled into one matcher."""

    def __init__(self, compiled: _Compiled, backend: Literal["hyperscan", "aho"]) -> None:
        self._c = compiled
        self.backend: Literal["hyperscan", "aho"] = backend
        self._local = threading.local()

    @property
    def term_count(self) -> int:
        """How many distinct normalised term literals (terms and variants) it holds."""
        return sum(1 for terms in self._c.key_terms if terms)

    @property
    def pattern_count(self) -> int:
        return len(self._c.patterns)

    @property
    def loose_patterns(self) -> list[str]:
        """Patterns without a required literal (prefiltered as whole regexes: slower)."""
        return [p.source for p in self._c.patterns if p.literals is None]

    @classmethod
    def compile(
        cls,
        rules: Sequence[RuleDetectors],
        base_dir: str | Path | None = None,
        backend: Backend = "auto",
    ) -> Matcher:
        """Builds the matcher for the ``terms`` and ``pattern`` declarations of rules.

        Raises SpecError for a pattern that does not compile or a terms file that cannot
        be read (``check_specs`` reports these with their keys first).
        """
        if backend == "hyperscan" and not HAVE_HYPERSCAN:
            raise SpecError("the hyperscan backend was asked for, but hyperscan is not installed")
        chosen: Literal["hyperscan", "aho"] = (
            "hyperscan"
            if backend == "hyperscan" or (backend == "auto" and HAVE_HYPERSCAN)
            else "aho"
        )
        rule_ids: list[str] = []
        by_key: dict[str, list[_Term]] = {}
        patterns: list[_Pattern] = []
        for rule_index, (rule_id, specs) in enumerate(rules):
            rule_ids.append(rule_id)
            for detector, spec in enumerate(specs):
                if isinstance(spec, TermsSpec):
                    _add_terms(by_key, rule_index, detector, spec, base_dir, rule_id)
                elif isinstance(spec, PatternSpec):
                    for source in spec.patterns:
                        problem = pattern_problem(source)
                        if problem is not None:
                            raise SpecError(f"rule {rule_id!r}: pattern {source!r} {problem}")
                        patterns.append(
                            _Pattern(
                                rule_index,
                                detector,
                                source,
                                compiled_pattern(source),
                                joinable(source),
                                required_literals(source),
                            )
                        )
        by_literal: dict[str, list[int]] = {}
        for pattern_id, pattern in enumerate(patterns):
            for literal in sorted(pattern.literals or ()):
                by_literal.setdefault(literal, []).append(pattern_id)
        keys = sorted(set(by_key) | set(by_literal))
        compiled = _Compiled(
            rule_ids=rule_ids,
            keys=keys,
            key_terms=[tuple(dict.fromkeys(by_key.get(k, ()))) for k in keys],
            key_patterns=[tuple(by_literal.get(k, ())) for k in keys],
            patterns=patterns,
        )
        loose = [i for i, p in enumerate(patterns) if p.literals is None]
        compiled.per_text_ids = [i for i in loose if not patterns[i].joinable]
        loose_joinable = [i for i in loose if patterns[i].joinable]
        python_side = {i: patterns[i].source for i in loose_joinable}
        if chosen == "hyperscan":
            compiled.hs_literals = hyperscan_literals(keys)
            compiled.hs_patterns, compiled.hs_pattern_ids, rest = hyperscan_prefilter(python_side)
            python_side = {i: patterns[i].source for i in rest}
        else:
            compiled.automaton = aho_automaton(keys)
        prefilter, prefilter_ids, per_text = python_prefilter(python_side)
        compiled.python_prefilter, compiled.python_prefilter_ids = prefilter, prefilter_ids
        compiled.per_text_ids += per_text
        return cls(compiled, chosen)

    # -- scanning ------------------------------------------------------------------------

    def scan(self, text: str | Normalised) -> list[Match]:
        """Every match in one text (normalised here unless already a ``Normalised``)."""
        item = text if isinstance(text, Normalised) else normalise(text)
        return self._scan(_View.of(item))[0]

    def scan_batch(self, texts: Sequence[str] | NormalisedBatch) -> list[list[Match]]:
        """Every match in each of many texts, in one pass; ``[i]`` is text i's matches."""
        batch = texts if isinstance(texts, NormalisedBatch) else normalise_batch(texts)
        if not len(batch):
            return []
        return self._scan(_View.of(batch))

    def _scan(self, view: _View) -> list[list[Match]]:
        c = self._c
        joined, nbases, texts = view.joined, view.nbases, view.texts
        hits: dict[int, set[Hit]] = {}
        candidates: set[tuple[int, int]] = set()
        key_terms, key_patterns = c.key_terms, c.key_patterns
        end_of_text = len(joined)
        word = WORD_CHARS
        for start, end, key in self._literal_hits(joined):
            terms = key_terms[key]
            if terms:
                before = after = False
                if start > 0:
                    ch = joined[start - 1]
                    before = word[ch] if ch in word else is_word_char(ch)
                if end < end_of_text:
                    ch = joined[end]
                    after = word[ch] if ch in word else is_word_char(ch)
                index = -1
                for term in terms:
                    if (term.start_bounded and before) or (term.end_bounded and after):
                        continue
                    if index < 0:
                        index = bisect_right(nbases, start) - 1
                    hits.setdefault(index, set()).add((start, end, term))
            for pattern_id in key_patterns[key]:
                candidates.add((bisect_right(nbases, start) - 1, pattern_id))
        if c.hs_pattern_ids or c.python_prefilter is not None or c.per_text_ids:
            candidates |= self._loose_candidates(joined, nbases, texts)
        spans: dict[tuple[str, int], list[tuple[int, int]]] = {}  # a text seen again: its spans
        for index, pattern_id in sorted(candidates):
            pattern = c.patterns[pattern_id]
            text = texts[index]
            seen = spans.get((text, pattern_id))
            if seen is None:
                seen = [m.span() for m in pattern.compiled.finditer(text) if m.end() > m.start()]
                spans[text, pattern_id] = seen
            if seen:
                base = nbases[index]
                hits.setdefault(index, set()).update(
                    (base + start, base + end, pattern) for start, end in seen
                )
        results: list[list[Match]] = [[] for _ in texts]
        for index, found in hits.items():
            matches = [self._match(view, index, start, end, what) for start, end, what in found]
            matches.sort(key=lambda m: m.sort_key)
            results[index] = matches
        return results

    def _match(
        self, view: _View, index: int, start: int, end: int, what: _Term | _Pattern
    ) -> Match:
        s, e = view.map_span(start, end)
        obase, nbase = view.obases[index], view.nbases[index]
        s, e = s - obase, e - obase
        excerpt = view.originals[index][s:e]
        if len(excerpt) > EXCERPT_MAX:
            excerpt = excerpt[: EXCERPT_MAX - 1] + "…"
        is_term = isinstance(what, _Term)
        return Match(
            rule_id=self._c.rule_ids[what.rule_index],
            kind="terms" if is_term else "pattern",
            detector=what.detector,
            matched=what.declared if isinstance(what, _Term) else what.source,
            normalised=view.joined[start:end],
            norm_start=start - nbase,
            norm_end=end - nbase,
            start=s,
            end=e,
            excerpt=excerpt,
        )

    def _literal_hits(self, joined: str) -> list[tuple[int, int, int]]:
        """(start, end, key id) of every occurrence of every literal, in characters."""
        c = self._c
        if not c.keys:
            return []
        if self.backend == "aho":
            keys = c.keys
            return [
                (last + 1 - len(keys[key]), last + 1, key) for last, key in c.automaton.iter(joined)
            ]
        data = joined.encode("utf-8")
        hits: list[tuple[int, int, int]] = []
        append = hits.append

        def on_match(key: int, start: int, end: int, _flags: int, _ctx: object) -> None:
            append((start, end, key))

        c.hs_literals.scan(data, match_event_handler=on_match, scratch=self._scratch("literals"))
        if not hits or len(data) == len(joined):
            return hits
        to_char = byte_to_char(data, {p for h in hits for p in h[:2]})
        return [(to_char[start], to_char[end], key) for start, end, key in hits]

    def _loose_candidates(
        self, joined: str, nbases: Sequence[int], texts: Sequence[str]
    ) -> set[tuple[int, int]]:
        """(text index, pattern id) worth confirming for patterns without literals."""
        c = self._c
        found: set[tuple[int, int]] = set()
        for pattern_id in c.per_text_ids:
            compiled = c.patterns[pattern_id].compiled
            found.update((i, pattern_id) for i, t in enumerate(texts) if compiled.search(t))
        if c.hs_pattern_ids:
            data = joined.encode("utf-8")
            ends: list[tuple[int, int]] = []

            def on_match(pattern_id: int, _start: int, end: int, _f: int, _c: object) -> None:
                ends.append((end, pattern_id))

            c.hs_patterns.scan(
                data, match_event_handler=on_match, scratch=self._scratch("patterns")
            )
            if ends:
                ascii_only = len(data) == len(joined)
                to_char = {} if ascii_only else byte_to_char(data, {e for e, _ in ends})
                for end, pattern_id in ends:
                    position = end if ascii_only else to_char[end]
                    index = bisect_right(nbases, max(position - 1, 0)) - 1
                    found.add((index, pattern_id))
        if c.python_prefilter is not None:
            position = 0
            while position < len(joined):
                m = c.python_prefilter.search(joined, position)
                if m is None:
                    break
                index = bisect_right(nbases, m.start()) - 1
                found.update((index, pattern_id) for pattern_id in c.python_prefilter_ids)
                position = nbases[index + 1] if index + 1 < len(nbases) else len(joined)
        return found

    def _scratch(self, which: str) -> Any:
        """Hyperscan scratch space for this thread (scratch cannot be shared)."""
        scratch = getattr(self._local, which, None)
        if scratch is None:
            database = self._c.hs_literals if which == "literals" else self._c.hs_patterns
            scratch = hyperscan.Scratch(database)
            setattr(self._local, which, scratch)
        return scratch


def _add_terms(
    by_key: dict[str, list[_Term]],
    rule_index: int,
    detector: int,
    spec: TermsSpec,
    base_dir: str | Path | None,
    rule_id: str,
) -> None:
    try:
        declared_terms = terms_of(spec, base_dir)
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"rule {rule_id!r}: cannot read terms_file: {error}") from None
    for declared in declared_terms:
        key = normalise(declared).text.strip()
        if not key or SEPARATOR in key:
            continue
        start_bounded, end_bounded = edges(key, spec.word_boundary)
        term = _Term(rule_index, detector, declared, start_bounded, end_bounded)
        for variant in variants(key):
            by_key.setdefault(variant, []).append(term)


__all__ = [
    "EXCERPT_MAX",
    "Match",
    "Matcher",
    "SpecError",
    "joinable",
]
