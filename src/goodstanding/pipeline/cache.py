"""The engine's keyed state kept between ingest batches, as a cache bounded by approximate
bytes: the least recently used keys are evicted first, never a key with unsaved changes.

Evicting is always safe for the results: the store holds every saved key, and the prefetch
loads whatever a batch needs that the state does not hold."""

from __future__ import annotations

import msgspec

from goodstanding.engine import Engine, State
from goodstanding.engine.handler import Keys

DEFAULT_BUDGET = 256 * 2**20
"""Bytes of keyed state an ingest keeps between batches unless told otherwise."""
ENTRY_BYTES = 500
"""What holding one key costs besides its encoded form: the object, its id, the dicts."""
BYTES_PER_ENCODED = 6
"""Resident bytes per byte of a key's encoded state (measured on sim streams: 4 to 9)."""

_KINDS = (
    ("accounts", "accounts", "dirty_accounts"),
    ("contents", "contents", "dirty_contents"),
    ("groups", "groups", "dirty_groups"),
    ("decisions", "decisions", "dirty_decisions"),
    ("appeals", "appeals", "dirty_appeals"),
    ("fingerprints", "identities", "dirty_identities"),
)
"""(the field of Keys, the dict of State, the dirty set of State) of each kind of key."""
_DIRTY = {held: dirty for _, held, dirty in _KINDS}
_encode = msgspec.msgpack.Encoder().encode


def estimate(item: msgspec.Struct) -> int:
    """The approximate resident bytes of one key's state."""
    return ENTRY_BYTES + BYTES_PER_ENCODED * len(_encode(item))


class StateCache:
    """Bounds the keyed state of an engine between batches to `budget` bytes (None: no bound).

    `use` after a batch's fold records the keys it needed and changed, `trim` after its
    commit evicts the least recently used ones over the budget, `clear` drops everything (when
    the state may no longer be what the store holds)."""

    def __init__(self, engine: Engine, budget: int | None = DEFAULT_BUDGET):
        if budget is not None and budget < 0:
            raise ValueError(f"a cache budget must be at least 0 bytes, got {budget}")
        self.engine, self.budget = engine, budget
        self._state = engine.state
        self._sizes: dict[tuple[str, str], int] = {}  # least recently used first
        self.bytes = 0
        """The approximate bytes of the keys held."""

    def __len__(self) -> int:
        return len(self._sizes)

    def use(self, keys: Keys) -> None:
        """Records that a batch needed `keys` and changed the state's dirty keys: they become
        the most recently used, and changed or new ones are sized again."""
        state = self._current()
        for field, held_name, dirty_name in _KINDS:
            held, dirty = getattr(state, held_name), getattr(state, dirty_name)
            for key in getattr(keys, field) | dirty:
                item = held.get(key)
                if item is None:
                    continue
                ref = (held_name, key)
                size = self._sizes.pop(ref, None)
                if size is None or key in dirty:
                    fresh = estimate(item)
                    self.bytes += fresh - (size or 0)
                    size = fresh
                self._sizes[ref] = size

    def trim(self) -> int:
        """Evicts the least recently used keys without unsaved changes until the state fits
        the budget; returns how many were evicted."""
        state = self._current()
        if self.budget is None or self.bytes <= self.budget:
            return 0
        excess = self.bytes - self.budget
        victims: list[tuple[str, str]] = []
        for ref, size in self._sizes.items():
            if excess <= 0:
                break
            held_name, key = ref
            if key not in getattr(state, _DIRTY[held_name]):
                victims.append(ref)
                excess -= size
        for ref in victims:
            self.bytes -= self._sizes.pop(ref)
            del getattr(state, ref[0])[ref[1]]
        return len(victims)

    def clear(self) -> None:
        """Drops every key (and every record of changes): the next batch loads what it needs
        from the store."""
        self.engine.state = State()
        self._current()

    def _current(self) -> State:
        """The engine's state, forgetting what was recorded of a state it no longer holds."""
        if self.engine.state is not self._state:
            self._state = self.engine.state
            self._sizes.clear()
            self.bytes = 0
        return self._state
