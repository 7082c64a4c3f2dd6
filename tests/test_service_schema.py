"""Schemathesis over the whole OpenAPI schema with a token of each role: no 5xx, and every
response valid against the schema (bounded: 10 examples an operation, each sent with every role)."""

from __future__ import annotations

import tempfile

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from goodstanding.service.tokens import ROLES
from service_helpers import make_api

_API = make_api(f"sqlite:///{tempfile.mkdtemp(prefix='gs-schema-')}/schema.db")
schema = schemathesis.openapi.from_asgi("/openapi.json", _API.client.app)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_with_every_role(case: schemathesis.Case) -> None:
    for role in ROLES:
        response = case.call(headers=_API.as_(role))
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
