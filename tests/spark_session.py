"""A local Spark session for the tests that read exported files with Spark: one per test
session (starting the JVM takes seconds), two cores, no web UI, quiet logs.

Test modules import the fixture: `from spark_session import spark  # noqa: F401`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """A SparkSession on local[2], stopped when the test session ends."""
    session = (
        SparkSession.builder.master("local[2]")
        .appName("goodstanding-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", "-Dlog4j2.level=ERROR")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
