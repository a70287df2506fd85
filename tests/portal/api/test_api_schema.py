"""Schemathesis against the API's own OpenAPI document (in process, WSGI): no 5xx, and every answer matches the
documented status codes, content types, headers and schemas; then the same checks on the answers about real
suppliers, which generated credit codes never hit."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def api_schema(app, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "100000 per minute")
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


def test_generated_requests_get_documented_answers(api_schema, chain):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 4

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=chain.headers, checks=CHECKS)

        check()


def test_answers_about_real_suppliers_match_the_document(api_schema, chain):
    code = chain.suppliers[0].credit_code
    for path, parameters in (("/v1/suppliers", {}), ("/v1/suppliers/{credit_code}", {"credit_code": code}),
                             ("/v1/suppliers/{credit_code}/reports", {"credit_code": code}),
                             ("/v1/suppliers/{credit_code}/assessments", {"credit_code": code})):
        case = api_schema[path]["GET"].Case(path_parameters=parameters)
        response = case.call_and_validate(headers=chain.headers, checks=CHECKS)
        assert response.status_code == 200, path
    case = api_schema["/v1/suppliers"]["GET"].Case()
    assert case.call_and_validate(checks=CHECKS).status_code == 401  # and the 401 is as documented
