"""Detection: what in a text may break a rule, with evidence, for the fold to act on.

Pure at detection time: no I/O, no clock, no randomness (files named in declarations are
read when a Detector is built). Rules judge acts, never opinions; there is no political or
religious classifier here and none may be added. See docs/detection.md.
"""

from goodstanding.detect.backends import HAVE_HYPERSCAN
from goodstanding.detect.classifier import (
    Classifier,
    ClassifierUnavailable,
    ProfanityClassifier,
    check_model,
    classifier_for,
    classifier_identity,
    register_classifier,
)
from goodstanding.detect.config import (
    DetectorConfigError,
    default_detectors,
    default_detectors_text,
    load_detectors,
    parse_detectors,
)
from goodstanding.detect.detector import (
    DEFAULT_CAP,
    OUTCOME_RANK,
    Detection,
    Detector,
    Failure,
    Finding,
)
from goodstanding.detect.known import KnownHit, KnownIndex
from goodstanding.detect.matcher import Match, Matcher, SpecError
from goodstanding.detect.normalise import NormalisedBatch, normalise, normalise_batch
from goodstanding.detect.quality import measure_quality
from goodstanding.detect.rings import find_rings, like_edges
from goodstanding.detect.spans import Normalised
from goodstanding.detect.spec import (
    OUTCOMES,
    ClassifierSpec,
    DetectorSpec,
    KnownSpec,
    Outcome,
    PatternSpec,
    ReportsSpec,
    RuleDetectors,
    TermsSpec,
    check_specs,
)

__all__ = [
    "DEFAULT_CAP",
    "HAVE_HYPERSCAN",
    "OUTCOMES",
    "OUTCOME_RANK",
    "Classifier",
    "ClassifierSpec",
    "ClassifierUnavailable",
    "Detection",
    "Detector",
    "DetectorConfigError",
    "DetectorSpec",
    "Failure",
    "Finding",
    "KnownHit",
    "KnownIndex",
    "KnownSpec",
    "Match",
    "Matcher",
    "Normalised",
    "NormalisedBatch",
    "Outcome",
    "PatternSpec",
    "ProfanityClassifier",
    "ReportsSpec",
    "RuleDetectors",
    "SpecError",
    "TermsSpec",
    "check_model",
    "check_specs",
    "classifier_for",
    "classifier_identity",
    "default_detectors",
    "default_detectors_text",
    "find_rings",
    "like_edges",
    "load_detectors",
    "measure_quality",
    "normalise",
    "normalise_batch",
    "parse_detectors",
    "register_classifier",
]
