"""Group-chat records: kept encrypted for the policy's retention, under legal holds, purged.

See docs/records.md. The retention rules themselves (`Retention`, `Hold`, periods) live in
`goodstanding.policy.retention`.
"""

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

__all__ = [
    "ENV_KEY",
    "ENV_KEYFILE",
    "ENV_KEY_ID",
    "RECORD_TABLES",
    "Census",
    "DuplicateRecordError",
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
    "generate_master_key",
    "record_holds",
    "record_keys",
    "record_purges",
    "record_records",
]
