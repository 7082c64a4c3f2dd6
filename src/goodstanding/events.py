"""Event types that platforms send, and their validation (decoding a line: event_lines.py).

Events arrive as JSON Lines. Every event has an ``id`` (the idempotency key), a ``type``,
an ``at`` timestamp (RFC 3339 with an offset) and an ``actor`` (the account that acted).
Decoding is strict: unknown types, missing or mistyped fields and naive timestamps are
refused with an error that names the field and what was expected.

Every input is bounded (see docs/events.md, "Limits"): a line is at most `MAX_LINE_BYTES`
(configurable by the caller), an identifier at most `MAX_ID_LENGTH` printable characters
without spaces, controls, format (bidi, zero-width) or other invisible characters, `at` an
RFC 3339 timestamp within `EARLIEST`..`LATEST`, and no string holds a NUL. An error quotes at
most a short prefix of an offending value.
"""

from __future__ import annotations

import functools
import math
import operator
import re
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Literal, NamedTuple

import msgspec

from goodstanding.policy.conditions import ATTRIBUTE_NAME
from goodstanding.policy.model import CommentMode

MAX_ID_LENGTH = 128
MAX_LINE_BYTES = 1 << 20
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
"""Events must be dated at or after EARLIEST and before LATEST."""
QUOTE_LIMIT = 40
MAX_ATTRIBUTES = 32
MAX_ATTRIBUTE_STRING = 1024
MAX_ATTRIBUTE_LIST = 256
MAX_NOTE = 2000
"""A moderator's statement of facts on a sanction or its lifting, in characters."""
MAX_SANCTION_DAYS = 3650
MAX_SANCTION_ID = 500
Scalar = str | int | float | bool
Attributes = dict[str, Scalar | list[Scalar]]
"""Platform-specific fields of an event that rules can test (see docs/events.md)."""
ID_FIELDS = frozenset(
    {
        "id",
        "actor",
        "content_id",
        "parent_id",
        "group_id",
        "rule",
        "member",
        "account",
        "submission",
        "appeal_id",
        "decision_id",
    }
)
"""The fields that name something (an event, account, content item, group, rule...)."""


def brief(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A value quoted for an error message: its repr, cut to a short prefix when long (a
    string's prefix quoted whole, so that lines refused alike share their `reason_of`)."""
    text = repr(value)
    if len(text) <= limit:
        return text
    if isinstance(value, str | bytes):
        return f"{value[: limit - 2]!r}... ({len(value):,} characters)"
    return f"{text[:limit]}..."


def id_problem(value: str) -> str | None:
    """Why a value cannot be an identifier, or None if it can."""
    if not value:
        return "must not be empty"
    if len(value) > MAX_ID_LENGTH:
        return f"is {len(value):,} characters long; at most {MAX_ID_LENGTH} are allowed"
    if not value.isprintable() or " " in value:
        bad = next(c for c in value if not c.isprintable() or c == " ")
        return (
            f"contains U+{ord(bad):04X}; identifiers are printable characters without "
            "spaces, controls or invisible (format, bidi) characters"
        )
    return None


def attributes_problem(attributes: Attributes) -> str | None:
    """Why an `attributes` object is out of bounds, or None if it is not."""
    if len(attributes) > MAX_ATTRIBUTES:
        return f"has {len(attributes)} keys; at most {MAX_ATTRIBUTES} are allowed"
    for name, value in attributes.items():
        if not ATTRIBUTE_NAME.fullmatch(name):
            return (
                f"key {brief(name)} must be a letter or '_' then letters, digits or '_' "
                "(at most 64 characters)"
            )
        if isinstance(value, list) and len(value) > MAX_ATTRIBUTE_LIST:
            return f"`{name}` has {len(value):,} items; at most {MAX_ATTRIBUTE_LIST} are allowed"
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and len(item) > MAX_ATTRIBUTE_STRING:
                return (
                    f"`{name}` holds a string of {len(item):,} characters; "
                    f"at most {MAX_ATTRIBUTE_STRING} are allowed"
                )
            if isinstance(item, str) and "\x00" in item:
                return f"`{name}` contains a NUL character (U+0000)"
            if isinstance(item, float) and not math.isfinite(item):
                return f"`{name}` holds {item!r}; numbers must be finite"
    return None


_VARIABLE = re.compile(
    r"(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")(?:\.\.\. \([\d,]+ characters\))?"
    r"|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)?| \([\d,]+ characters\)"
)
"""Per-line values in a message: quoted values (whole or a prefix of one, see `brief`),
timestamps, lengths."""


@functools.lru_cache(maxsize=4096)
def reason_of(message: str) -> str:
    """A message with its per-line values (quoted values, timestamps) replaced by '...': what
    lines refused for the same reason share."""
    return _VARIABLE.sub("...", message)


class EventError(ValueError):
    """An event that cannot be accepted, with the line it came from (1-based, if known), and
    its `reason`: the message without per-line values, the same for lines refused alike."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        event_id: str | None = None,
        reason: str | None = None,
    ):
        self.message = message
        self.line = line
        self.event_id = event_id
        self.reason = reason or reason_of(message)
        where = f"line {line}: " if line is not None else ""
        ident = f"event {brief(event_id)}: " if event_id else ""
        super().__init__(f"{where}{ident}{message}")


class _Event(
    msgspec.Struct, frozen=True, kw_only=True, tag_field="type", forbid_unknown_fields=True
):
    """Fields every event carries."""

    id: str
    at: datetime
    actor: str

    def __post_init__(self) -> None:
        at = self.at
        if at.utcoffset() is None:
            raise ValueError("`at` must be an RFC 3339 timestamp with an offset (e.g. 'Z')")
        if not 1970 < at.year < 2099:  # within a day of the range, where offsets matter
            _check_range(at)
        checks = _CHECKS[type(self)]
        for value in checks.identifiers(self):
            if value is not None and not (
                value and len(value) <= MAX_ID_LENGTH and value.isprintable() and " " not in value
            ):
                _refuse_text(self, checks.fields)
        for value in checks.texts(self):
            if value is not None and "\x00" in value:
                _refuse_text(self, checks.fields)


def _check_range(at: datetime) -> None:
    """Raises ValueError unless `at` lies within EARLIEST..LATEST."""
    try:
        in_range = EARLIEST <= at < LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise ValueError(
            f"`at` {at.isoformat()} is outside the accepted range "
            f"{EARLIEST:%Y-%m-%dT%H:%M:%SZ} to {LATEST:%Y-%m-%dT%H:%M:%SZ} (exclusive)"
        )


def _refuse_text(event: _Event, fields: tuple[tuple[str, bool], ...]) -> None:
    """Raises ValueError for the first of an event's string fields (in order) that is not a
    usable identifier where it names something, or holds a NUL elsewhere."""
    for name, names_something in fields:
        value = getattr(event, name)
        if not isinstance(value, str):
            continue
        if names_something:
            problem = id_problem(value)
            if problem is not None:
                raise ValueError(f"`{name}` {brief(value)} {problem}")
        elif "\x00" in value:
            raise ValueError(f"`{name}` contains a NUL character (U+0000)")


def _check_attributes(attributes: Attributes | None) -> None:
    problem = attributes_problem(attributes) if attributes is not None else None
    if problem is not None:
        raise ValueError(f"`attributes` {problem}")


class SealedIdentity(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An identifier as logged: its kind and keyed fingerprints, or why it is invalid."""

    kind: str
    fingerprints: tuple[str, ...] = ()
    invalid: str | None = None
    invalid_message: str | None = None


class AccountRegistered(_Event, frozen=True, kw_only=True, tag="account.registered"):
    """A new account on the platform; ``role`` is member or moderator. An `identity` given at
    registration is sealed at ingest (fingerprints replace the value) and checked against
    the block list."""

    role: Literal["member", "moderator"] = "member"
    identity: SealedIdentity | None = None


class ContentPosted(_Event, frozen=True, kw_only=True, tag="content.posted"):
    """A post, a comment (with ``parent_id``) or a group message (with ``group_id``)."""

    content_id: str
    kind: Literal["post", "comment", "message"]
    text: str
    parent_id: str | None = None
    group_id: str | None = None
    text_record: Literal["sealed"] | None = None
    """Set by goodstanding in the log: the message's text is kept, encrypted, in the group-chat
    records (deleted after the retention period), not in the log."""
    attributes: Attributes | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_attributes(self.attributes)
        if self.kind == "comment" and not self.parent_id:
            raise ValueError("a comment needs `parent_id`")
        if self.kind != "comment" and self.parent_id is not None:
            raise ValueError(f"`parent_id` is only for comments, not for kind {self.kind!r}")
        if self.kind == "message" and not self.group_id:
            raise ValueError("a group message needs `group_id`")
        if self.text_record is not None and (self.kind != "message" or self.text):
            raise ValueError("`text_record` is written by goodstanding in its log, not sent")
        if self.kind != "message" and self.group_id is not None:
            raise ValueError(f"`group_id` is only for group messages, not for kind {self.kind!r}")


class ContentEngaged(_Event, frozen=True, kw_only=True, tag="content.engaged"):
    """A like or a share of a content item."""

    content_id: str
    kind: Literal["like", "share"]
    attributes: Attributes | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_attributes(self.attributes)


class ContentReported(_Event, frozen=True, kw_only=True, tag="content.reported"):
    """An account reports a content item as breaking the rule it names."""

    content_id: str
    rule: str
    note: str | None = None


class ReviewDecided(_Event, frozen=True, kw_only=True, tag="review.decided"):
    """A moderator's verdict on a content item: it violates ``rule``, or it is clear."""

    content_id: str
    rule: str
    verdict: Literal["violates", "clear"]
    note: str | None = None


class CommentModeSet(_Event, frozen=True, kw_only=True, tag="comment.mode_set"):
    """An account sets how comments under its posts are published: `open`, `hold_flagged`
    (comments a detector flags wait for the owner) or `hold_all` (every comment waits);
    for all its posts, or for the one named by `content_id`."""

    mode: CommentMode
    content_id: str | None = None


class CommentApproved(_Event, frozen=True, kw_only=True, tag="comment.approved"):
    """The owner of a post publishes a comment that was waiting under it."""

    content_id: str


class CommentRejected(_Event, frozen=True, kw_only=True, tag="comment.rejected"):
    """The owner of a post keeps a comment under it from being shown."""

    content_id: str
    note: str | None = None


class GroupCreated(_Event, frozen=True, kw_only=True, tag="group.created"):
    """The actor creates a group chat and becomes its owner."""

    group_id: str
    name: str = ""


class GroupJoined(_Event, frozen=True, kw_only=True, tag="group.joined"):
    """The actor joins a group as a member."""

    group_id: str


class GroupLeft(_Event, frozen=True, kw_only=True, tag="group.left"):
    """The actor leaves a group."""

    group_id: str


class GroupRoleChanged(_Event, frozen=True, kw_only=True, tag="group.role_changed"):
    """The actor (the group's owner or an acting admin) gives `member` a role."""

    group_id: str
    member: str
    role: Literal["owner", "admin", "member"]


class IdentitySubmitted(_Event, frozen=True, kw_only=True, tag="identity.submitted"):
    """An identifier submitted for `account`, as logged: the raw value was replaced at ingest by
    its keyed `fingerprints` (current key first), or by `invalid` and why."""

    account: str
    kind: str
    fingerprints: tuple[str, ...] = ()
    invalid: str | None = None
    invalid_message: str | None = None


class IdentityVerified(_Event, frozen=True, kw_only=True, tag="identity.verified"):
    """The platform's own check confirmed a submission (`submission`: its event id)."""

    account: str
    submission: str
    method: str | None = None


class IdentityRejected(_Event, frozen=True, kw_only=True, tag="identity.rejected"):
    """The platform's own check refused a submission."""

    account: str
    submission: str
    reason: str | None = None


SanctionAction = Literal["warning", "restriction", "revoke_group_admin", "suspension", "ban"]
"""The steps of the ladder a moderator may impose directly (the policy's own actions)."""


class AccountSanctioned(_Event, frozen=True, kw_only=True, tag="account.sanctioned"):
    """A moderator imposes a step of the published ladder on an account directly: `action`,
    for `days` where the step has an end, citing the rule in force that the account's
    conduct broke and stating the facts in `note` (the statement of reasons quotes both)."""

    account: str
    action: SanctionAction
    rule: str
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NOTE)]
    days: Annotated[float, msgspec.Meta(gt=0, le=MAX_SANCTION_DAYS)] | None = None


class AccountSanctionLifted(_Event, frozen=True, kw_only=True, tag="account.sanction_lifted"):
    """A moderator lifts a sanction that binds an account before its end, saying why."""

    account: str
    sanction_id: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_SANCTION_ID)]
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NOTE)]


class AppealFiled(_Event, frozen=True, kw_only=True, tag="appeal.filed"):
    """The affected account contests a decision (`decision_id`: the review's event id)."""

    appeal_id: str
    decision_id: str
    reason: str = ""


class AppealDecided(_Event, frozen=True, kw_only=True, tag="appeal.decided"):
    """A moderator decides an appeal: the decision is `upheld` or `reversed`."""

    appeal_id: str
    outcome: Literal["upheld", "reversed"]
    note: str | None = None


Event = (
    AccountRegistered
    | ContentPosted
    | ContentEngaged
    | ContentReported
    | ReviewDecided
    | CommentModeSet
    | CommentApproved
    | CommentRejected
    | GroupCreated
    | GroupJoined
    | GroupLeft
    | GroupRoleChanged
    | AccountSanctioned
    | AccountSanctionLifted
    | AppealFiled
    | AppealDecided
    | IdentitySubmitted
    | IdentityVerified
    | IdentityRejected
)

EVENT_TYPES: tuple[type[_Event], ...] = (
    AccountRegistered,
    ContentPosted,
    ContentEngaged,
    ContentReported,
    ReviewDecided,
    CommentModeSet,
    CommentApproved,
    CommentRejected,
    GroupCreated,
    GroupJoined,
    GroupLeft,
    GroupRoleChanged,
    AccountSanctioned,
    AccountSanctionLifted,
    AppealFiled,
    AppealDecided,
    IdentitySubmitted,
    IdentityVerified,
    IdentityRejected,
)


class _StringChecks(NamedTuple):
    """The string fields of an event type (not one of a Literal's), in order, each with
    whether it names something (see ID_FIELDS); and getters of the values of each kind."""

    fields: tuple[tuple[str, bool], ...]
    identifiers: Callable[[_Event], tuple[str | None, ...]]
    texts: Callable[[_Event], tuple[str | None, ...]]


def _values(names: list[str]) -> Callable[[_Event], tuple[str | None, ...]]:
    """A getter of the named fields' values, as a tuple."""
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return lambda event: (one(event),)
    if not names:
        return lambda event: ()
    return operator.attrgetter(*names)


def _string_checks(event_type: type[_Event]) -> _StringChecks:
    """What `_Event.__post_init__` checks of an event type's string fields."""
    hints = typing.get_type_hints(event_type)
    fields = tuple(
        (name, name in ID_FIELDS)
        for name in event_type.__struct_fields__
        if hints[name] in (str, str | None)
    )
    return _StringChecks(
        fields,
        _values([name for name, names_something in fields if names_something]),
        _values([name for name, names_something in fields if not names_something]),
    )


_CHECKS = {event_type: _string_checks(event_type) for event_type in EVENT_TYPES}
EVENT_CLASSES: dict[str, type[_Event]] = {str(t.__struct_config__.tag): t for t in EVENT_TYPES}
TYPE_NAMES: tuple[str, ...] = tuple(EVENT_CLASSES)
