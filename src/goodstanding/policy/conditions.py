"""Rule conditions: a rule's `[rules.when]` table, on the account, the act and the event's
`attributes`, all ANDed with the rule's detectors; and their evaluation on the facts of an
act (pure: the fold builds the facts from the state it holds, the event's time is the clock).

    [rules.when]
    account_age_days_lt = 7
    has_link = true
    kind_in = ["post", "comment"]

    [[rules.when.attribute]]
    name = "mentions"
    len_gt = 5
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import msgspec

PathPart = str | int
Scalar = str | int | float | bool
REVIEWED = ("label", "queue", "hide")
"""The outcomes a match on conditions alone may have: none decides without a person."""
LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
"""An event attribute's name: a letter or '_', then letters, digits or '_' (64 at most)."""


def has_link(text: str) -> bool:
    """Whether a text holds a link (what the `post_links` privilege is about)."""
    return LINK.search(text) is not None


class AttributeTest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One test of an event attribute; an attribute the event lacks fails every test.
    `len_*` test a list's or a string's length; `gt`/`gte`/`lt`/`lte` a number."""

    name: str
    eq: Scalar | None = None
    in_: tuple[Scalar, ...] | None = msgspec.field(default=None, name="in")
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    len_gt: int | None = None
    len_lt: int | None = None

    def holds(self, value: object) -> bool:
        """Whether an attribute's value (None: absent) passes every test given."""
        if value is None:
            return False
        if self.eq is not None and not _same(value, self.eq):
            return False
        if self.in_ is not None and not any(_same(value, item) for item in self.in_):
            return False
        if self.len_gt is not None or self.len_lt is not None:
            if not isinstance(value, list | str):
                return False
            if self.len_gt is not None and not len(value) > self.len_gt:
                return False
            if self.len_lt is not None and not len(value) < self.len_lt:
                return False
        bounds = (self.gt, self.gte, self.lt, self.lte)
        if any(b is not None for b in bounds):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            gt, gte, lt, lte = bounds
            return (
                (gt is None or value > gt)
                and (gte is None or value >= gte)
                and (lt is None or value < lt)
                and (lte is None or value <= lte)
            )
        return True


def _same(value: object, expected: Scalar) -> bool:
    """Equality that does not take True for 1."""
    return isinstance(value, bool) == isinstance(expected, bool) and value == expected


class Conditions(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A rule's `when` table: every condition given must hold for the rule to match."""

    account_age_days_lt: float | None = None
    account_age_days_gte: float | None = None
    band_in: tuple[str, ...] | None = None
    verified: bool | None = None
    strikes_gte: int | None = None
    strikes_lt: int | None = None
    kind_in: tuple[Literal["post", "comment", "message"], ...] | None = None
    in_group: bool | None = None
    has_link: bool | None = None
    attribute: tuple[AttributeTest, ...] = ()
    outcome: str = "queue"
    """What a match on conditions alone does (a rule without text detectors): never an
    automatic decision, a person reviews it."""


@dataclass(frozen=True)
class Facts:
    """What conditions are tested against: the author at the act's time, and the act."""

    account_age_days: float
    band: str
    verified: bool
    strikes: int
    kind: str
    in_group: bool
    has_link: bool
    attributes: Mapping[str, object]


def holds(when: Conditions, facts: Facts) -> bool:
    """Whether every condition of a `when` table holds for an act."""
    checks = (
        when.account_age_days_lt is None or facts.account_age_days < when.account_age_days_lt,
        when.account_age_days_gte is None or facts.account_age_days >= when.account_age_days_gte,
        when.band_in is None or facts.band in when.band_in,
        when.verified is None or facts.verified == when.verified,
        when.strikes_gte is None or facts.strikes >= when.strikes_gte,
        when.strikes_lt is None or facts.strikes < when.strikes_lt,
        when.kind_in is None or facts.kind in when.kind_in,
        when.in_group is None or facts.in_group == when.in_group,
        when.has_link is None or facts.has_link == when.has_link,
    )
    return all(checks) and all(t.holds(facts.attributes.get(t.name)) for t in when.attribute)


def describe(when: Conditions) -> tuple[str, ...]:
    """The conditions given, as evidence lines (`account_age_days_lt = 7`)."""
    lines = [
        f"{name} = {value!r}"
        for name in Conditions.__struct_fields__
        if name not in ("attribute", "outcome") and (value := getattr(when, name)) is not None
    ]
    for test in when.attribute:
        given = {
            field.rstrip("_"): getattr(test, field)
            for field in AttributeTest.__struct_fields__
            if field != "name" and getattr(test, field) is not None
        }
        lines += [f"attribute {test.name}: " + ", ".join(f"{k} {v!r}" for k, v in given.items())]
    return tuple(lines)


def condition_problems(
    when: Conditions, bands: Sequence[str]
) -> Iterable[tuple[list[PathPart], str]]:
    """What a type system cannot check in a `when` table, by key path within it."""
    if when.outcome not in REVIEWED:
        yield (
            ["outcome"],
            (
                f"must be one of {', '.join(REVIEWED)}: a match on conditions alone is reviewed by "
                "a person, never decided automatically"
            ),
        )
    for key in ("account_age_days_lt", "account_age_days_gte"):
        value = getattr(when, key)
        if value is not None and value < 0:
            yield [key], "must be zero or positive"
    for key in ("strikes_gte", "strikes_lt"):
        value = getattr(when, key)
        if value is not None and value < 0:
            yield [key], "must be zero or positive"
    for j, band in enumerate(when.band_in or ()):
        if band not in bands:
            yield ["band_in", j], f"unknown band {band!r}; the policy's bands: {', '.join(bands)}"
    for j, test in enumerate(when.attribute):
        here: list[PathPart] = ["attribute", j]
        if not ATTRIBUTE_NAME.fullmatch(test.name):
            yield [*here, "name"], "must be an attribute name: a letter or '_', then letters, "
            "digits or '_' (at most 64 characters)"
        tests = [f for f in AttributeTest.__struct_fields__ if f != "name"]
        if all(getattr(test, f) is None for f in tests):
            yield here, "needs a test: eq, in, gt, gte, lt, lte, len_gt or len_lt"
        for key in ("len_gt", "len_lt"):
            value = getattr(test, key)
            if value is not None and value < 0:
                yield [*here, key], "must be zero or positive"
