"""The detectors of a set of policy versions, built by the shell and handed to the fold.

Files the rules name are read here, once; a version recorded with the SHA-256 of its files
is built only from the same bytes."""

from __future__ import annotations

from goodstanding.detect.detector import Detector
from goodstanding.policy.references import check_files
from goodstanding.policy.versions import PolicySet


def build_detectors(policies: PolicySet, *, check: bool = True) -> dict[str, Detector]:
    """One detector per policy version, by version. Raises PolicyError naming each file that
    differs from what a recorded version was recorded with (unless `check` is false: the
    caller has accepted the changes)."""
    detectors: dict[str, Detector] = {}
    for policy in policies.versions:
        base_dir = policies.base_dirs.get(policy.version)
        recorded = policies.references.get(policy.version)
        if recorded is not None and check:
            check_files(policy, base_dir, recorded)
        rules = [(rule.id, rule.detectors) for rule in policy.rules if rule.detectors]
        detectors[policy.version] = Detector.build(rules, base_dir=base_dir)
    return detectors
