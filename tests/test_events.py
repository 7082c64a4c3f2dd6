"""Event decoding: every refusal names the field and what was expected."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goodstanding.event_lines import decode_event, encode_event, read_lines
from goodstanding.events import EventError

OK = b'{"id":"e1","type":"account.registered","at":"2026-01-01T00:00:00Z","actor":"a1"}'


def error(raw: bytes) -> str:
    with pytest.raises(EventError) as caught:
        decode_event(raw, line=7)
    return str(caught.value)


def test_valid_event_round_trips_canonically() -> None:
    event = decode_event(OK)
    assert decode_event(encode_event(event)) == event
    assert encode_event(event) == encode_event(decode_event(encode_event(event)))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"{bad", "line 7: malformed JSON"),
        (b"[1,2]", "line 7: an event must be a JSON object"),
        (
            OK.replace(b"account.registered", b"account.deleted"),
            "line 7: event 'e1': unknown event type; expected one of: account.registered",
        ),
        (
            OK.replace(b'"2026-01-01T00:00:00Z"', b'"2026-01-01T00:00:00"'),
            "`at` must be an RFC 3339 timestamp with an offset",
        ),
        (OK.replace(b'"2026-01-01T00:00:00Z"', b'"yesterday"'), "field `at`: invalid RFC3339"),
        (OK.replace(b'"a1"', b"17"), "field `actor`: expected `str`, got `int`"),
        (OK.replace(b',"actor":"a1"', b""), "object missing required field `actor`"),
        (OK.replace(b'"a1"', b'" a1"'), "`actor` ' a1' contains U+0020"),
        (OK.replace(b'"a1"}', b'"a1","extra":1}'), "object contains unknown field `extra`"),
        (
            b'{"id":"e2","type":"content.engaged","at":"2026-01-01T00:00:00Z","actor":"a",'
            b'"content_id":"c","kind":"love"}',
            "field `kind`: invalid enum value 'love'; expected one of: like, share",
        ),
        (
            b'{"id":"e3","type":"content.posted","at":"2026-01-01T00:00:00Z","actor":"a",'
            b'"content_id":"c","kind":"comment","text":"x"}',
            "a comment needs `parent_id`",
        ),
        (
            b'{"id":"e4","type":"content.posted","at":"2026-01-01T00:00:00Z","actor":"a",'
            b'"content_id":"c","kind":"post","text":"x","group_id":"g"}',
            "`group_id` is only for",
        ),
    ],
)
def test_refusals_are_precise(raw: bytes, expected: str) -> None:
    assert expected in error(raw)


def test_offsets_are_kept_as_instants() -> None:
    a = decode_event(OK.replace(b"2026-01-01T00:00:00Z", b"2026-01-01T08:00:00+08:00"))
    b = decode_event(OK)
    assert a.at == b.at


def test_read_lines_numbers_lines_and_skips_blanks() -> None:
    parsed = list(read_lines([OK, b"", b"   ", b"{oops", OK.replace(b"e1", b"e2")]))
    assert [(p.line, p.error is None) for p in parsed] == [(1, True), (4, False), (5, True)]


@given(st.binary(max_size=200))
def test_any_bytes_give_an_event_or_a_precise_error(raw: bytes) -> None:
    try:
        decode_event(raw, line=1)
    except EventError as caught:
        assert caught.line == 1 and caught.message


def test_an_event_errors_reason_leaves_out_its_values() -> None:
    from goodstanding.events import EventError

    one = EventError("content id 'c1' is already used at 2026-01-01T00:00:00Z", line=3)
    two = EventError("content id 'c22' is already used at 2026-02-01T10:00:00+08:00", line=9)
    assert one.reason == two.reason == "content id ... is already used at ..."
