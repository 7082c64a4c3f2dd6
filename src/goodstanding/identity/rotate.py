"""Key rotation, as functions the CLI calls (``goodstanding identity rotate``).

The procedure:

1. Make a new key (`generate_key`) and put it *first* in the key configuration: it becomes
   current, and every older key stays active. New fingerprints use the new key; checks
   compute a candidate under every active key, so identities fingerprinted under an old key
   are still recognised (and still blocked).
2. Re-fingerprint on the next verification: when an account submits its identity again, the
   event carries the current-key fingerprint, which replaces the account's old one, and any
   block found under an old-key fingerprint is carried forward to the new one
   (`blocklist.carry_forward`).
3. Retire a key (remove it from the configuration) when no stored fingerprint uses it:
   `retirable` lists those keys. Retiring a key that is still used forgets those
   identities: accounts lose their verified identity and blocked people can register again.

The counts come from the store: fingerprints in use (accounts' identities and block-list
entries) grouped by key id (`count_by_kid`). The event log keeps the fingerprints it was
written with; replaying it needs no key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from goodstanding.identity.keys import Key, KeyRing, KeyRingError


def count_by_kid(fingerprints: Iterable[str]) -> dict[str, int]:
    """How many of `fingerprints` were made under each key id."""
    counts: Counter[str] = Counter()
    for fp in fingerprints:
        kid, colon, _ = fp.partition(":")
        if not colon:
            raise ValueError("not a fingerprint: expected 'kid:hex'")
        counts[kid] += 1
    return dict(sorted(counts.items()))


def retirable(ring: KeyRing, counts: Mapping[str, int]) -> list[str]:
    """Active keys, other than the current one, that no stored fingerprint uses."""
    return [key.kid for key in ring.active[1:] if counts.get(key.kid, 0) <= 0]


def rotate(ring: KeyRing, key: Key) -> KeyRing:
    """Step 1: the ring with `key` as current and every present key still active."""
    return ring.with_current(key)


def retire(ring: KeyRing, kid: str, counts: Mapping[str, int], force: bool = False) -> KeyRing:
    """Step 3: the ring without key `kid`; refused while fingerprints use it unless `force`."""
    in_use = counts.get(kid, 0)
    if in_use > 0 and not force:
        raise KeyRingError(
            f"key {kid!r} still has {in_use} fingerprint(s) in use; retiring it would forget "
            "those identities (blocked people could register again)"
        )
    return ring.without(kid)


def next_kid(ring: KeyRing) -> str:
    """A fresh key id: ``k<n+1>`` after the highest ``k<n>`` in the ring."""
    numbers = [int(k[1:]) for k in ring.kids if k[:1] == "k" and k[1:].isdigit()]
    return f"k{max(numbers, default=0) + 1}"


def rotation_plan(ring: KeyRing, fingerprints_in_use_by_kid: Mapping[str, int]) -> str:
    """A plain-language account of the rotation procedure and where this installation is."""
    counts = fingerprints_in_use_by_kid
    current = ring.current.kid
    older = [key.kid for key in ring.active[1:]]
    free = retirable(ring, counts)
    orphaned = {kid: n for kid, n in counts.items() if kid not in ring and n > 0}

    def used(kid: str) -> str:
        n = counts.get(kid, 0)
        return f"{n} fingerprint{'s' if n != 1 else ''} in use"

    lines = [
        "Identity key rotation",
        "",
        f"Current key: {current} ({used(current)}); new fingerprints are made with it.",
    ]
    if older:
        lines.append(
            "Older keys still active for checks: "
            + ", ".join(f"{kid} ({used(kid)})" for kid in older)
            + "."
        )
    else:
        lines.append("No older keys are active.")
    if orphaned:
        lines.append(
            "Warning: fingerprints made under keys no longer in the ring can never match "
            "again: " + ", ".join(f"{kid} ({n})" for kid, n in sorted(orphaned.items())) + "."
        )
    new = next_kid(ring)
    lines += [
        "",
        "To rotate:",
        f"  1. Make a key (goodstanding identity generate-key --kid {new}) and add it FIRST as "
        f"{new!r} in GOODSTANDING_IDENTITY_KEYS or the key file, keeping every present key "
        "after it.",
        f"     {new} becomes current; the present keys ({', '.join(ring.kids)}) stay active, "
        "so existing fingerprints (and blocks) are still recognised.",
        "  2. Nothing is recomputed in bulk (the raw values are not kept): each identity is "
        "re-fingerprinted under the current key the next time it is verified, and blocks "
        "found under an older key are carried forward to the new fingerprint.",
        "  3. Retire a key (remove it from the configuration) only when no fingerprint uses it"
        "; retiring a key still in use forgets those identities, and blocked people could "
        "register again.",
        "",
    ]
    if free:
        lines.append("Can be retired now (no fingerprint uses them): " + ", ".join(free) + ".")
    elif older:
        lines.append("No key can be retired yet: every older key still has fingerprints in use.")
    else:
        lines.append("Nothing to retire.")
    lines.append(
        "If a key has leaked, rotate and retire it at once: its fingerprints can be reversed by "
        "brute force by whoever holds it, so they protect no one."
    )
    return "\n".join(lines)
