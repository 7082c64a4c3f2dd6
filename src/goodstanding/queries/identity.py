"""Which identity fingerprints are still in use, for key rotation."""

from __future__ import annotations

from goodstanding.store import Store

IN_USE = "SELECT fingerprint FROM identities WHERE holders > 0 OR blocked"


def fingerprints_in_use(store: Store) -> list[str]:
    """The stored fingerprints that an account holds or a block keeps (those a key may not
    be retired from under)."""
    return [row[0] for row in store.execute_sql(IN_USE)]
