"""A simulation's configuration, its ground truth and what it wrote."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from goodstanding.events import TYPE_NAMES

DAY: Final = 86400
EVENT_TYPES: Final[tuple[str, ...]] = TYPE_NAMES  # the sim emits every type of event


@dataclass(frozen=True)
class SimConfig:
    """The shape of a synthetic community.

    ``ring_count`` defaults to ``max(1, accounts // 2000)`` (but never more rings than fit in
    the accounts) and ``moderators`` to ``max(2, accounts // 2000)``; after construction both
    hold the resolved numbers. ``accounts`` counts members; moderators come on top, and so
    do the second accounts of the few sanctioned members who try to come back under them.
    ``abusive_share`` is the share of members, outside the rings, that post violating
    content. ``late_share`` is the share of engagements, reports and reviews delivered late;
    ``duplicate_share`` the share of events delivered twice.
    """

    accounts: int = 1000
    days: int = 30
    seed: int = 1
    start: datetime = datetime(2026, 1, 5, tzinfo=UTC)
    abusive_share: float = 0.03
    ring_count: int | None = None
    ring_size: int = 8
    moderators: int | None = None
    late_share: float = 0.0005
    duplicate_share: float = 0.0005

    def __post_init__(self) -> None:
        if self.accounts < 1:
            raise ValueError(f"accounts must be at least 1, got {self.accounts}")
        if self.days < 1:
            raise ValueError(f"days must be at least 1, got {self.days}")
        for name in ("abusive_share", "late_share", "duplicate_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("start must be a timezone-aware datetime, got a naive one")
        if self.ring_size < 2:
            raise ValueError(f"ring_size must be at least 2, got {self.ring_size}")
        if self.ring_count is None:
            derived = min(max(1, self.accounts // 2000), self.accounts // self.ring_size)
            object.__setattr__(self, "ring_count", derived)
        elif self.ring_count < 0:
            raise ValueError(f"ring_count must be at least 0, got {self.ring_count}")
        elif self.ring_count * self.ring_size > self.accounts:
            raise ValueError(
                f"ring_count * ring_size = {self.ring_count * self.ring_size} ring members "
                f"do not fit in accounts = {self.accounts}"
            )
        if self.moderators is None:
            object.__setattr__(self, "moderators", max(2, self.accounts // 2000))
        elif self.moderators < 0:
            raise ValueError(f"moderators must be at least 0, got {self.moderators}")


@dataclass
class GroundTruth:
    """What the simulation knows about its own community: who and what is bad.

    ``violating_content`` maps content ids to the rule they truly break. A report is wrong
    (``wrong_reports``) when the content does not break the rule the report names; a review
    is mistaken (``mistaken_reviews``) when its verdict disagrees with the truth. Ring
    members are listed in ``rings`` only, not in ``abusive_accounts``. ``appeals`` maps the
    appeals decided within the period to their outcome (``reversed`` for every mistaken
    review appealed, and for a few lenient calls). ``evasion_attempts`` maps the
    ``identity.submitted`` events of second accounts, which submit the verified identity of
    a sanctioned member typed differently and which the engine must refuse, to that member.
    ``comment_owners`` are the members who hold every comment under their posts for their
    approval (``comment.mode_set`` with ``hold_all`` for all their posts), and
    ``owner_decisions`` maps the comments an owner decided on to ``approved`` or ``rejected``.
    ``direct_sanctions`` maps the ``account.sanctioned`` events (moderators warning ring
    members, and restricting ordinary members by mistake) to their action, and
    ``lifted_sanctions`` lists the ``account.sanction_lifted`` events that undo the mistakes.
    Filled while the events are generated; complete once the iterator is exhausted.
    """

    abusive_accounts: list[str] = field(default_factory=list)
    specialities: dict[str, list[str]] = field(default_factory=dict)
    rings: list[list[str]] = field(default_factory=list)
    moderators: list[str] = field(default_factory=list)
    violating_content: dict[str, str] = field(default_factory=dict)
    obfuscated_content: list[str] = field(default_factory=list)
    wrong_reports: list[str] = field(default_factory=list)
    mistaken_reviews: list[str] = field(default_factory=list)
    late_events: list[str] = field(default_factory=list)
    duplicate_events: list[str] = field(default_factory=list)
    appeals: dict[str, str] = field(default_factory=dict)
    evasion_attempts: dict[str, str] = field(default_factory=dict)
    comment_owners: list[str] = field(default_factory=list)
    owner_decisions: dict[str, str] = field(default_factory=dict)
    direct_sanctions: dict[str, str] = field(default_factory=dict)
    lifted_sanctions: list[str] = field(default_factory=list)

    def bad_accounts(self) -> list[str]:
        """Abusive accounts and ring members together, sorted."""
        return sorted([*self.abusive_accounts, *(a for ring in self.rings for a in ring)])

    def to_dict(self) -> dict[str, object]:
        """The truth as plain JSON-ready data, keyed by field name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GroundTruth:
        """The truth read back from ``to_dict`` data (for example a ``.truth.json`` file)."""
        return cls(
            abusive_accounts=list(data["abusive_accounts"]),
            specialities={k: list(v) for k, v in data["specialities"].items()},
            rings=[list(ring) for ring in data["rings"]],
            moderators=list(data["moderators"]),
            violating_content=dict(data["violating_content"]),
            obfuscated_content=list(data["obfuscated_content"]),
            wrong_reports=list(data["wrong_reports"]),
            mistaken_reviews=list(data["mistaken_reviews"]),
            late_events=list(data["late_events"]),
            duplicate_events=list(data["duplicate_events"]),
            appeals=dict(data.get("appeals", {})),
            evasion_attempts=dict(data.get("evasion_attempts", {})),
            comment_owners=list(data.get("comment_owners", [])),
            owner_decisions=dict(data.get("owner_decisions", {})),
            direct_sanctions=dict(data.get("direct_sanctions", {})),
            lifted_sanctions=list(data.get("lifted_sanctions", [])),
        )


@dataclass(frozen=True)
class SimStats:
    """What ``write_jsonl`` wrote: where, and how many lines of each event type."""

    path: Path
    truth_path: Path
    by_type: dict[str, int]

    @property
    def lines(self) -> int:
        """Lines written, duplicates included."""
        return sum(self.by_type.values())


def truth_path_for(path: str | Path) -> Path:
    """Where the truth of an event file lives: ``x.jsonl`` → ``x.truth.json``."""
    path = Path(path)
    stem = path.name[: -len(".jsonl")] if path.name.endswith(".jsonl") else path.name
    return path.with_name(stem + ".truth.json")


def load_truth(path: str | Path) -> GroundTruth:
    """Reads a ``.truth.json`` file written by ``write_jsonl``."""
    return GroundTruth.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
