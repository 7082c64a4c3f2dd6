"""The data keys of the record store: one per group and period, wrapped by a master key,
unwrapped on demand into a bounded cache, created when missing, rewrapped after a master key
rotation."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, tuple_, update

from goodstanding.records.crypto import DataKey, MasterKey, MasterKeyError, new_data_key
from goodstanding.records.tables import record_keys

_PAIRS_PER_QUERY = 400
_KEY_CACHE = 4096


class DataKeys:
    """The data keys a store reads and writes with: `master` wraps new keys;
    `previous_masters` only unwrap keys not yet rewrapped (see `rewrap`)."""

    def __init__(self, master: MasterKey, previous_masters: Sequence[MasterKey] = ()) -> None:
        self.master = master
        self._masters: dict[str, MasterKey] = {m.key_id: m for m in previous_masters}
        self._masters[master.key_id] = master
        self._cache: OrderedDict[int, DataKey] = OrderedDict()

    def unwrap(self, key_id: int, group_id: str, period: str, wrapped: bytes, mk: str) -> DataKey:
        """The data key of a `record_keys` row, from the cache or unwrapped by master key `mk`
        (`MasterKeyError` if that master key is not loaded)."""
        cached = self._cache.get(key_id)
        if cached is not None:
            self._cache.move_to_end(key_id)
            return cached
        master = self._masters.get(mk)
        if master is None:
            raise MasterKeyError(
                f"data key {key_id} ({group_id} {period}) is wrapped by master key {mk!r}, "
                f"which is not loaded (loaded: {', '.join(sorted(self._masters))})"
            )
        key = DataKey(key_id, master.unwrap(bytes(wrapped), key_id, group_id, period))
        self.keep(key)
        return key

    def keep(self, key: DataKey) -> None:
        """Keeps an unwrapped key of a committed row (ids of committed rows are never reused;
        every use checks in the database first that the key is still live)."""
        self._cache[key.id] = key
        if len(self._cache) > _KEY_CACHE:
            self._cache.popitem(last=False)

    def forget(self, key_ids: Iterable[int]) -> None:
        """Drops destroyed keys from the cache."""
        for key_id in key_ids:
            self._cache.pop(key_id, None)

    def live(
        self, conn: Connection, pairs: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], DataKey]:
        """The live key of each (group, period) that has one (read-locked on PostgreSQL)."""
        k = record_keys.c
        found: dict[tuple[str, str], DataKey] = {}
        for start in range(0, len(pairs), _PAIRS_PER_QUERY):
            query = select(k.id, k.group_id, k.period, k.wrapped_key, k.master_key_id).where(
                k.destroyed_at.is_(None),
                tuple_(k.group_id, k.period).in_(pairs[start : start + _PAIRS_PER_QUERY]),
            )
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(read=True)
            for row in conn.execute(query):
                found[(row.group_id, row.period)] = self.unwrap(
                    int(row.id), row.group_id, row.period, row.wrapped_key, row.master_key_id
                )
        return found

    def for_pairs(
        self, conn: Connection, pairs: Sequence[tuple[str, str]]
    ) -> tuple[dict[tuple[str, str], DataKey], list[DataKey]]:
        """The live key of each (group, period), creating those missing; and the created
        ones, to cache only once their transaction commits (a rolled-back id may be reused).
        A concurrent writer creating the same key makes this transaction fail with an
        IntegrityError (unique live key per group and period): the caller retries."""
        keys = self.live(conn, pairs)
        missing = [pair for pair in pairs if pair not in keys]
        if not missing:
            return keys, []
        k = record_keys.c
        now = time.time()
        made = conn.execute(
            insert(record_keys).returning(k.id, k.group_id, k.period, sort_by_parameter_order=True),
            [
                {
                    "group_id": group_id,
                    "period": period,
                    "wrapped_key": None,
                    "master_key_id": self.master.key_id,
                    "created_at": now,
                }
                for group_id, period in missing
            ],
        ).all()
        created: list[DataKey] = []
        wrapped: list[dict[str, Any]] = []
        for row in made:
            raw = new_data_key()
            key = DataKey(int(row.id), raw)
            keys[(row.group_id, row.period)] = key
            created.append(key)
            wrapped.append(
                {
                    "b_id": key.id,
                    "b_wrapped": self.master.wrap(raw, key.id, row.group_id, row.period),
                }
            )
        conn.execute(
            update(record_keys)
            .where(k.id == bindparam("b_id"))
            .values(wrapped_key=bindparam("b_wrapped")),
            wrapped,
        )
        return keys, created

    def rewrap(self, engine: Engine, batch: int = 1000) -> int:
        """Rewraps every live data key not wrapped by the current master key (after a master
        key rotation; the previous keys must be loaded); returns how many. Idempotent."""
        k = record_keys.c
        total = 0
        while True:
            with engine.begin() as conn:
                rows = conn.execute(
                    select(k.id, k.group_id, k.period, k.wrapped_key, k.master_key_id)
                    .where(k.destroyed_at.is_(None), k.master_key_id != self.master.key_id)
                    .order_by(k.id)
                    .limit(batch)
                ).all()
                for row in rows:
                    key_id = int(row.id)
                    old = self._masters.get(row.master_key_id)
                    if old is None:
                        raise MasterKeyError(
                            f"data key {key_id} is wrapped by master key {row.master_key_id!r}, "
                            "which is not loaded: pass it in previous_masters"
                        )
                    raw = old.unwrap(bytes(row.wrapped_key), key_id, row.group_id, row.period)
                    conn.execute(
                        update(record_keys)
                        .where(k.id == key_id, k.destroyed_at.is_(None))
                        .values(
                            wrapped_key=self.master.wrap(raw, key_id, row.group_id, row.period),
                            master_key_id=self.master.key_id,
                        )
                    )
            total += len(rows)
            if len(rows) < batch:
                return total
