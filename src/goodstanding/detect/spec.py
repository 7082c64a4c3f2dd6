"""Detector declarations as they appear in a policy file, and their checks.

Each rule may carry ``[[rules.detectors]]`` tables; ``kind`` says which detector::

    [[rules.detectors]]
    kind = "terms"
    terms = ["idiot", "傻逼"]
    terms_file = "insults.txt"      # one term per line, beside the policy file
    word_boundary = true
    outcome = "queue"

``check_specs`` finds what a type system cannot (patterns that do not compile, missing
files, empty lists, thresholds out of range) and names the key of each problem, so the
policy loader can report file, line and key.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final, Literal

import msgspec
import regex  # type: ignore[import-untyped]

from goodstanding.detect.folding import SEPARATOR
from goodstanding.detect.normalise import normalise

Outcome = Literal["label", "queue", "hide", "automatic"]
"""What a finding does, mildest first: ``label`` marks the content (it stays visible);
``queue`` puts it before a moderator (it stays visible); ``hide`` hides it until a
moderator decides; ``automatic`` counts as an upheld violation without review."""
OUTCOMES: Final[tuple[str, ...]] = ("label", "queue", "hide", "automatic")
PathPart = str | int
Problem = tuple[tuple[PathPart, ...], str]


class _Spec(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag_field="kind"
):
    """Fields every detector declaration has."""

    outcome: Outcome = "queue"


class TermsSpec(_Spec, frozen=True, kw_only=True, tag="terms"):
    """Words or phrases, matched on the normalised text.

    With ``word_boundary`` a term whose first (last) character belongs to a script written
    with spaces between words (Latin, Cyrillic, Greek, digits...) must not be preceded
    (followed) by a letter or digit of such a script: "ass" does not match "class". Edges
    in Chinese, Japanese, Korean, Thai and similar scripts match anywhere, as those
    scripts do not separate words.
    """

    terms: tuple[str, ...] = ()
    terms_file: str | None = None
    word_boundary: bool = True


class PatternSpec(_Spec, frozen=True, kw_only=True, tag="pattern"):
    """Regular expressions (the ``regex`` module's syntax) on the normalised text, which
    is case-folded: write patterns in lower case."""

    patterns: tuple[str, ...]


class ClassifierSpec(_Spec, frozen=True, kw_only=True, tag="classifier"):
    """A text classifier: ``profanity`` (built in) or a registered plug-in such as
    ``onnx:models/x.onnx``; the finding fires at ``threshold`` (a probability in (0, 1]).
    ``input`` says whether the model sees the normalised text (leetspeak and look-alikes
    undone; the default) or the original. With ``addressed`` a finding also needs the
    text to address someone (second person or an @mention): name-calling of nobody
    present, a public figure for instance, is left to reports and to human review. With
    ``unfound_only`` it judges only texts in which the lists, the patterns and the
    classifiers declared before it found nothing: it fills the gaps they leave."""

    model: str = "profanity"
    threshold: float = 0.8
    input: Literal["normalised", "original"] = "normalised"
    addressed: bool = False
    unfound_only: bool = False


class KnownSpec(_Spec, frozen=True, kw_only=True, tag="known"):
    """Known bad texts (scam letters, copypasta): near-duplicates are found with MinHash
    over character 5-shingles; ``threshold`` is the estimated Jaccard similarity."""

    items: tuple[str, ...] = ()
    items_file: str | None = None
    threshold: float = 0.8


class ReportsSpec(_Spec, frozen=True, kw_only=True, tag="reports"):
    """Member reports: when the report score of an item reaches ``threshold`` the
    ``outcome`` applies. The score itself is kept by the fold."""

    threshold: float = 3.0


DetectorSpec = TermsSpec | PatternSpec | ClassifierSpec | KnownSpec | ReportsSpec
"""One ``[[rules.detectors]]`` table."""

RuleDetectors = tuple[str, Sequence[DetectorSpec]]
"""A rule id and its detector declarations."""

MAX_TERM_LENGTH: Final = 200
_UPPER_OUTSIDE_ESCAPES: Final = re.compile(
    r"\\[pPN]\{[^}]*\}|\\.|\(\?P?<[^>]*>|\(\?P=[^)]*\)|\(\?[a-zA-Z]+[:)]|\[:\^?[a-z]+:\]"
)


def read_lines(path: Path) -> list[str]:
    """The non-empty lines of a terms or items file (``#`` starts a comment line)."""
    text = path.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def resolve(base_dir: str | Path | None, name: str) -> Path:
    """A file named in a policy, relative to the policy file's folder."""
    path = Path(name)
    if path.is_absolute() or base_dir is None:
        return path
    return Path(base_dir) / path


def terms_of(spec: TermsSpec, base_dir: str | Path | None) -> list[str]:
    """The terms of a declaration: inline ones, then those of ``terms_file``."""
    terms = list(spec.terms)
    if spec.terms_file is not None:
        terms += read_lines(resolve(base_dir, spec.terms_file))
    return terms


def items_of(spec: KnownSpec, base_dir: str | Path | None) -> list[str]:
    """The known items of a declaration: inline ones, then those of ``items_file``
    (one item per line)."""
    items = list(spec.items)
    if spec.items_file is not None:
        items += read_lines(resolve(base_dir, spec.items_file))
    return items


def classifier_problem(model: str) -> str | None:
    """Why a classifier model name cannot be used here, or None."""
    from goodstanding.detect.classifier import ClassifierUnavailable, check_model

    try:
        check_model(model)
    except ClassifierUnavailable as error:
        return str(error)
    return None


@functools.lru_cache(maxsize=4096)
def compiled_pattern(pattern: str) -> regex.Pattern[str]:
    """The pattern compiled, kept for the next policy that declares it (checking a policy and
    building its matcher then compile each pattern once; `regex`'s own cache holds 500)."""
    return regex.compile(pattern)


def pattern_problem(pattern: str) -> str | None:
    """Why a pattern cannot be used, or None."""
    try:
        compiled = compiled_pattern(pattern)
    except (regex.error, OverflowError, RecursionError) as error:
        return f"does not compile: {error}"
    if compiled.search("") is not None:
        return "matches the empty string, so it would match every text"
    if SEPARATOR in pattern:
        return "must not contain U+FFFF (reserved as a separator)"
    bare = _UPPER_OUTSIDE_ESCAPES.sub("", pattern)
    inline = re.match(r"\(\?[a-zA-Z]*i", pattern)
    if inline is None and any(ch.isupper() for ch in bare):
        return (
            "has upper-case letters, but patterns apply to the normalised (case-folded) "
            "text, so they could never match; write it in lower case"
        )
    return None


def _threshold_problems(rule_id: str, value: float, here: tuple[PathPart, ...]) -> list[Problem]:
    """The problem with a detector's threshold, if it has one."""
    if not 0.0 < value <= 1.0:
        return [
            ((*here, "threshold"), f"rule {rule_id!r}: threshold must lie in (0, 1], got {value!r}")
        ]
    return []


def _file_lines(
    base_dir: str | Path | None,
    name: str,
    rule_id: str,
    where: tuple[PathPart, ...],
    problems: list[Problem],
) -> list[str] | None:
    """The lines of a file a declaration names, or None with why added to `problems` (under
    `where`, the declaration's key for the file: terms_file or items_file)."""
    path = resolve(base_dir, name)
    try:
        return read_lines(path)
    except FileNotFoundError:
        problem = f"file not found: {path}"
    except (OSError, UnicodeDecodeError) as error:
        problem = f"cannot read {path}: {error}"
    problems.append((where, f"rule {rule_id!r}: {where[-1]} {problem}"))
    return None


def check_specs(
    rule_id: str, specs: Sequence[DetectorSpec], base_dir: str | Path | None
) -> list[Problem]:
    """Problems with a rule's detector declarations, as (key path, message) pairs.

    Key paths are relative to the rule's table: ``("detectors", 2, "patterns", 0)``. The
    messages name the rule (and the pattern or term) so they read on their own.
    """
    problems: list[Problem] = []
    for i, spec in enumerate(specs):
        here: tuple[PathPart, ...] = ("detectors", i)
        if isinstance(spec, TermsSpec):
            problems += _terms_problems(rule_id, spec, base_dir, here)
        elif isinstance(spec, PatternSpec):
            if not spec.patterns:
                problems.append(((*here, "patterns"), f"rule {rule_id!r}: no patterns given"))
            for j, pattern in enumerate(spec.patterns):
                problem = pattern_problem(pattern)
                if problem is not None:
                    problems.append(
                        ((*here, "patterns", j), f"rule {rule_id!r}: pattern {pattern!r} {problem}")
                    )
        elif isinstance(spec, ClassifierSpec):
            problems += _threshold_problems(rule_id, spec.threshold, here)
            problem = classifier_problem(spec.model)
            if problem is not None:
                problems.append(((*here, "model"), f"rule {rule_id!r}: {problem}"))
            if spec.outcome == "automatic":
                problems.append(
                    (
                        (*here, "outcome"),
                        f"rule {rule_id!r}: a classifier's score is not evidence enough for "
                        "an automatic decision; use label, queue or hide",
                    )
                )
        elif isinstance(spec, KnownSpec):
            problems += _known_problems(rule_id, spec, base_dir, here)
        elif isinstance(spec, ReportsSpec):
            if not spec.threshold > 0:
                problems.append(
                    ((*here, "threshold"), f"rule {rule_id!r}: threshold must be positive")
                )
            if spec.outcome == "automatic":
                problems.append(
                    (
                        (*here, "outcome"),
                        f"rule {rule_id!r}: reports alone cannot decide a violation; use "
                        "label, queue or hide",
                    )
                )
    return problems


def _terms_problems(
    rule_id: str, spec: TermsSpec, base_dir: str | Path | None, here: tuple[PathPart, ...]
) -> list[Problem]:
    problems: list[Problem] = []
    terms = list(spec.terms)
    if spec.terms_file is not None:
        lines = _file_lines(base_dir, spec.terms_file, rule_id, (*here, "terms_file"), problems)
        if lines is not None:
            if not lines:
                problems.append(
                    ((*here, "terms_file"), f"rule {rule_id!r}: terms_file has no terms")
                )
            terms += lines
    if not spec.terms and spec.terms_file is None:
        problems.append(((*here, "terms"), f"rule {rule_id!r}: no terms given"))
    for j, term in enumerate(spec.terms):
        where = (*here, "terms", j)
        if not normalise(term).text.strip():
            problems.append((where, f"rule {rule_id!r}: term {term!r} is empty once normalised"))
        elif len(term) > MAX_TERM_LENGTH:
            problems.append(
                (where, f"rule {rule_id!r}: term {term[:40]!r}... is over {MAX_TERM_LENGTH} chars")
            )
    return problems


def _known_problems(
    rule_id: str, spec: KnownSpec, base_dir: str | Path | None, here: tuple[PathPart, ...]
) -> list[Problem]:
    problems = _threshold_problems(rule_id, spec.threshold, here)
    count = len(spec.items)
    if spec.items_file is not None:
        lines = _file_lines(base_dir, spec.items_file, rule_id, (*here, "items_file"), problems)
        if lines is not None:
            count += len(lines)
    if count == 0 and not any(p[0][-1] == "items_file" for p in problems):
        problems.append(((*here, "items"), f"rule {rule_id!r}: no known items given"))
    for j, item in enumerate(spec.items):
        if not normalise(item).text.strip():
            problems.append(
                ((*here, "items", j), f"rule {rule_id!r}: item {item!r} is empty once normalised")
            )
    return problems


def module_available(name: str) -> bool:
    """Whether a module can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
