"""Shared pytest fixtures."""

from __future__ import annotations

import base64
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgserver import PostgresServer, PostgresUnavailable, running_postgres

pytest_plugins = ["console_fixtures"]

# The CLI's consoles read COLUMNS once, when first imported; a width in the environment of the
# run (parallel workers set one) would then override the width each test gives its invocation.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

# ---------------------------------------------------------------------------
# PostgreSQL: one throwaway server per session, one fresh database per test.
# ---------------------------------------------------------------------------

_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server started for this test session."""
    try:
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as exc:
        pytest.skip(f"no PostgreSQL server can run here: {exc}")


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty PostgreSQL database for this test only."""
    name = f"test_{os.getpid()}_{next(_database_numbers)}"
    yield postgres_server.create_database(name)
    postgres_server.drop_database(name)


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a new, empty database: SQLite or PostgreSQL, one test run for each."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return f"sqlite:///{tmp_path}/gs.db"


TEST_IDENTITY_KEY = "k1:" + base64.b64encode(bytes(range(100, 132))).decode()
TEST_MASTER_KEY = base64.b64encode(bytes(range(1, 33))).decode()


@pytest.fixture(scope="session", autouse=True)
def secret_keys() -> Iterator[None]:
    """Throwaway identity and records keys, as an operator would configure them, for the
    whole session: module-scoped fixtures that ingest a sim stream (group messages,
    identities) need them too. Tests of a missing key remove them with their own
    `monkeypatch`, which puts them back afterwards."""
    with pytest.MonkeyPatch.context() as keys:
        keys.setenv("GOODSTANDING_IDENTITY_KEYS", TEST_IDENTITY_KEY)
        keys.setenv("GOODSTANDING_RECORDS_MASTER_KEY", TEST_MASTER_KEY)
        for name in (
            "GOODSTANDING_IDENTITY_KEYFILE",
            "GOODSTANDING_RECORDS_MASTER_KEYFILE",
            "GOODSTANDING_RECORDS_MASTER_KEY_ID",
        ):
            keys.delenv(name, raising=False)
        yield
