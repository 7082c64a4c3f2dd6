"""Local key files for a first run on the default database: an identity key and a records
master key made 0600 under ./var/ beside it, used when the environment configures none.

Any other database, or `ingest --require-keys`, never makes or uses them: an operator
configures keys (GOODSTANDING_IDENTITY_KEYS/_KEYFILE, GOODSTANDING_RECORDS_MASTER_KEY/_KEYFILE)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from goodstanding.identity import KeyRingError, generate_key, load_keyring
from goodstanding.identity.keys import ENV_KEYFILE as IDENTITY_KEYFILE
from goodstanding.identity.keys import ENV_KEYS as IDENTITY_KEYS
from goodstanding.identity.keys import key_line
from goodstanding.keyfiles import write_new_key_file
from goodstanding.records import MasterKey, RecordsError, generate_master_key
from goodstanding.records.crypto import ENV_KEY as RECORDS_KEY
from goodstanding.records.crypto import ENV_KEYFILE as RECORDS_KEYFILE
from goodstanding.store import default_url

FOLDER = Path(default_url().removeprefix("sqlite:///")).parent
# (what, its local file, the variable naming a key file, the variables that configure it)
KEYS = (
    ("identity key", FOLDER / "identity.key", IDENTITY_KEYFILE, (IDENTITY_KEYS, IDENTITY_KEYFILE)),
    ("records master key", FOLDER / "records.key", RECORDS_KEYFILE, (RECORDS_KEY, RECORDS_KEYFILE)),
)


def is_default(url: str) -> bool:
    """Whether `url` is the embedded default database (SQLite under ./var/)."""
    return url == default_url()


def _unconfigured() -> list[tuple[str, Path, str]]:
    """The keys the environment configures none of: (what, local file, variable)."""
    return [
        (what, path, variable)
        for what, path, variable, names in KEYS
        if not any(os.environ.get(name, "").strip() for name in names)
    ]


def make_local_keys() -> list[str]:
    """Creates the local key files the environment configures no key for and that do not
    exist yet; a line saying so for each one made. Raises KeyFileError if one cannot be."""
    made = []
    for what, path, _ in _unconfigured():
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        text = key_line("k1", generate_key()) if what == "identity key" else generate_master_key()
        write_new_key_file(path, text + "\n")
        made.append(
            f"made a local {what} in {path} (mode 0600) for the default database; keep it "
            "with the database: without it what it protects cannot be read"
        )
    return made


@contextmanager
def local_keys(url: str) -> Iterator[None]:
    """Within: on the default database, the existing local key files stand for the keys the
    environment does not configure (the environment is put back afterwards)."""
    chosen = {
        variable: str(path)
        for _, path, variable in (_unconfigured() if is_default(url) else [])
        if path.exists()
    }
    before = {name: os.environ.get(name) for name in chosen}
    os.environ.update(chosen)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def key_problems() -> list[str]:
    """Why each key the environment configures cannot be used (a missing or unreadable file,
    a bad key); empty when every configured key loads. Unconfigured keys are not problems."""
    problems = []
    configured = {what for what, _, _, _ in KEYS} - {what for what, _, _ in _unconfigured()}
    if "identity key" in configured:
        try:
            load_keyring()
        except KeyRingError as error:
            problems.append(str(error))
    if "records master key" in configured:
        try:
            MasterKey.from_env()
        except RecordsError as error:
            problems.append(str(error))
    return problems
