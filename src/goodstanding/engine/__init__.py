"""The pure fold: events and policy in, effects out; no I/O, no clock, no randomness."""

from goodstanding.engine.base import Rejected, iso
from goodstanding.engine.effects import (
    AdminRightsChanged,
    Denial,
    Effect,
    Flagged,
    GroupFlagged,
    LabelChanged,
    LedgerEntry,
    Notice,
    SanctionImposed,
    StrikeIssued,
)
from goodstanding.engine.fold import Engine
from goodstanding.engine.state import AccountState, ContentState, GroupState, State

__all__ = [
    "AccountState",
    "AdminRightsChanged",
    "ContentState",
    "Denial",
    "Effect",
    "Engine",
    "Flagged",
    "GroupFlagged",
    "GroupState",
    "LabelChanged",
    "LedgerEntry",
    "Notice",
    "Rejected",
    "SanctionImposed",
    "State",
    "StrikeIssued",
    "iso",
]
