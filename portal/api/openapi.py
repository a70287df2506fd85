"""The OpenAPI 3.1 description of the buyers' API: every endpoint, its parameters, the bearer token scheme and
the shape of every answer (tests check the API against it with schemathesis)."""

from __future__ import annotations

CREDIT_CODE = {"type": "string", "maxLength": 18,
               "description": "Unified social credit code (GB 32100-2015), or a legacy code of 18 characters the "
                              "platform accepted."}
NUMBER = {"type": ["number", "null"]}
TEXT = {"type": ["string", "null"]}
WHEN = {"type": ["string", "null"], "format": "date-time"}


def _object(properties: dict, *, nullable: bool = False, required: list | None = None) -> dict:
    schema = {"type": ["object", "null"] if nullable else "object", "properties": properties,
              "required": required if required is not None else list(properties), "additionalProperties": False}
    return schema


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


SCHEMAS = {
    "Error": _object({"error": {"type": "string"}, "message": {"type": "string"}}),
    "LatestAssessment": _object({
        "year": {"type": "integer"}, "benchmark": {"type": "string"}, "self_score": NUMBER, "self_grade": TEXT,
        "verified_score": NUMBER, "verified_grade": TEXT}, nullable=True),
    "CreditRating": _object({"year": {"type": "integer"}, "level": {"enum": ["green", "blue", "yellow", "red"]},
                             "score": NUMBER}, nullable=True),
    "Progress": _object({"plan_status": TEXT, "funding_status": TEXT}, nullable=True),
    "Supplier": _object({
        "credit_code": {"type": "string", "maxLength": 18}, "name": {"type": "string"}, "name_en": TEXT,
        "tier": {"type": "integer", "enum": [1, 2]},
        "latest_assessment": {"$ref": "#/components/schemas/LatestAssessment"},
        "credit_rating": {"$ref": "#/components/schemas/CreditRating"},
        "open_violations": {"type": "integer", "minimum": 0},
        "progress": {"$ref": "#/components/schemas/Progress"}}),
    "SupplierPage": _object({
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Supplier"}},
        "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        "total": {"type": "integer", "minimum": 0}, "pages": {"type": "integer", "minimum": 1},
        "links": _object({"self": {"type": "string"}, "first": {"type": "string"}, "last": {"type": "string"},
                          "next": TEXT, "prev": TEXT})}),
    "Report": _object({
        "year": {"type": "integer"}, "site": {"type": "string"}, "accepted_at": WHEN,
        "figures": {"type": "object", "additionalProperties": _object({"value": NUMBER, "unit": {"type": "string"}})},
        "ghg": _object({"scope1_tco2": NUMBER, "scope2_tco2": NUMBER, "total_tco2": NUMBER,
                        "intensity_tco2_per_10k_yuan": NUMBER, "factors_unconfirmed": {"type": "boolean"}},
                       nullable=True)}),
    "Assessment": _object({
        "year": {"type": "integer"},
        "benchmark": _object({"key": {"type": "string"}, "version": {"type": "integer"}, "title": {"type": "string"},
                              "title_en": TEXT}),
        "self_score": NUMBER, "self_grade": TEXT, "submitted_at": WHEN, "verified_score": NUMBER,
        "verified_grade": TEXT, "verified_at": WHEN}),
}


def _list_of(ref: str) -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": ref}}},
            "required": ["items"], "additionalProperties": False}


def _operation(operation_id: str, summary: str, schema: dict, *, parameters: list | None = None,
               not_found: bool = False) -> dict:
    responses = {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
                 "401": {**_error("Missing, unknown or revoked token."),
                         "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}},
                 "405": {**_error("Only GET is allowed."), "headers": {"Allow": {"schema": {"type": "string"}}}},
                 "429": _error("Too many requests with this token (or, without a valid token, from this address); "
                               "wait and retry.")}
    if parameters and not not_found:
        responses["400"] = _error("A parameter is not valid.")
    if not_found:
        responses["404"] = _error("No supplier with this credit code is in your chain.")
    return {"get": {"operationId": operation_id, "summary": summary, "parameters": parameters or [],
                    "responses": responses}}


def document(server_url: str) -> dict:
    code = [{"name": "credit_code", "in": "path", "required": True, "schema": CREDIT_CODE}]
    paging = [{"name": "page", "in": "query", "required": False,
               "schema": {"type": "integer", "minimum": 1, "maximum": 100_000_000, "default": 1}},
              {"name": "per_page", "in": "query", "required": False,
               "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Green Supply Chain Portal: buyers' API", "version": "1",
                 "description": "Read-only. The suppliers of your chain, with what each supplier shared with your "
                                "organisation: assessments, accepted annual reports, and the status of upgrade plans "
                                "and funding applications where the supplier shows its progress. Tokens are created "
                                "by your organisation's admins on the API tokens page."},
        "servers": [{"url": server_url}],
        "security": [{"bearerToken": []}],
        "paths": {
            "/v1/suppliers": _operation("listSuppliers", "The suppliers of your chain, a page at a time",
                                        {"$ref": "#/components/schemas/SupplierPage"}, parameters=paging),
            "/v1/suppliers/{credit_code}": _operation(
                "getSupplier", "One supplier of your chain", {"$ref": "#/components/schemas/Supplier"},
                parameters=code, not_found=True),
            "/v1/suppliers/{credit_code}/reports": _operation(
                "listSupplierReports", "Accepted annual reports the supplier shared with you",
                _list_of("#/components/schemas/Report"), parameters=code, not_found=True),
            "/v1/suppliers/{credit_code}/assessments": _operation(
                "listSupplierAssessments", "Submitted assessments the supplier shared with you",
                _list_of("#/components/schemas/Assessment"), parameters=code, not_found=True),
        },
        "components": {
            "securitySchemes": {"bearerToken": {"type": "http", "scheme": "bearer",
                                                "description": "An API token of your organisation."}},
            "schemas": SCHEMAS,
        },
    }
