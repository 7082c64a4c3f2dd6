"""How well a detector does against a simulation's ground truth.

``measure_quality(events, truth)`` runs the detector (the default configuration unless one
is given) on every posted text and compares what it flags with the content the truth says
breaks a rule. Withheld placeholders (the sim never writes out the gravest content) count
like any other text: a text detector is not expected to find an image.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from goodstanding.detect.config import default_detectors
from goodstanding.detect.detector import Detector


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def _scores(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def _truth_parts(truth: Any) -> tuple[dict[str, str], set[str]]:
    if isinstance(truth, Mapping):
        return dict(truth["violating_content"]), set(truth.get("obfuscated_content", ()))
    return dict(truth.violating_content), set(truth.obfuscated_content)


def measure_quality(
    events: Iterable[Mapping[str, Any]],
    truth: Any,
    detector: Detector | None = None,
    batch_size: int = 4096,
) -> dict[str, Any]:
    """Precision and recall of a detector on a simulated stream.

    ``events`` are event dicts (as ``goodstanding.sim`` yields them); ``truth`` is a
    ``GroundTruth`` or its ``to_dict()`` form. Returns:

    * ``content``: is violating content flagged at all (any rule)?
    * ``rule``: is it flagged for its true rule? (a (content, rule) pair per finding)
    * ``per_rule``: the same per rule id, with ``support`` (truly violating items)
    * ``obfuscated_recall``: recall on items whose marker the sim disguised
    * ``by_kind``: findings per detector kind; ``failures``: detector failures
    * ``texts``: posted texts judged
    """
    detector = detector or Detector.build(default_detectors())
    violating, obfuscated = _truth_parts(truth)
    posts: dict[str, str] = {}
    for event in events:
        if event.get("type") == "content.posted":
            posts.setdefault(str(event["content_id"]), str(event["text"]))
    ids = list(posts)
    predicted: dict[str, set[str]] = {}
    by_kind: dict[str, int] = {}
    failures = 0
    for lo in range(0, len(ids), batch_size):
        chunk = ids[lo : lo + batch_size]
        for content_id, detection in zip(
            chunk, detector.detect_batch([posts[c] for c in chunk]), strict=True
        ):
            failures += len(detection.failures)
            rules = {m.rule_id for m in detection.matches}
            for m in detection.matches:
                by_kind[m.kind] = by_kind.get(m.kind, 0) + 1
            if rules:
                predicted[content_id] = rules
    flagged = set(predicted)
    bad = set(violating) & set(posts)
    content = _scores(len(flagged & bad), len(flagged - bad), len(bad - flagged))
    pairs_true = {(c, violating[c]) for c in bad}
    pairs_pred = {(c, r) for c, rules in predicted.items() for r in rules}
    rule = _scores(
        len(pairs_pred & pairs_true), len(pairs_pred - pairs_true), len(pairs_true - pairs_pred)
    )
    per_rule: dict[str, dict[str, float | int]] = {}
    for rule_id in sorted({r for _, r in pairs_true} | {r for _, r in pairs_pred}):
        t = {p for p in pairs_true if p[1] == rule_id}
        p = {q for q in pairs_pred if q[1] == rule_id}
        per_rule[rule_id] = {**_scores(len(p & t), len(p - t), len(t - p)), "support": len(t)}
    hidden = obfuscated & bad
    return {
        "texts": len(posts),
        "violating": len(bad),
        "content": content,
        "rule": rule,
        "per_rule": per_rule,
        "obfuscated_recall": _ratio(len(hidden & flagged), len(hidden)),
        "by_kind": dict(sorted(by_kind.items())),
        "failures": failures,
    }
