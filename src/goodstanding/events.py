"""Event types that platforms send, and their validation.

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
from collections.abc import Callable, Iterable, Iterator
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
_AT_FIELD = re.compile(rb'"at"\s*:\s*"(?P<at>[^"]*)"')
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})"
)
_ODD_AT = re.compile(rb'"at"\s*:\s*"(?!' + _RFC3339.pattern.encode() + rb'")')
"""An `at` not written as `_RFC3339` asks, or written with digits other than ASCII ones (which
`_RFC3339` takes): a line with none has every `at` right, with one it is looked at closely."""


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

_decoder = msgspec.json.Decoder(Event)
_encoder = msgspec.json.Encoder()


_AT_PATH = re.compile(r"^(?P<what>.*?)(?: - at `\$\.?(?P<path>[^`]*)`)?$", re.DOTALL)


def _allowed(data: bytes, field: str) -> str:
    """The values a Literal field of the event's type accepts, as `; expected one of: ...`."""
    peeked = _peek(data)
    kind = EVENT_CLASSES.get(str(peeked.get("type"))) if peeked else None
    if kind is None:
        return ""
    hint = typing.get_type_hints(kind).get(field)
    values = [a for a in typing.get_args(hint) if isinstance(a, str)]
    return f"; expected one of: {', '.join(values)}" if values else ""


def _describe(error: msgspec.ValidationError | msgspec.DecodeError, data: bytes) -> str:
    """Turns a msgspec error into a sentence that names the field and what was expected."""
    text = str(error)
    if not isinstance(error, msgspec.ValidationError):
        return f"malformed JSON: {text}"
    match = _AT_PATH.match(text)
    what, path = (match["what"], match["path"]) if match else (text, None)
    if len(what) > 200:
        what = f"{what[:200]}... ({len(what):,} characters)"
    if path == "type" and what.startswith("Invalid value"):
        return f"unknown event type; expected one of: {', '.join(TYPE_NAMES)}"
    if what.startswith("Expected `object`"):
        return f"an event must be a JSON object; {what[0].lower()}{what[1:]}"
    what = what[0].lower() + what[1:]
    if path and what.startswith("invalid enum value"):
        what += _allowed(data, path)
    return f"field `{path}`: {what}" if path else what


def check_size(data: bytes, line: int | None = None, max_bytes: int = MAX_LINE_BYTES) -> None:
    """Raises EventError if a raw line is longer than `max_bytes`."""
    if len(data) > max_bytes:
        raise too_long(len(data), line, max_bytes)


def too_long(size: int, line: int | None = None, max_bytes: int = MAX_LINE_BYTES) -> EventError:
    """The refusal of a line of `size` bytes, longer than `max_bytes`."""
    return EventError(
        f"the line is {size:,} bytes long; at most {max_bytes:,} are accepted",
        line=line,
        reason=f"the line is longer than {max_bytes:,} bytes",
    )


def _check_at_syntax(data: bytes) -> None:
    """Raises ValueError unless every `at` in a raw event is written as RFC 3339 requires
    (the decoder alone also takes forms such as `+0800` or a space for `T`); worth calling
    only where `_ODD_AT` finds one that may not be."""
    for found in _AT_FIELD.finditer(data):
        text = found["at"].decode("utf-8", "replace")
        if not _RFC3339.fullmatch(text):
            raise ValueError(
                f"field `at`: {brief(text)} is not an RFC 3339 timestamp "
                "(YYYY-MM-DDTHH:MM:SS[.fraction] and Z or an offset such as +08:00)"
            )


def decode_event(
    raw: bytes | str, line: int | None = None, max_bytes: int = MAX_LINE_BYTES
) -> Event:
    """Decodes and validates one JSON event; raises EventError naming the line and field."""
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > max_bytes:
        check_size(data, line, max_bytes)
    try:
        event: Event = _decoder.decode(data)
        if _ODD_AT.search(data) is not None:
            _check_at_syntax(data)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        event_id = _peek_id(data)
        raise EventError(_describe(error, data), line=line, event_id=event_id) from None
    except ValueError as error:
        raise EventError(str(error), line=line, event_id=_peek_id(data)) from None
    except RecursionError:
        raise EventError("the JSON is nested too deeply for an event", line=line) from None
    return event


def _peek(data: bytes) -> dict[str, object] | None:
    """A raw event as a plain object, if it is one (for error messages)."""
    try:
        obj = msgspec.json.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def _peek_id(data: bytes) -> str | None:
    """The `id` of a raw event if it is a usable identifier, for error messages."""
    value = (_peek(data) or {}).get("id")
    return value if isinstance(value, str) and id_problem(value) is None else None


def encode_event(event: Event) -> bytes:
    """The canonical JSON bytes of an event (the form written to the log and hashed)."""
    return _encoder.encode(event)


def utc(at: datetime) -> datetime:
    """The same instant in UTC."""
    return at.astimezone(UTC)


def epoch(at: datetime) -> float:
    """Seconds since the Unix epoch of an aware timestamp."""
    return at.timestamp()


class ParsedLine(msgspec.Struct, frozen=True):
    """The outcome of reading one line of a JSON Lines stream: an event or an error."""

    line: int
    event: Event | None
    error: EventError | None


def read_lines(
    lines: Iterable[bytes | str], max_bytes: int = MAX_LINE_BYTES
) -> Iterator[ParsedLine]:
    """Decodes a JSON Lines stream; blank lines are skipped, bad lines yield their error."""
    for number, raw in enumerate(lines, start=1):
        data = raw.encode() if isinstance(raw, str) else raw
        if not data or data.isspace():
            continue
        try:
            yield ParsedLine(number, decode_event(data, line=number, max_bytes=max_bytes), None)
        except EventError as error:
            yield ParsedLine(number, None, error)
