"""Validating and canonicalising identifiers: the same identity, however typed, gives one form.

`validate(kind, value, region)` returns a `Canonical` or raises `IdentifierError` with a
reason code (`REASONS`) and a message. Messages describe what is wrong without repeating the
value, so they can be logged and returned to a platform without leaking the identifier.

Kinds:

* ``cn.ric``: Chinese resident identity number (18 characters, birth date, check digit);
  spaces, dashes and a lower-case ``x`` are accepted, full-width digits too.
* ``cn.uscc``: Chinese unified social credit code.
* any other python-stdnum module by its dotted name: ``de.idnr``, ``nl.bsn``, ``us.ssn``,
  ``es.dni``, ``iban``, ... (checksum algorithms such as ``luhn`` are not identifiers).
* ``phone``: parsed with phonenumbers using ``region`` or a leading ``+``, canonical E.164.
* ``email``: lower case, ``+tag`` removed, dots removed for providers that ignore them.

Pure: no I/O, no clock (`as_of` is passed in by the caller, e.g. the event's date).
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType
from typing import Final, Literal, get_args

import phonenumbers
from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric as cn_ric
from stdnum.util import get_cc_module

ReasonCode = Literal[
    "unknown_kind",
    "wrong_length",
    "bad_check_digit",
    "invalid_format",
    "impossible_birth_date",
    "unknown_region",
    "invalid_component",
    "invalid_number",
    "not_mobile",
]
REASONS: Final[tuple[ReasonCode, ...]] = get_args(ReasonCode)

MAX_INPUT_LENGTH: Final = 256
"""Longer inputs are refused before any parsing (no identifier of a supported kind is longer)."""
MIN_BIRTH_YEAR: Final = 1880
"""A resident number with an earlier birth date cannot belong to a living person."""

_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}(?:\.[a-z][a-z0-9_]{0,31})?")
_NOT_IDENTIFIERS: Final = frozenset(
    {"util", "exceptions", "numdb", "luhn", "verhoeff", "damm", "iso7064", "module"}
)
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


class IdentifierError(ValueError):
    """An identifier that cannot be accepted: `reason` is a code from REASONS.

    The message never contains the submitted value.
    """

    def __init__(self, reason: ReasonCode, message: str, kind: str | None = None):
        self.reason: ReasonCode = reason
        self.message = message
        self.kind = kind
        super().__init__(f"{reason}: {message}")


@dataclass(frozen=True, slots=True)
class Canonical:
    """An identifier in canonical form. `repr` hides the value so that it is not logged."""

    kind: str
    value: str = field(repr=False)


def validate(
    kind: str,
    value: str,
    region: str | None = None,
    *,
    mobile_required: bool = False,
    as_of: dt.date | None = None,
) -> Canonical:
    """The canonical form of `value` as an identifier of `kind`, or IdentifierError.

    `region` (ISO 3166 alpha-2) is used by ``phone`` only: a number without a leading ``+``
    is read as a national number of that region. `mobile_required` makes ``phone`` refuse
    numbers that are known to be fixed lines, pagers, VoIP, ... `as_of` (the event's date)
    makes ``cn.ric`` refuse birth dates after it.
    """
    if not isinstance(kind, str):
        raise IdentifierError("unknown_kind", "the kind must be a string")
    name = kind.strip().lower()
    if not _KIND.fullmatch(name):
        stdnum_module(name)  # raises unknown_kind without repeating the text
    if not isinstance(value, str):
        raise IdentifierError("invalid_format", "the value must be a string", name)
    if len(value) > MAX_INPUT_LENGTH:
        raise IdentifierError("wrong_length", f"longer than {MAX_INPUT_LENGTH} characters", name)
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise IdentifierError("wrong_length", "the value is empty", name)
    if "\0" in text:
        raise IdentifierError("invalid_format", "contains a NUL character", name)
    if name == "phone":
        return Canonical(name, _phone(text, region, mobile_required))
    if name == "email":
        return Canonical(name, _email(text))
    module = stdnum_module(name)
    canonical_kind = module_kind(module)
    if canonical_kind == "cn.ric":
        return Canonical(canonical_kind, _cn_ric(text, as_of))
    return Canonical(canonical_kind, _stdnum(canonical_kind, module, text))


def canonical_kind(kind: str) -> str:
    """The canonical name of a kind: ``phone``, ``email`` or the python-stdnum module's own
    dotted name, so that aliases agree (``AR.VAT`` -> ``ar.cuit``); IdentifierError if
    unknown. The kind is part of the fingerprint, so it must be canonical too."""
    name = kind.strip().lower() if isinstance(kind, str) else ""
    if name in ("phone", "email"):
        return name
    return module_kind(stdnum_module(name))


def is_known_kind(kind: str) -> bool:
    """Whether `kind` names a supported identifier kind."""
    try:
        canonical_kind(kind)
    except IdentifierError:
        return False
    return True


def module_kind(module: ModuleType) -> str:
    """A python-stdnum module's kind name: ``stdnum.in_.aadhaar`` -> ``in.aadhaar``."""
    parts = module.__name__.split(".")[1:]
    return ".".join(part.rstrip("_") for part in parts)


# -- python-stdnum ---------------------------------------------------------------------------


@lru_cache(maxsize=512)
def stdnum_module(kind: str) -> ModuleType:
    """The python-stdnum module that validates `kind` (e.g. ``de.idnr``), or IdentifierError."""
    shaped = _KIND.fullmatch(kind) is not None
    named = f"unknown identifier kind {kind!r}" if shaped else "the kind is not a kind name"
    unknown = IdentifierError(  # the kind is echoed only if shaped like one (not a value)
        "unknown_kind",
        f"{named}; use 'phone', 'email', 'cn.ric', 'cn.uscc' or the dotted name of a "
        "python-stdnum module such as 'de.idnr', 'nl.bsn' or 'us.ssn'",
        kind if shaped else None,
    )
    if not shaped or kind.split(".")[0] in _NOT_IDENTIFIERS:
        raise unknown
    module: object | None
    if "." in kind:
        cc, name = kind.split(".")
        module = get_cc_module(cc, name)
    else:
        try:
            module = importlib.import_module(f"stdnum.{kind}")
        except ImportError:
            module = None
    if (
        not isinstance(module, ModuleType)
        or not callable(getattr(module, "validate", None))
        or not callable(getattr(module, "compact", None))
    ):
        raise unknown
    return module


def _stdnum_reason(error: stdnum_errors.ValidationError) -> ReasonCode:
    if isinstance(error, stdnum_errors.InvalidLength):
        return "wrong_length"
    if isinstance(error, stdnum_errors.InvalidChecksum):
        return "bad_check_digit"
    if isinstance(error, stdnum_errors.InvalidComponent):
        return "invalid_component"
    return "invalid_format"


_STDNUM_MESSAGES: Final[dict[ReasonCode, str]] = {
    "wrong_length": "has the wrong length",
    "bad_check_digit": "has a wrong check digit",
    "invalid_component": "has a part that cannot be (e.g. an impossible date or code)",
    "invalid_format": "has characters or a layout that this kind does not allow",
}


def _stdnum(kind: str, module: ModuleType, text: str) -> str:
    try:
        number = module.validate(text)
        canonical = module.compact(number)
    except stdnum_errors.ValidationError as error:
        reason = _stdnum_reason(error)
        message = f"not a valid {kind}: {_STDNUM_MESSAGES[reason]}"
        raise IdentifierError(reason, message, kind) from None
    except (ValueError, IndexError, KeyError, TypeError, ArithmeticError):
        raise IdentifierError(
            "invalid_format", f"not a valid {kind}: cannot be read", kind
        ) from None
    if not isinstance(canonical, str) or not canonical or "\0" in canonical:
        raise IdentifierError("invalid_format", f"not a valid {kind}: cannot be read", kind)
    return canonical


# -- cn.ric ----------------------------------------------------------------------------------

_RIC_BODY = re.compile(r"[0-9]{17}[0-9X]")


def _cn_ric(text: str, as_of: dt.date | None) -> str:
    kind = "cn.ric"
    number = _SEPARATORS.sub("", text).upper()
    if len(number) != 18:
        raise IdentifierError(
            "wrong_length", f"a resident number has 18 characters, not {len(number)}", kind
        )
    if not _RIC_BODY.fullmatch(number):
        raise IdentifierError(
            "invalid_format",
            "a resident number is 17 digits followed by a digit or X",
            kind,
        )
    if number[-1] != cn_ric.calc_check_digit(number):
        raise IdentifierError("bad_check_digit", "the check digit (last character) is wrong", kind)
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    try:
        born = dt.date(year, month, day)
    except ValueError:
        raise IdentifierError(
            "impossible_birth_date",
            "characters 7-14 are not a calendar date (YYYYMMDD)",
            kind,
        ) from None
    if year < MIN_BIRTH_YEAR:
        raise IdentifierError(
            "impossible_birth_date", f"the birth year is before {MIN_BIRTH_YEAR}", kind
        )
    if as_of is not None and born > as_of:
        raise IdentifierError("impossible_birth_date", "the birth date is in the future", kind)
    if not _ric_region_known(number[:6]):
        raise IdentifierError(
            "unknown_region",
            "the first 6 digits are not a known administrative division code",
            kind,
        )
    return number


@lru_cache(maxsize=16384)
def _ric_region_known(code: str) -> bool:
    """Whether `code` is a division code python-stdnum knows, assigned in any year.

    stdnum's own validate also requires the code to have been assigned in the birth year;
    but the code is that of the place of first registration, which for anyone born before
    a division was created (Tianhe, 440106, dates from 1985) postdates the birth, so that
    check would refuse real people.
    """
    results = numdb.get("cn/loc").info(code)
    return any("county" in props for _part, props in results)


# -- phone -----------------------------------------------------------------------------------

_LEADING_PLUS = re.compile(r"[^0-9]*\+")
_MOBILE_TYPES: Final = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
_PARSE_REASONS: Final[dict[int, tuple[ReasonCode, str]]] = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: (
        "unknown_region",
        "the country calling code is unknown, or the number has no leading + and no region",
    ),
    phonenumbers.NumberParseException.NOT_A_NUMBER: (
        "invalid_format",
        "does not look like a phone number",
    ),
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: (
        "wrong_length",
        "too short after the international prefix",
    ),
    phonenumbers.NumberParseException.TOO_SHORT_NSN: ("wrong_length", "too short"),
    phonenumbers.NumberParseException.TOO_LONG: ("wrong_length", "too long"),
}
_POSSIBLE_REASONS: Final[dict[int, tuple[ReasonCode, str]]] = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: (
        "unknown_region",
        "the country calling code is unknown",
    ),
    phonenumbers.ValidationResult.TOO_SHORT: ("wrong_length", "too short for its country"),
    phonenumbers.ValidationResult.TOO_LONG: ("wrong_length", "too long for its country"),
    phonenumbers.ValidationResult.INVALID_LENGTH: (
        "wrong_length",
        "has a length no number of its country has",
    ),
}


def _phone(text: str, region: str | None, mobile_required: bool) -> str:
    kind = "phone"
    default: str | None = None
    if region is not None:
        default = region.strip().upper()
        if default not in phonenumbers.SUPPORTED_REGIONS:
            shown = f" {region!r}" if region.isalpha() and len(region) <= 3 else ""
            raise IdentifierError(
                "unknown_region",
                f"unknown region{shown}; expected an ISO 3166 alpha-2 code such as 'CN'",
                kind,
            )
    elif not _LEADING_PLUS.match(text):
        raise IdentifierError(
            "unknown_region",
            "a number without a leading + (country code) needs a region",
            kind,
        )
    try:
        number = phonenumbers.parse(text, default)
    except phonenumbers.NumberParseException as error:
        reason, message = _PARSE_REASONS.get(
            error.error_type, ("invalid_format", "does not look like a phone number")
        )
        raise IdentifierError(reason, message, kind) from None
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible in _POSSIBLE_REASONS:
        reason, message = _POSSIBLE_REASONS[possible]
        raise IdentifierError(reason, message, kind)
    if not phonenumbers.is_valid_number(number):
        raise IdentifierError(
            "invalid_number", "not a number in use in its country's numbering plan", kind
        )
    if mobile_required and phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise IdentifierError("not_mobile", "a mobile number is required", kind)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# -- email -----------------------------------------------------------------------------------

DOTLESS_PROVIDERS: Final[dict[str, str]] = {
    "gmail.com": "gmail.com",
    "googlemail.com": "gmail.com",
}
"""Domains whose mailboxes ignore dots in the local part, and the domain they stand for."""

_ATEXT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*/=?^_`{|}~-+")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def _email(text: str) -> str:
    kind = "email"
    address = text.lower()
    if len(address) > 254:
        raise IdentifierError("wrong_length", "an e-mail address has at most 254 characters", kind)
    if address.count("@") != 1:
        raise IdentifierError("invalid_format", "an e-mail address has exactly one @", kind)
    local, domain = address.split("@")
    if not local or len(local) > 64:
        raise IdentifierError(
            "invalid_format", "the part before @ must have 1 to 64 characters", kind
        )
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise IdentifierError(
            "invalid_format",
            "the part before @ cannot start or end with a dot or have two dots in a row",
            kind,
        )
    if any(c not in _ATEXT and c != "." and not (ord(c) > 127 and c.isalnum()) for c in local):
        raise IdentifierError(
            "invalid_format",
            "the part before @ has a character not allowed there (quoted forms are refused)",
            kind,
        )
    domain = _email_domain(domain.removesuffix("."))
    local = local.split("+", 1)[0]
    if domain in DOTLESS_PROVIDERS:
        domain = DOTLESS_PROVIDERS[domain]
        local = local.replace(".", "")
    if not local.strip("."):
        raise IdentifierError("invalid_format", "the mailbox name before + is empty", kind)
    return f"{local}@{domain}"


def _email_domain(domain: str) -> str:
    kind = "email"
    if not domain or domain.startswith("["):
        raise IdentifierError(
            "invalid_format", "the part after @ must be a domain name (not an IP address)", kind
        )
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise IdentifierError(
            "invalid_format", "the domain is not a valid domain name", kind
        ) from None
    labels = ascii_domain.split(".")
    if len(ascii_domain) > 253 or len(labels) < 2:
        raise IdentifierError(
            "invalid_format", "the domain needs at least two labels, as in example.org", kind
        )
    if not all(_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        raise IdentifierError(
            "invalid_format",
            "each domain label has 1-63 letters, digits or inner hyphens; the last is no number",
            kind,
        )
    return ascii_domain
