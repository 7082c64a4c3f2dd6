"""Simulated Chinese identity numbers and mobile numbers, and the ways people type them."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Final

from stdnum.cn import ric as cn_ric

from goodstanding.sim.texts import FULLWIDTH
from goodstanding.sim.vocabulary import CN_MOBILE_PREFIXES, RIC_DIVISIONS

TYPING_STYLES: Final = 4
"""Ways of typing one identifier (``typed`` style 0 is the form as issued)."""


def resident_number(rng: random.Random) -> str:
    """A valid Chinese resident identity number: a known division, a birth date from 1960
    to 2003, a sequence number and the ISO 7064 MOD 11-2 check digit."""
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(16_000))
    body = f"{rng.choice(RIC_DIVISIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + cn_ric.calc_check_digit(body + "0")


def mobile_number(rng: random.Random) -> str:
    """A valid Chinese mobile number in E.164 form."""
    return f"+86{rng.choice(CN_MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def typed(kind: str, value: str, style: int) -> tuple[str, str | None]:
    """An identifier (``cn.ric`` or an E.164 ``phone``) as someone types it, in one of
    ``TYPING_STYLES`` ways, and the region a national phone number needs. Every style
    canonicalises to the same value."""
    if style == 0:
        return value, None
    if kind == "cn.ric":
        if style == 1:
            return f"{value[:6]} {value[6:14]} {value[14:]}".lower(), None
        if style == 2:
            return f"{value[:6]}-{value[6:14]}-{value[14:]}", None
        return value.translate(FULLWIDTH).lower(), None
    national = value[3:]
    if style == 1:
        return f"{national[:3]} {national[3:7]} {national[7:]}", "CN"
    if style == 2:
        return f"+86 {national[:3]}-{national[3:7]}-{national[7:]}", None
    return f"0086 {national}", "CN"
