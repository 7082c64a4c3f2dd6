"""The suite's throwaway PostgreSQL server and its per-test databases."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from pgserver import PostgresServer


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_server_accepts_connections(postgres_server: PostgresServer) -> None:
    engine = create_engine(postgres_server.url("postgres"))
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version_num")).scalar_one()
            fsync = conn.execute(text("SHOW fsync")).scalar_one()
    finally:
        engine.dispose()
    assert int(version) >= 150000
    assert fsync == "off"


@pytest.mark.postgres
def test_postgres_urls_are_distinct_empty_databases(
    postgres_url: str, request: pytest.FixtureRequest
) -> None:
    # A second database in the same test: the fixture gives one per test.
    server: PostgresServer = request.getfixturevalue("postgres_server")
    other_url = server.create_database("test_other_empty")
    try:
        first, second = make_url(postgres_url), make_url(other_url)
        assert first.drivername == "postgresql+psycopg"
        assert (first.host, first.port) == ("127.0.0.1", server.port)
        assert first.database != second.database
        assert _tables(postgres_url) == []
        assert _tables(other_url) == []
    finally:
        server.drop_database("test_other_empty")


@pytest.mark.postgres
def test_table_in_one_database_is_invisible_in_another(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    other_url = postgres_server.create_database("test_other_isolated")
    try:
        engine = create_engine(postgres_url)
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE widgets (id integer PRIMARY KEY)"))
                conn.execute(text("INSERT INTO widgets VALUES (1)"))
        finally:
            engine.dispose()
        assert _tables(postgres_url) == ["widgets"]
        assert _tables(other_url) == []
    finally:
        postgres_server.drop_database("test_other_isolated")


_seen_urls: list[str] = []


@pytest.mark.postgres
@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_gets_its_own_database(postgres_url: str, attempt: int) -> None:
    assert postgres_url not in _seen_urls
    _seen_urls.append(postgres_url)
    assert _tables(postgres_url) == []


def test_db_url_runs_on_both_backends(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()
