"""The detector: every declaration of every rule, run on a text, never raising.

``Detector.build(rules, base_dir)`` compiles the rules' declarations once (one matcher for
all terms and patterns, one sketch index per known-content list, the classifiers by
name). ``detect(text)`` and ``detect_batch(texts)`` return a ``Detection`` per text: the
findings with their evidence, and the failures of any detector that could not run. A
failure never hides the findings of the other detectors and never escapes as an exception.

Texts longer than ``cap`` characters (100,000 by default) are matched in full by the
terms and patterns, but only their first ``cap`` characters go to classifiers and the
known-content index; the Detection says so (``truncated``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Generic, Literal, NamedTuple, TypeVar

import msgspec
import numpy as np

from goodstanding.detect.backends import Backend
from goodstanding.detect.classifier import Classifier, ClassifierUnavailable, classifier_for
from goodstanding.detect.context import addresses_someone, lowering_context, text_contexts
from goodstanding.detect.distinct import distinct
from goodstanding.detect.known import KnownIndex, Sketcher
from goodstanding.detect.matcher import EXCERPT_MAX, Match, Matcher, SpecError
from goodstanding.detect.normalise import NormalisedBatch, normalise, normalise_batch, sanitise
from goodstanding.detect.spec import (
    ClassifierSpec,
    KnownSpec,
    Outcome,
    PatternSpec,
    RuleDetectors,
    TermsSpec,
    check_specs,
    items_of,
)

DEFAULT_CAP: Final = 100_000
OUTCOME_RANK: Final[dict[str, int]] = {"label": 0, "queue": 1, "hide": 2, "automatic": 3}
Kind = Literal["terms", "pattern", "classifier", "known"]


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    """One detector's finding on one text, with its evidence."""

    rule_id: str
    kind: Kind
    detector: int
    """Index of the declaration among the rule's ``detectors``."""
    outcome: Outcome
    evidence: str
    """The term as declared, the pattern, the model name, or the known item (cut)."""
    score: float
    """1.0 for terms and patterns; the probability; the estimated similarity."""
    start: int
    """Span of the original text: the match, or what was classified / compared."""
    end: int
    excerpt: str
    normalised: str = ""
    """For terms and patterns: the normalised text that matched."""
    item: int | None = None
    """For known content: the index of the similar item in the declaration."""
    context: tuple[str, ...] = ()
    """Contexts that lowered confidence (``context.CONTEXTS``: quotation, reported speech,
    fiction, self-reference, game, idiom, advice); a lowered finding's outcome is at most
    ``queue``."""

    @property
    def sort_key(
        self,
    ) -> tuple[int, int, str, int, str, str, str, float, str, str, int, tuple[str, ...]]:
        """Every field, so that findings come out in one order in every process (a set's
        order would follow the process's hash seed)."""
        return (
            self.start,
            self.end,
            self.rule_id,
            self.detector,
            self.kind,
            self.evidence,
            self.outcome,
            self.score,
            self.excerpt,
            self.normalised,
            -1 if self.item is None else self.item,
            self.context,
        )


class Failure(msgspec.Struct, frozen=True, kw_only=True):
    """A detector that could not judge a text: its findings are missing, not negative."""

    rule_id: str
    kind: Kind
    detector: int
    error: str


class Detection(msgspec.Struct, frozen=True, kw_only=True):
    """What the detectors found in one text."""

    matches: tuple[Finding, ...]
    failures: tuple[Failure, ...]
    length: int
    """Characters in the text."""
    classified: int
    """Characters given to classifiers and the known-content index (at most ``cap``)."""
    truncated: bool
    """True when ``classified < length``."""
    replaced: int = 0
    """Lone surrogates (or U+FFFF) replaced by U+FFFD before detection."""

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules with at least one finding, sorted."""
        return tuple(sorted({m.rule_id for m in self.matches}))

    @property
    def flagged(self) -> tuple[str, ...]:
        """The rules with at least one finding that no context lowered, sorted (the
        others only go before a moderator for review)."""
        return tuple(sorted({m.rule_id for m in self.matches if not m.context}))

    def outcome_for(self, rule_id: str) -> Outcome | None:
        """The strongest outcome among a rule's findings (label < queue < hide <
        automatic), or None without findings."""
        best: Outcome | None = None
        for m in self.matches:
            if m.rule_id == rule_id and (
                best is None or OUTCOME_RANK[m.outcome] > OUTCOME_RANK[best]
            ):
                best = m.outcome
        return best

    def for_rule(self, rule_id: str) -> tuple[Finding, ...]:
        """A rule's findings."""
        return tuple(m for m in self.matches if m.rule_id == rule_id)


_Spec = TypeVar("_Spec", ClassifierSpec, KnownSpec)


@dataclass(frozen=True)
class _Use(Generic[_Spec]):
    """A detector that reads whole texts: its rule, its place among the rule's detectors and
    its declaration."""

    rule_id: str
    detector: int
    spec: _Spec


@dataclass(frozen=True)
class _KnownUse(_Use[KnownSpec]):
    """A known-content detector, with the index of its items."""

    index: KnownIndex


class _Gathered(NamedTuple):
    """A batch as the whole-text detectors read it: the sanitised texts and their normalised
    heads, with the findings and the failures gathered for each text so far."""

    texts: Sequence[str]
    heads: Sequence[str]
    findings: list[list[Finding]]
    failures: list[list[Failure]]


def _lowered(outcome: Outcome, context: tuple[str, ...]) -> Outcome:
    """An outcome capped at ``queue`` when a context lowered confidence."""
    return "queue" if context and OUTCOME_RANK[outcome] > OUTCOME_RANK["queue"] else outcome


def _cut(text: str) -> str:
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1] + "…"


class Detector:
    """All detector declarations of a set of rules, ready to run."""

    def __init__(
        self,
        rules: Sequence[RuleDetectors],
        matcher: Matcher,
        classifiers: Mapping[str, Classifier | ClassifierUnavailable],
        classifier_uses: Sequence[_Use[ClassifierSpec]],
        known_uses: Sequence[_KnownUse],
        sketcher: Sketcher,
        cap: int,
    ) -> None:
        self.rules = tuple((rule_id, tuple(specs)) for rule_id, specs in rules)
        self.matcher = matcher
        self.cap = cap
        self._classifiers = dict(classifiers)
        self._classifier_uses = tuple(classifier_uses)
        self._known_uses = tuple(known_uses)
        self._sketcher = sketcher
        self._outcomes = {
            (rule_id, i): spec.outcome for rule_id, specs in rules for i, spec in enumerate(specs)
        }
        self._text_detectors: tuple[tuple[str, int, Kind], ...] = tuple(
            (rule_id, i, "terms" if isinstance(spec, TermsSpec) else "pattern")
            for rule_id, specs in rules
            for i, spec in enumerate(specs)
            if isinstance(spec, TermsSpec | PatternSpec)
        )

    @classmethod
    def build(
        cls,
        rules: Sequence[RuleDetectors],
        base_dir: str | Path | None = None,
        *,
        backend: Backend = "auto",
        cap: int = DEFAULT_CAP,
        classifiers: Mapping[str, Classifier] | None = None,
    ) -> Detector:
        """Compiles the declarations of rules (each a rule id and its detector specs).

        Files named in declarations are read here, relative to ``base_dir``; nothing is
        read while detecting. Raises SpecError listing the problems ``check_specs`` finds,
        except unavailable classifiers: those become a failure on every text, so that a
        missing model degrades detection instead of stopping it. ``classifiers`` maps
        model names to instances that take precedence over the registry (plug-ins, tests).
        """
        if cap < 1:
            raise ValueError(f"cap must be at least 1, got {cap}")
        overrides = dict(classifiers or {})
        problems = [
            message
            for rule_id, specs in rules
            for path, message in check_specs(rule_id, specs, base_dir)
            if path[-1] != "model"
        ]
        seen: set[str] = set()
        for rule_id, _ in rules:
            if rule_id in seen:
                problems.append(f"rule {rule_id!r} is listed twice")
            seen.add(rule_id)
        if problems:
            raise SpecError("\n".join(problems))
        matcher = Matcher.compile(rules, base_dir, backend)
        sketcher = Sketcher()
        resolved: dict[str, Classifier | ClassifierUnavailable] = {}
        classifier_uses: list[_Use[ClassifierSpec]] = []
        known_uses: list[_KnownUse] = []
        for rule_id, specs in rules:
            for i, spec in enumerate(specs):
                if isinstance(spec, ClassifierSpec):
                    if spec.model not in resolved:
                        try:
                            resolved[spec.model] = overrides.get(spec.model) or classifier_for(
                                spec.model
                            )
                        except ClassifierUnavailable as error:
                            resolved[spec.model] = error
                    classifier_uses.append(_Use(rule_id, i, spec))
                elif isinstance(spec, KnownSpec):
                    try:
                        items = items_of(spec, base_dir)
                    except (OSError, UnicodeDecodeError) as error:
                        raise SpecError(
                            f"rule {rule_id!r}: cannot read items_file: {error}"
                        ) from None
                    index = KnownIndex(items, spec.threshold, sketcher)
                    known_uses.append(_KnownUse(rule_id, i, spec, index))
        return cls(rules, matcher, resolved, classifier_uses, known_uses, sketcher, cap)

    # -- detection -----------------------------------------------------------------------

    def detect(self, text: str) -> Detection:
        """The findings and failures for one text. Never raises."""
        return self.detect_batch([text])[0]

    def detect_batch(self, texts: Sequence[str]) -> list[Detection]:
        """``detect`` for many texts; classifiers see them in one batch. Never raises."""
        clean = [t if isinstance(t, str) else _as_text(t) for t in texts]
        if not clean:
            return []
        findings: list[list[Finding]] = [[] for _ in clean]
        failures: list[list[Failure]] = [[] for _ in clean]
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                failures[i].append(
                    Failure(
                        rule_id="*",
                        kind="terms",
                        detector=-1,
                        error=f"input is {type(text).__name__}, not text; treated as text",
                    )
                )
        batch: NormalisedBatch | None = None
        try:
            batch = normalise_batch(clean)
            for i, matches in enumerate(self.matcher.scan_batch(batch)):
                if matches:
                    text = batch.texts[i]
                    whole = text_contexts(text)
                    findings[i] += [self._from_match(m, text, whole) for m in matches]
        except Exception as error:  # a detector failure is data, not a crash
            message = f"{type(error).__name__}: {error}"
            for i in range(len(clean)):
                failures[i] += [
                    Failure(rule_id=rule_id, kind=kind, detector=d, error=message)
                    for rule_id, d, kind in self._text_detectors
                ]
        if self._classifier_uses or self._known_uses:
            # excerpts and "original" classifier input: free of lone surrogates
            originals = batch.originals if batch is not None else [sanitise(t)[0] for t in clean]
            gathered = _Gathered(originals, self._heads(originals, batch), findings, failures)
            self._classify(gathered)
            self._compare(gathered)
        out: list[Detection] = []
        for i, text in enumerate(clean):
            length = len(text)
            out.append(
                Detection(
                    matches=tuple(sorted(set(findings[i]), key=lambda f: f.sort_key)),
                    failures=tuple(failures[i]),
                    length=length,
                    classified=min(length, self.cap),
                    truncated=length > self.cap,
                    replaced=batch.replaced[i] if batch is not None else 0,
                )
            )
        return out

    def _from_match(self, m: Match, normalised: str, whole: frozenset[str]) -> Finding:
        context = lowering_context(normalised, m.norm_start, m.norm_end, whole)
        return Finding(
            rule_id=m.rule_id,
            kind=m.kind,
            detector=m.detector,
            outcome=_lowered(self._outcomes[(m.rule_id, m.detector)], context),
            context=context,
            evidence=m.matched,
            score=1.0,
            start=m.start,
            end=m.end,
            excerpt=m.excerpt,
            normalised=m.normalised,
        )

    def _heads(self, texts: Sequence[str], batch: NormalisedBatch | None) -> list[str]:
        """The normalised first ``cap`` characters of each text ("" where that fails)."""
        heads: list[str] = []
        for i, text in enumerate(texts):
            try:
                if len(text) > self.cap:
                    heads.append(normalise(text[: self.cap]).text)
                elif batch is not None:
                    heads.append(batch.texts[i])
                else:
                    heads.append(normalise(text).text)
            except Exception:
                heads.append("")
        return heads

    def _classify(self, gathered: _Gathered) -> None:
        texts, heads, findings, failures = gathered
        by_model: dict[tuple[str, bool], list[_Use[ClassifierSpec]]] = {}
        for use in self._classifier_uses:
            by_model.setdefault((use.spec.model, use.spec.input == "original"), []).append(use)
        wanted = any(original for _, original in by_model)
        originals = [t[: self.cap] for t in texts] if wanted else []
        for (model, original), uses in by_model.items():
            inputs = originals if original else list(heads)
            scores, error = self._predict(model, inputs)
            for use in uses:
                if error is not None:
                    for failed in failures:
                        failed.append(
                            Failure(
                                rule_id=use.rule_id,
                                kind="classifier",
                                detector=use.detector,
                                error=error,
                            )
                        )
                    continue
                spec = use.spec
                for i in [i for i, score in enumerate(scores) if score >= spec.threshold]:
                    text, score = texts[i], scores[i]
                    if spec.unfound_only and findings[i]:
                        continue
                    if not spec.addressed or addresses_someone(heads[i]):
                        end = min(len(text), self.cap)
                        # the whole text was judged: its opening words and its markers
                        context = lowering_context(heads[i], 0, 0)
                        findings[i].append(
                            Finding(
                                rule_id=use.rule_id,
                                kind="classifier",
                                detector=use.detector,
                                outcome=_lowered(use.spec.outcome, context),
                                context=context,
                                evidence=model,
                                score=score,
                                start=0,
                                end=end,
                                excerpt=_cut(text[:end]),
                            )
                        )

    def _predict(self, model: str, inputs: list[str]) -> tuple[list[float], str | None]:
        classifier = self._classifiers.get(model)
        if isinstance(classifier, ClassifierUnavailable):
            return [], f"classifier unavailable: {classifier}"
        if classifier is None:  # pragma: no cover - every model is resolved at build
            return [], f"classifier {model!r} was not built"
        try:
            scores = np.asarray(classifier.predict(inputs), dtype=np.float64)
        except Exception as error:
            return [], f"classifier {model!r} raised {type(error).__name__}: {error}"
        if scores.shape != (len(inputs),):
            return [], f"classifier {model!r} gave {scores.size} scores for {len(inputs)} texts"
        if not np.all((scores >= 0.0) & (scores <= 1.0)):  # NaN fails both comparisons
            return [], f"classifier {model!r} gave a score outside [0, 1]"
        return scores.tolist(), None

    def _compare(self, gathered: _Gathered) -> None:
        if not self._known_uses:
            return
        texts, heads, findings, failures = gathered
        unique, rows = distinct(heads)  # a sketch and its neighbours depend on the text alone
        try:
            values = self._sketcher.hashvalues_many(unique)
        except Exception as error:
            for i in range(len(texts)):
                failures[i] += [_failure(use, error) for use in self._known_uses]
            return
        for use in self._known_uses:
            try:
                found = use.index.query_many(values)
            except Exception as error:
                for i in range(len(texts)):
                    failures[i].append(_failure(use, error))
                continue
            for i, hits in enumerate(found[row] for row in rows):
                if hits:
                    best = hits[0]
                    end = min(len(texts[i]), self.cap)
                    findings[i].append(
                        Finding(
                            rule_id=use.rule_id,
                            kind="known",
                            detector=use.detector,
                            outcome=use.spec.outcome,
                            evidence=_cut(best.text),
                            score=best.similarity,
                            start=0,
                            end=end,
                            excerpt=_cut(texts[i][:end]),
                            item=best.item,
                        )
                    )


def _failure(use: _KnownUse, error: Exception) -> Failure:
    """A known-content detector that raised, recorded for every text it should have read."""
    return Failure(
        rule_id=use.rule_id,
        kind="known",
        detector=use.detector,
        error=f"{type(error).__name__}: {error}",
    )


def _as_text(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return "" if value is None else str(value)
