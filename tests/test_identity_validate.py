"""Validation and canonicalisation of identifiers (goodstanding.identity.validate)."""

from __future__ import annotations

import datetime as dt

import phonenumbers
import pytest
from stdnum.cn import ric as stdnum_ric

from goodstanding.identity import (
    REASONS,
    Canonical,
    IdentifierError,
    canonical_kind,
    is_known_kind,
    validate,
)


def make_ric(area: str = "110101", born: str = "19900307", seq: str = "123") -> str:
    """A resident number with a correct check digit."""
    body = f"{area}{born}{seq}"
    return body + stdnum_ric.calc_check_digit(body + "0")


def wrong_check(number: str) -> str:
    digits = "0123456789X"
    return number[:-1] + digits[(digits.index(number[-1]) + 1) % len(digits)]


def reason_of(kind: str, value: str, region: str | None = None, **options: object) -> str:
    with pytest.raises(IdentifierError) as caught:
        validate(kind, value, region, **options)  # type: ignore[arg-type]
    error = caught.value
    assert error.reason in REASONS
    assert error.message
    if isinstance(value, str) and value.strip():
        assert value.strip() not in str(error), "the value leaked"
    return error.reason


# -- cn.ric ------------------------------------------------------------------------------------

X_RIC = next(make_ric(seq=f"{s:03d}") for s in range(1000) if make_ric(seq=f"{s:03d}")[-1] == "X")


def test_valid_ric_is_compact_upper_case() -> None:
    number = make_ric()
    canonical = validate("cn.ric", number)
    assert canonical == Canonical("cn.ric", number)
    assert number not in repr(canonical)


@pytest.mark.parametrize(
    "typed",
    [
        "{n}",
        " {n} ",
        "{a} {b} {c}",
        "{a}-{b}-{c}",
        "{a} - {b} - {c}",
        "{lower}",
        "{fullwidth}",
    ],
)
def test_ric_typed_differently_is_one_canonical(typed: str) -> None:
    n = X_RIC
    text = typed.format(
        n=n,
        a=n[:6],
        b=n[6:14],
        c=n[14:],
        lower=n.lower(),
        fullwidth="".join(chr(ord(c) + 0xFEE0) for c in n),
    )
    assert validate("CN.RIC", text) == Canonical("cn.ric", n)


def test_ric_for_an_area_created_after_the_birth_year_is_accepted() -> None:
    # Tianhe (440106) dates from 1985; a person born in 1970 registered there has this code.
    number = make_ric("440106", "19700101")
    assert validate("cn.ric", number).value == number


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("11010119900307123", "wrong_length"),
        ("1101011990030712345", "wrong_length"),
        ("", "wrong_length"),
        ("1" * 300, "wrong_length"),
        ("11010119900307123A", "invalid_format"),
        ("X10101199003071234", "invalid_format"),
        ("1101011990030712.3", "invalid_format"),
        (wrong_check(make_ric()), "bad_check_digit"),
        (make_ric(born="19900230"), "impossible_birth_date"),
        (make_ric(born="19901301"), "impossible_birth_date"),
        (make_ric(born="19900000"), "impossible_birth_date"),
        (make_ric(born="18500101"), "impossible_birth_date"),
        (make_ric(area="999999"), "unknown_region"),
        (make_ric(area="100000"), "unknown_region"),
    ],
)
def test_malformed_ric(value: str, reason: str) -> None:
    assert reason_of("cn.ric", value) == reason


def test_ric_birth_date_after_as_of_is_impossible() -> None:
    number = make_ric(born="20240601")
    assert validate("cn.ric", number, as_of=dt.date(2024, 6, 1)).value == number
    assert reason_of("cn.ric", number, as_of=dt.date(2024, 5, 31)) == "impossible_birth_date"


# -- cn.uscc and other python-stdnum kinds --------------------------------------------------------


def test_uscc() -> None:
    assert validate("cn.uscc", "9111 0000 6000 3734 1l").value == "91110000600037341L"
    assert reason_of("cn.uscc", "91110000600037341M") == "bad_check_digit"
    assert reason_of("cn.uscc", "9111000060003734") == "wrong_length"
    assert reason_of("cn.uscc", "91110000600037341I") == "invalid_format"


@pytest.mark.parametrize(
    ("kind", "typed", "canonical"),
    [
        ("nl.bsn", "1112.22.333", "111222333"),
        ("es.dni", "54362315-k", "54362315K"),
        ("de.idnr", "36 574 261 809", "36574261809"),
        ("us.ssn", "536-90-4399", "536904399"),
        ("iban", "GR16 0110 1250 0000 0001 2300 695", "GR1601101250000000012300695"),
    ],
)
def test_stdnum_kinds(kind: str, typed: str, canonical: str) -> None:
    assert validate(kind, typed) == Canonical(kind, canonical)


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        ("nl.bsn", "111222334", "bad_check_digit"),
        ("nl.bsn", "1112223334", "wrong_length"),
        ("es.dni", "54362315Z", "bad_check_digit"),
        ("es.dni", "5436231AK", "invalid_format"),
        ("de.idnr", "36574261808", "bad_check_digit"),
        ("us.ssn", "078-05-1120", "invalid_component"),  # the Woolworth wallet number
        ("us.ssn", "000-12-3456", "invalid_component"),
    ],
)
def test_malformed_stdnum(kind: str, value: str, reason: str) -> None:
    assert reason_of(kind, value) == reason


@pytest.mark.parametrize(
    "kind", ["xx.ric", "cn.nope", "luhn", "verhoeff", "util", "exceptions", "../os", "cn.ric.x", ""]
)
def test_unknown_kind(kind: str) -> None:
    assert reason_of(kind, "12345") == "unknown_kind"
    assert not is_known_kind(kind)


def test_alias_kinds_are_canonical() -> None:
    # The kind is part of the fingerprint: aliases of one python-stdnum module must agree.
    assert validate("AR.VAT", "20-26756539-3") == validate("ar.cuit", "20267565393")
    assert validate("ar.vat", "20267565393").kind == "ar.cuit"
    assert canonical_kind("in_.aadhaar") == canonical_kind("IN.aadhaar") == "in.aadhaar"
    assert canonical_kind(" Phone ") == "phone"
    assert validate("cn.vat", "91110000600037341L").kind == "cn.uscc"


def test_known_kinds() -> None:
    for kind in ("cn.ric", "cn.uscc", "phone", "email", "de.idnr", "nl.bsn", "us.ssn", "iban"):
        assert is_known_kind(kind)


# -- phone --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("+86 138 0013 8000", None),
        ("+8613800138000", "US"),
        ("138 0013 8000", "CN"),
        ("138-0013-8000", "cn"),
        ("0086 138 0013 8000", "CN"),
        ("(+86) 13800138000", None),
    ],
)
def test_phone_with_or_without_country_code_is_one_canonical(
    value: str, region: str | None
) -> None:
    assert validate("phone", value, region) == Canonical("phone", "+8613800138000")


def test_phone_gb_national_and_international() -> None:
    assert validate("phone", "07400 123456", "GB").value == "+447400123456"
    assert validate("phone", "+44 (0)7400 123456").value == "+447400123456"


def test_mobile_required() -> None:
    landline = "+86 10 6552 9988"
    assert validate("phone", landline).value == "+861065529988"
    assert reason_of("phone", landline, mobile_required=True) == "not_mobile"
    assert validate("phone", "+86 138 0013 8000", mobile_required=True).value == "+8613800138000"
    example = phonenumbers.example_number_for_type("DE", phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None
    text = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    assert validate("phone", text, mobile_required=True).value.startswith("+49")


@pytest.mark.parametrize(
    ("value", "region", "reason"),
    [
        ("138 0013 8000", None, "unknown_region"),
        ("138 0013 8000", "ZZ", "unknown_region"),
        ("138 0013 8000", "China", "unknown_region"),
        ("+999 1234 5678", None, "unknown_region"),
        ("hello", "CN", "invalid_format"),
        ("+86 1380013800012345", None, "wrong_length"),
        ("+1 999 253 0000", None, "invalid_number"),
        ("+86 12345", None, "invalid_number"),
    ],
)
def test_malformed_phone(value: str, region: str | None, reason: str) -> None:
    assert reason_of("phone", value, region) == reason


# -- email --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "john.doe@gmail.com",
        "John.Doe@Gmail.com",
        "johndoe@gmail.com",
        "j.o.h.n.d.o.e+spam@googlemail.com",
        "  JohnDoe+a+b@GMAIL.COM ",
        "johndoe@gmail.com.",
    ],
)
def test_gmail_variants_are_one(typed: str) -> None:
    assert validate("email", typed) == Canonical("email", "johndoe@gmail.com")


def test_other_providers_keep_dots() -> None:
    assert validate("email", "John.Doe+news@Example.ORG").value == "john.doe@example.org"
    assert validate("email", "jane@bücher.de").value == "jane@xn--bcher-kva.de"


@pytest.mark.parametrize(
    "value",
    [
        "plainaddress",
        "two@@example.org",
        "a@b@example.org",
        "@example.org",
        "john@",
        "john@localhost",
        "john@[192.168.0.1]",
        ".john@example.org",
        "john.@example.org",
        "jo..hn@example.org",
        '"john doe"@example.org',
        "john doe@example.org",
        "+tag@example.org",
        "john@exa_mple.org",
        "john@-example.org",
        "john@example.123",
        "x" * 65 + "@example.org",
    ],
)
def test_malformed_email(value: str) -> None:
    assert reason_of("email", value) == "invalid_format"


def test_email_too_long() -> None:
    assert reason_of("email", "a@" + "b" * 250 + ".org") == "wrong_length"


def test_errors_never_repeat_the_value() -> None:
    number = wrong_check(make_ric())
    with pytest.raises(IdentifierError) as caught:
        validate("cn.ric", number)
    assert number not in str(caught.value)
    assert number not in repr(caught.value)
    assert caught.value.kind == "cn.ric"


def test_non_string_value() -> None:
    assert reason_of("cn.ric", 110101199003071234) == "invalid_format"  # type: ignore[arg-type]
