"""Retention of group-chat records: pure rules, no database.

A record at time ``at`` is, at time ``now`` (epoch seconds, UTC):

- **under the minimum** while ``at > now - min_days * 86400``: never deleted, hold or not;
- **retained** between the minimum and the maximum: kept (deletable by law, not yet due);
- **expired** once ``at <= now - max_days * 86400`` (the *cutoff*): deleted by the next purge
  unless a hold covering it is active at ``now``; then it is kept until the hold is lifted.

A hold covers a record when it is on the record's group or on its author. A hold is active
at ``now`` unless it was lifted at or before ``now`` (a hold placed "later" than ``now``
still protects: a clock that runs behind never deletes what someone chose to keep).

Records are grouped in periods, the UTC calendar month of ``at`` ("2026-01"); a period is
*entirely expired* when its end is at or before the cutoff, which holds exactly when its
name sorts before the period of the cutoff.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

DAY = 86_400.0
DEFAULT_MIN_DAYS = 180
DEFAULT_MAX_DAYS = 365

Scope = Literal["group", "account"]
SCOPES: tuple[Scope, ...] = ("group", "account")


def retention_problems(min_days: object, max_days: object) -> list[tuple[str, str]]:
    """What is wrong with a `[records]` table, as (key, message) pairs; empty when valid."""
    problems: list[tuple[str, str]] = []
    numbers: dict[str, float] = {}
    for name, value in (("min_days", min_days), ("max_days", max_days)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append((name, f"must be a number of days, not {type(value).__name__}"))
        elif not math.isfinite(value) or value <= 0:
            problems.append((name, f"must be a positive number of days (got {value!r})"))
        else:
            numbers[name] = float(value)
    if len(numbers) == 2 and numbers["max_days"] < numbers["min_days"]:
        problems.append(
            (
                "max_days",
                f"must be at least min_days ({min_days!r}): records cannot have to be deleted "
                "before they may be",
            )
        )
    return problems


def check_retention(min_days: object, max_days: object) -> list[str]:
    """What is wrong with `[records] min_days` and `max_days`, one message per problem (each
    starting with the key it is about); an empty list when they are valid."""
    return [f"{name} {message}" for name, message in retention_problems(min_days, max_days)]


def period_of(at: float) -> str:
    """The period of a time: its UTC calendar month, "YYYY-MM" (sorts in time order)."""
    if not math.isfinite(at):
        raise ValueError(f"a record time must be a finite number of seconds, not {at!r}")
    try:
        moment = datetime.fromtimestamp(math.floor(at), UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"record time {at!r} is outside the years 1 to 9999") from None
    return f"{moment.year:04d}-{moment.month:02d}"


def period_bounds(period: str) -> tuple[float, float]:
    """The [start, end) of a period in epoch seconds."""
    year, month = int(period[:4]), int(period[5:7])
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start.timestamp(), end.timestamp()


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number of epoch seconds, not {value!r}")
    return value


class Status(StrEnum):
    """Where a record stands at a given time."""

    UNDER_MINIMUM = "under_minimum"
    RETAINED = "retained"
    HELD = "held"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Hold:
    """A legal hold on a group or an account's records: kept, past any maximum, until lifted."""

    id: int
    scope: Scope
    target: str
    reason: str
    placed_by: str
    placed_at: float
    lifted_by: str | None = None
    lifted_at: float | None = None

    def active(self, now: float) -> bool:
        """Whether the hold stops deletion at `now` (not lifted at or before it)."""
        return self.lifted_at is None or self.lifted_at > now

    def covers(self, group_id: str, author_id: str) -> bool:
        """Whether the hold is on this record's group or on its author."""
        return self.target == (group_id if self.scope == "group" else author_id)


@dataclass(frozen=True)
class Retention:
    """How long group-chat records are kept: at least `min_days`, at most `max_days`."""

    min_days: float = DEFAULT_MIN_DAYS
    max_days: float = DEFAULT_MAX_DAYS

    def __post_init__(self) -> None:
        problems = check_retention(self.min_days, self.max_days)
        if problems:
            raise ValueError("invalid records retention: " + "; ".join(problems))

    @property
    def min_seconds(self) -> float:
        """The minimum, in seconds."""
        return self.min_days * DAY

    @property
    def max_seconds(self) -> float:
        """The maximum, in seconds."""
        return self.max_days * DAY

    def cutoff(self, now: float) -> float:
        """Records at or before this time are past the maximum at `now`."""
        return now - self.max_seconds

    def floor(self, now: float) -> float:
        """Records after this time are under the minimum at `now`."""
        return now - self.min_seconds

    def status(self, record_at: float, now: float, holds: Iterable[Hold] = ()) -> Status:
        """Where a record stands; `holds` are the holds covering it (others are ignored only
        if the caller filtered them: see `Hold.covers`)."""
        if _finite(record_at, "record time") > self.floor(_finite(now, "now")):
            return Status.UNDER_MINIMUM
        if record_at > self.cutoff(now):
            return Status.RETAINED
        if any(hold.active(now) for hold in holds):
            return Status.HELD
        return Status.EXPIRED

    def deletable(self, record_at: float, now: float, holds: Iterable[Hold] = ()) -> bool:
        """Whether a purge at `now` deletes the record: past the maximum and no hold among
        `holds` (those covering the record) active. Never true under the minimum."""
        return self.status(record_at, now, holds) is Status.EXPIRED

    def cutoff_period(self, now: float) -> str:
        """The period of the cutoff: exactly the periods sorting before it are entirely past
        the maximum at `now`."""
        cutoff = self.cutoff(_finite(now, "now"))
        try:
            return period_of(cutoff)
        except ValueError:
            return "" if cutoff < 0 else "~"

    def period_expired(self, period: str, now: float) -> bool:
        """Whether every record of `period` is past the maximum at `now`."""
        return period < self.cutoff_period(now)
