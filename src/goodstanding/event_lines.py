"""Events as JSON Lines: decoding one line (every refusal an `EventError` that names the line
and the field), reading a stream of lines, and the canonical bytes of an event (the form the
log stores and hashes). The types and their checks are in events.py."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable, Iterator

import msgspec

from goodstanding.events import (
    EVENT_CLASSES,
    MAX_LINE_BYTES,
    TYPE_NAMES,
    Event,
    EventError,
    brief,
    id_problem,
)

_AT_FIELD = re.compile(rb'"at"\s*:\s*"(?P<at>[^"]*)"')
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})"
)
_ODD_AT = re.compile(rb'"at"\s*:\s*"(?!' + _RFC3339.pattern.encode() + rb'")')
"""An `at` not written as `_RFC3339` asks, or written with digits other than ASCII ones (which
`_RFC3339` takes): a line with none has every `at` right, with one it is looked at closely."""

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
