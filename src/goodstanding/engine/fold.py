"""The fold: one event, the keyed state it touches and the policy in force give effects.

Deterministic and free of I/O: time is the event's `at`, never a clock; no randomness; the
detectors are built by the shell and handed in. `Engine.apply` validates first and changes
nothing when it refuses an event (`Rejected`), so the shell can keep the log and the state
in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from goodstanding.detect import Detector
from goodstanding.engine import admins
from goodstanding.engine.base import Rejected, iso
from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect
from goodstanding.engine.registry import HANDLERS
from goodstanding.engine.state import State
from goodstanding.events import ContentPosted, Event
from goodstanding.policy.model import Policy
from goodstanding.policy.versions import PolicySet


class Engine:
    """Folds events into keyed state under a set of policy versions and their detectors."""

    def __init__(
        self, policies: PolicySet, detectors: Mapping[str, Detector], state: State | None = None
    ):
        missing = [p.version for p in policies.versions if p.version not in detectors]
        if missing:
            raise ValueError(f"no detector was handed in for policy version(s) {missing}")
        self.policies = policies
        self.context = Context(policies, detectors, state if state is not None else State())
        self._folds = {event_type: handler.fold for event_type, handler in HANDLERS.items()}

    @property
    def state(self) -> State:
        """The keyed state the fold reads and updates."""
        return self.context.state

    @state.setter
    def state(self, state: State) -> None:
        self.context.state = state

    def policy_at(self, t: float) -> Policy | None:
        """The policy version in force at epoch time t."""
        return self.policies.at_epoch(t)

    def texts_by_version(self, events: Iterable[Event]) -> dict[str, list[ContentPosted]]:
        """The posts of a batch that have a text to detect in, by the policy version in force
        when each was posted."""
        texts: dict[str, list[ContentPosted]] = {}
        for event in events:
            if isinstance(event, ContentPosted) and event.text.strip():
                policy = self.policy_at(event.at.timestamp())
                if policy is not None:
                    texts.setdefault(policy.version, []).append(event)
        return texts

    def prepare(self, events: Iterable[Event]) -> None:
        """Runs the detectors over the texts of a batch at once (much faster than one by one;
        the same results), for `apply` to use; forgets those of the batch before."""
        self.context.detections.clear()
        for version, posted in self.texts_by_version(events).items():
            found = self.context.detectors[version].detect_batch([e.text for e in posted])
            self.context.detections.update(zip((e.id for e in posted), found, strict=True))

    def apply(self, event: Event) -> list[Effect]:
        """Applies one event; returns its effects, or raises Rejected having changed nothing."""
        t = event.at.timestamp()
        policy = self.policies.at_epoch(t)
        if policy is None:
            first = self.policies.versions[0]
            raise Rejected(
                f"no policy version is in force at {iso(t)}; the earliest "
                f"({first.version}) starts at {iso(first.effective_from.timestamp())}"
            )
        ctx = self.context
        ctx.state.touched.clear()
        effects = self._folds[type(event)](ctx, event, t, policy)
        if ctx.state.touched:
            effects += admins.review_admins(ctx, list(ctx.state.touched), event.id, t, policy)
        return effects
