"""The detection evaluation set (tests/data/eval/): loading it and measuring the default
policy's detectors on it. Shared by the test suite and `python -m bench quality --set eval`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import msgspec

from goodstanding.detect import Detection, Detector
from goodstanding.detect.acts import CORPUS as ACTS_CORPUS
from goodstanding.policy import PolicySet

EVAL_DIR = Path(__file__).parent / "data" / "eval"
PARTS = ("dev", "holdout")
PART_FILES = {"dev": ACTS_CORPUS, "holdout": EVAL_DIR / "holdout.jsonl"}
"""Where each part lives: the development part ships with the package as the corpus the acts
classifier learns from; the held-out part stays here, never learnt from."""
BENIGN = "benign"


class EvalText(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One labelled text of the set."""

    id: str
    text: str
    lang: Literal["en", "zh"]
    label: str
    """A rule id of the default policy, or "benign"."""
    kind: str
    political: bool


class EvalSetError(ValueError):
    """A line of a set file that is not a well-formed labelled text."""


def load_part(part: str, path: Path | None = None) -> list[EvalText]:
    """The texts of one part ("dev" or "holdout"), in file order (from `path`, if given)."""
    if part not in PARTS:
        raise EvalSetError(f"unknown part {part!r}; have: {', '.join(PARTS)}")
    path = path or PART_FILES[part]
    decoder = msgspec.json.Decoder(EvalText)
    texts: list[EvalText] = []
    for number, line in enumerate(path.read_bytes().splitlines(), 1):
        if not line.strip():
            raise EvalSetError(f"{path.name}:{number}: empty line")
        try:
            texts.append(decoder.decode(line))
        except msgspec.DecodeError as error:
            raise EvalSetError(f"{path.name}:{number}: {error}") from None
    return texts


def family(label: str) -> str:
    """A rule id's family: the part before the first dot (the whole id without one)."""
    return label.split(".", 1)[0]


def default_detector() -> Detector:
    """The detectors of the default policy's current version, built as the engine builds
    them."""
    policies = PolicySet.default()
    policy = policies.versions[-1]
    rules = [(rule.id, rule.detectors) for rule in policy.rules if rule.detectors]
    return Detector.build(rules, base_dir=policies.base_dirs.get(policy.version))


def flagged(detection: Detection) -> bool:
    """Whether any detector gave the text an outcome."""
    return bool(detection.matches)


@dataclass
class Tally:
    """How many texts of a group were hit, of how many."""

    hits: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        """hits / total (0 for an empty group)."""
        return self.hits / self.total if self.total else 0.0


@dataclass
class PartQuality:
    """The figures for one part of the set."""

    recall: Tally = field(default_factory=Tally)
    """Violating texts flagged with a rule of their label's family."""
    recall_by_family: dict[str, Tally] = field(default_factory=dict)
    recall_by_kind: dict[str, Tally] = field(default_factory=dict)
    recall_by_lang: dict[str, Tally] = field(default_factory=dict)
    false_positives: Tally = field(default_factory=Tally)
    """Benign texts flagged at all (every finding goes before a moderator)."""
    acted_false_positives: Tally = field(default_factory=Tally)
    """Benign texts with a finding that no context lowered (``Detection.flagged``): those
    a rule's outcome would hide, rather than route to review."""
    acted_recall: Tally = field(default_factory=Tally)
    """Violating texts with an unlowered finding of a rule of their label's family."""
    false_positives_by_kind: dict[str, Tally] = field(default_factory=dict)
    false_positives_by_lang: dict[str, Tally] = field(default_factory=dict)
    political_flagged: list[str] = field(default_factory=list)
    """Ids of political texts flagged, in order."""
    political: int = 0


def _count(tallies: dict[str, Tally], key: str, hit: bool) -> None:
    tally = tallies.setdefault(key, Tally())
    tally.total += 1
    tally.hits += hit


def measure(texts: Sequence[EvalText], detector: Detector) -> PartQuality:
    """Recall per family, false positives per benign kind and political texts flagged, for
    texts judged by detector."""
    quality = PartQuality()
    for item, detection in zip(texts, detector.detect_batch([t.text for t in texts]), strict=True):
        if item.label == BENIGN:
            hit = flagged(detection)
            quality.false_positives.total += 1
            quality.false_positives.hits += hit
            quality.acted_false_positives.total += 1
            quality.acted_false_positives.hits += bool(detection.flagged)
            _count(quality.false_positives_by_kind, item.kind, hit)
            _count(quality.false_positives_by_lang, item.lang, hit)
            if item.political:
                quality.political += 1
                if hit:
                    quality.political_flagged.append(item.id)
        else:
            hit = family(item.label) in {family(rule) for rule in detection.rules}
            quality.recall.total += 1
            quality.recall.hits += hit
            quality.acted_recall.total += 1
            quality.acted_recall.hits += family(item.label) in {
                family(rule) for rule in detection.flagged
            }
            _count(quality.recall_by_family, family(item.label), hit)
            _count(quality.recall_by_kind, item.kind, hit)
            _count(quality.recall_by_lang, item.lang, hit)
    return quality


def family_coverage(texts: Sequence[EvalText]) -> Counter[tuple[str, str]]:
    """Violating texts per (family, language)."""
    return Counter((family(t.label), t.lang) for t in texts if t.label != BENIGN)
