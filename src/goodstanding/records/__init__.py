"""Group-chat records: kept encrypted for the policy's retention, under legal holds, purged.

See docs/records.md. The public API is re-exported here; only the pure retention rules are
imported eagerly (`goodstanding.records.retention` depends on nothing else of goodstanding).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from goodstanding.records.retention import (
    DEFAULT_MAX_DAYS,
    DEFAULT_MIN_DAYS,
    Hold,
    Retention,
    Status,
    check_retention,
    period_bounds,
    period_of,
    retention_problems,
)

if TYPE_CHECKING:
    from goodstanding.records.crypto import (
        ENV_KEY,
        ENV_KEY_ID,
        ENV_KEYFILE,
        MasterKey,
        MasterKeyError,
        MissingMasterKeyError,
        RecordIntegrityError,
        RecordsError,
        generate_master_key,
    )
    from goodstanding.records.holds import HoldError
    from goodstanding.records.purge import Census, PurgeProgress, PurgeReport
    from goodstanding.records.store import (
        DuplicateRecordError,
        Message,
        RecordNotFoundError,
        RecordShreddedError,
        RecordStore,
    )
    from goodstanding.records.tables import (
        RECORD_TABLES,
        record_holds,
        record_keys,
        record_purges,
        record_records,
    )

_LAZY = {
    "goodstanding.records.crypto": (
        "ENV_KEY",
        "ENV_KEY_ID",
        "ENV_KEYFILE",
        "MasterKey",
        "MasterKeyError",
        "MissingMasterKeyError",
        "RecordIntegrityError",
        "RecordsError",
        "generate_master_key",
    ),
    "goodstanding.records.holds": ("HoldError",),
    "goodstanding.records.purge": ("Census", "PurgeProgress", "PurgeReport"),
    "goodstanding.records.store": (
        "DuplicateRecordError",
        "Message",
        "RecordNotFoundError",
        "RecordShreddedError",
        "RecordStore",
    ),
    "goodstanding.records.tables": (
        "RECORD_TABLES",
        "record_holds",
        "record_keys",
        "record_purges",
        "record_records",
    ),
}
_HOME = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> Any:
    """Imports the store-dependent parts on first use, so that the policy loader can import
    `goodstanding.records.retention` without importing the store (which imports the policy)."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_MAX_DAYS",
    "DEFAULT_MIN_DAYS",
    "ENV_KEY",
    "ENV_KEYFILE",
    "ENV_KEY_ID",
    "RECORD_TABLES",
    "Census",
    "DuplicateRecordError",
    "Hold",
    "HoldError",
    "MasterKey",
    "MasterKeyError",
    "Message",
    "MissingMasterKeyError",
    "PurgeProgress",
    "PurgeReport",
    "RecordIntegrityError",
    "RecordNotFoundError",
    "RecordShreddedError",
    "RecordStore",
    "RecordsError",
    "Retention",
    "Status",
    "check_retention",
    "generate_master_key",
    "period_bounds",
    "period_of",
    "record_holds",
    "record_keys",
    "record_purges",
    "record_records",
    "retention_problems",
]
