"""Identity keys: generate one, and where a rotation stands (which old keys may go)."""

from __future__ import annotations

from typing import Annotated

import typer

from goodstanding.cli.common import (
    JsonOption,
    KeyOutOption,
    fail,
    failing_on,
    open_store,
    out,
    print_json,
    safe,
    write_key,
)
from goodstanding.identity import KeyRingError, generate_key, load_keyring
from goodstanding.identity.keys import key_line
from goodstanding.identity.rotate import count_by_kid, retirable, rotation_plan
from goodstanding.queries.identity import fingerprints_in_use


def identity_generate_key(
    kid: Annotated[str, typer.Option(help="The key id to give it.")] = "k1",
    out_file: KeyOutOption = None,
) -> None:
    """Print a new random identity key as `KID:BASE64`, for GOODSTANDING_IDENTITY_KEYS or a
    key file (kept outside the database; never commit it); --out writes it as a new key file.

    Example: goodstanding identity generate-key --kid k2 --out /etc/goodstanding/identity.key
    """
    write_key(out_file, key_line(kid, generate_key()) + "\n")


def identity_rotate(
    retire_kid: Annotated[
        str | None,
        typer.Option(
            "--retire", help="Check that this old key may be retired (no fingerprint uses it)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Explain the key-rotation procedure and where this installation stands: which keys
    fingerprints use, and which old keys may be retired.

    Example: goodstanding identity rotate --retire k1
    """
    with open_store() as store:  # the default database's local key file, if it has one
        with failing_on(KeyRingError):
            loaded = load_keyring()
        counts = count_by_kid(fingerprints_in_use(store))
    free = retirable(loaded.ring, counts)
    if as_json:
        print_json(
            {
                "current": loaded.ring.current.kid,
                "active": list(loaded.ring.kids),
                "fingerprints_by_key": counts,
                "retirable": free,
            }
        )
    else:
        out.print(safe(rotation_plan(loaded.ring, counts), multiline=True), highlight=False)
    if retire_kid is not None:
        if retire_kid not in free:
            if retire_kid == loaded.ring.current.kid:
                why = "it is the current key (rotate to a new one first)"
            elif retire_kid in loaded.ring.kids:
                why = f"{counts.get(retire_kid, 0)} stored fingerprint(s) still use it"
            else:
                why = "it is not one of the configured keys"
            raise fail(f"key {retire_kid!r} cannot be retired: {why}", 1)
        if not as_json:
            out.print(
                f"key {safe(repr(retire_kid))} may be retired: no stored fingerprint uses it; "
                "remove it from the configured keys"
            )
