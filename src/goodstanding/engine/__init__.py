"""The pure fold: events and policy in, effects out; no I/O, no clock, no randomness."""

from goodstanding.engine.effects import (
    Denial,
    Effect,
    LabelChanged,
    LedgerEntry,
    Notice,
    SanctionImposed,
    StrikeIssued,
)
from goodstanding.engine.fold import Engine, Rejected, iso
from goodstanding.engine.state import AccountState, ContentState, State

__all__ = [
    "AccountState",
    "ContentState",
    "Denial",
    "Effect",
    "Engine",
    "LabelChanged",
    "LedgerEntry",
    "Notice",
    "Rejected",
    "SanctionImposed",
    "State",
    "StrikeIssued",
    "iso",
]
