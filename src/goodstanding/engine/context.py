"""What every handler and service of the fold works on: the keyed state, the policy versions,
the detectors built for them, and the detections of the batch being folded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from goodstanding.detect import Detection, Detector
from goodstanding.engine.state import State
from goodstanding.policy.versions import PolicySet


@dataclass
class Context:
    """The fold's inputs besides the event: nothing here is read from disk or a clock."""

    policies: PolicySet
    detectors: Mapping[str, Detector]
    """The detector of each policy version, by version (built by the shell)."""
    state: State = field(default_factory=State)
    detections: dict[str, Detection] = field(default_factory=dict)
    """Detections of the current batch's texts by event id (see `Engine.prepare`)."""
