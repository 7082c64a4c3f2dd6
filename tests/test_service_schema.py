"""Schemathesis over the whole OpenAPI schema with a token of each role, on SQLite and on
PostgreSQL: no 5xx, and every response valid against the schema (bounded: 10 examples an
operation, each sent with every role)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from goodstanding.service.tokens import ROLES
from service_helpers import make_api

BOUNDED = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def test_every_operation_with_every_role(db_url: str) -> None:
    api = make_api(db_url)
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {"/v1/check", "/v1/audit", "/v1/checkpoint"} <= {op.path for op in operations}
    for operation in operations:

        @BOUNDED
        @given(operation.as_strategy())
        def every_role(case: schemathesis.Case) -> None:
            for role in ROLES:
                response = case.call(headers=api.as_(role))
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )

        every_role()
