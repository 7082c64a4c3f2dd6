"""Key rings, key loading and rotation (goodstanding.identity.keys, .rotate)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from goodstanding.identity import (
    ENV_KEYFILE,
    ENV_KEYS,
    Key,
    KeyRing,
    KeyRingError,
    MissingKeyError,
    candidates,
    count_by_kid,
    fingerprint,
    generate_key,
    key_line,
    load_keyring,
    parse_keyfile,
    parse_keys,
    retirable,
    retire,
    rotate,
    rotation_plan,
    validate,
)
from goodstanding.keyfiles import KeyFileError, write_new_key_file

K1 = generate_key()
K2 = generate_key()
K3 = generate_key()


def secret(text: str) -> bytes:
    return base64.b64decode(text)


def test_generate_key_is_32_random_bytes() -> None:
    assert len(secret(K1)) == 32
    assert K1 != K2
    assert len(secret(generate_key(64))) == 64
    with pytest.raises(KeyRingError):
        generate_key(16)


def test_env_keys_first_is_current() -> None:
    loaded = load_keyring({ENV_KEYS: f"k2:{K2}, k1:{K1}"})
    assert loaded.ring.current == Key("k2", secret(K2))
    assert loaded.ring.kids == ("k2", "k1")
    assert loaded.source == f"${ENV_KEYS}"


def test_urlsafe_and_unpadded_base64_accepted() -> None:
    raw = bytes(range(200, 240))
    text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert parse_keys(f"k1:{text}").current.secret == raw


def test_missing_key_says_how_to_set_one() -> None:
    with pytest.raises(MissingKeyError) as caught:
        load_keyring({})
    message = str(caught.value)
    assert ENV_KEYS in message and ENV_KEYFILE in message and "generate-key" in message
    with pytest.raises(MissingKeyError):
        load_keyring({ENV_KEYS: "  "})
    with pytest.raises(MissingKeyError):
        load_keyring({ENV_KEYFILE: "/nonexistent/goodstanding/keys"})


def test_short_key_refused() -> None:
    short = base64.b64encode(os.urandom(31)).decode()
    with pytest.raises(KeyRingError, match="at least 32 bytes"):
        load_keyring({ENV_KEYS: f"k1:{short}"})
    with pytest.raises(KeyRingError, match="at least 32 bytes"):
        Key("k1", b"secret")


def test_placeholder_key_refused() -> None:
    with pytest.raises(KeyRingError, match="not random"):
        Key("k1", bytes(32))


@pytest.mark.parametrize(
    "text",
    [
        "k1",
        "k1:",
        ":abc",
        "k1:not base64!",
        f"k:1:{K1}",
        f"k1:{K1},k1:{K2}",
        f"k1:{K1},k2:{K1}",
    ],
    # the generated keys stay out of the test ids, which must not change between runs
    ids=["no-colon", "no-key", "no-id", "not-base64", "colon-in-id", "id-twice", "key-twice"],
)
def test_malformed_key_lists(text: str) -> None:
    with pytest.raises(KeyRingError) as caught:
        parse_keys(text)
    assert K1 not in str(caught.value)


def test_errors_and_reprs_never_show_secrets() -> None:
    ring = parse_keys(f"k1:{K1}")
    assert K1 not in repr(ring) and repr(secret(K1)) not in repr(ring.current)
    assert "k1" in repr(ring)


def test_both_sources_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text(f"k1 {K1}\n")
    with pytest.raises(KeyRingError, match="not both"):
        load_keyring({ENV_KEYS: f"k1:{K1}", ENV_KEYFILE: str(path)})


def test_key_file_lines(tmp_path: Path) -> None:
    path = tmp_path / "identity.keys"
    path.write_text(f"# identity keys, first is current\nk2 {K2}\n\nk1 {K1}  # old\n")
    path.chmod(0o600)
    loaded = load_keyring({ENV_KEYFILE: str(path)})
    assert loaded.ring.kids == ("k2", "k1")
    assert loaded.source == str(path)


def test_key_file_toml(tmp_path: Path) -> None:
    path = tmp_path / "identity.toml"
    path.write_text(f'current = "k2"\n[keys]\nk1 = "{K1}"\nk2 = "{K2}"\n')
    path.chmod(0o600)
    assert load_keyring({ENV_KEYFILE: str(path)}).ring.kids == ("k2", "k1")
    assert parse_keyfile(f'[keys]\nk3 = "{K3}"\nk2 = "{K2}"\n').kids == ("k3", "k2")
    with pytest.raises(KeyRingError, match="names no key"):
        parse_keyfile(f'current = "k9"\n[keys]\nk1 = "{K1}"\n')
    with pytest.raises(MissingKeyError):
        parse_keyfile("[keys]\n", toml=True)
    with pytest.raises(MissingKeyError):
        parse_keyfile("# nothing here\n")


@pytest.mark.parametrize(
    ("mode", "who"),
    [(0o644, "group and others"), (0o640, "group"), (0o604, "others"), (0o620, "group")],
)
def test_a_key_file_open_to_group_or_others_is_refused(tmp_path: Path, mode: int, who: str) -> None:
    path = tmp_path / "keys"
    path.write_text(f"k1 {K1}\n")
    path.chmod(mode)
    with pytest.raises(KeyRingError) as caught:
        load_keyring({ENV_KEYFILE: str(path)})
    assert who in str(caught.value) and "chmod 600" in str(caught.value)
    assert K1 not in str(caught.value)


def test_key_file_lines_take_the_generated_form_too(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    write_new_key_file(path, key_line("k2", K2) + "\n" + f"k1 {K1}\n")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert load_keyring({ENV_KEYFILE: str(path)}).ring.kids == ("k2", "k1")
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        write_new_key_file(path, "k3:x\n")
    assert K2 in path.read_text()


def test_ring_operations() -> None:
    ring = KeyRing.of(("k1", secret(K1)))
    two = ring.with_current(Key("k2", secret(K2)))
    assert two.kids == ("k2", "k1") and two.current.kid == "k2"
    assert "k1" in two and two.get("k1") == ring.current and two.get("k0") is None
    assert two.without("k1").kids == ("k2",)
    with pytest.raises(KeyRingError, match="current"):
        two.without("k2")
    with pytest.raises(KeyRingError):
        two.without("k9")
    with pytest.raises(MissingKeyError):
        KeyRing([])
    with pytest.raises(KeyRingError):
        Key("k:1", secret(K1))


# -- rotation -----------------------------------------------------------------------------------


def test_rotation_keeps_old_fingerprints_findable_until_retired() -> None:
    identity = validate("phone", "+86 138 0013 8000")
    k1 = KeyRing.of(("k1", secret(K1)))
    stored = fingerprint(k1, identity)
    assert stored.startswith("k1:")

    k2 = rotate(k1, Key("k2", secret(K2)))
    assert fingerprint(k2, identity).startswith("k2:")
    assert fingerprint(k2, identity) != stored
    assert stored in candidates(k2, identity)
    assert candidates(k2, identity)[0] == fingerprint(k2, identity)

    counts = count_by_kid([stored])
    assert counts == {"k1": 1}
    assert retirable(k2, counts) == []
    with pytest.raises(KeyRingError, match="still has 1"):
        retire(k2, "k1", counts)

    # Re-fingerprinted on the next verification: the k2 fingerprint replaces the k1 one.
    counts = count_by_kid([fingerprint(k2, identity)])
    assert retirable(k2, counts) == ["k1"]
    retired = retire(k2, "k1", counts)
    assert stored not in candidates(retired, identity)
    assert candidates(retired, identity) == (fingerprint(k2, identity),)


def test_rotation_plan_explains_the_procedure() -> None:
    ring = KeyRing.of(("k2", secret(K2)), ("k1", secret(K1)), ("k0", secret(K3)))
    plan = rotation_plan(ring, {"k2": 10, "k1": 3, "old": 2})
    assert "Current key: k2 (10 fingerprints in use)" in plan
    assert "k1 (3 fingerprints in use)" in plan and "k0 (0 fingerprints in use)" in plan
    assert "'k3'" in plan and "FIRST" in plan
    assert "re-fingerprinted" in plan
    assert "Can be retired now (no fingerprint uses them): k0." in plan
    assert "old (2)" in plan
    assert K1 not in plan and K2 not in plan
    single = rotation_plan(KeyRing.of(("k1", secret(K1))), {})
    assert "Nothing to retire." in single
