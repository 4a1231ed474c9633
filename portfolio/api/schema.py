"""The OpenAPI schema documents the errors every operation can answer, with their bodies.

Descriptions in the schema are English, like the rest of the schema; the messages in the bodies are
translated to the request's language.

drf-spectacular documents only the success answer by default; a client (and Schemathesis) then meets
undocumented 400, 401 and 404 answers. Each operation here gains the ones it can really give:
- 401 when it needs authentication (the token challenge in `WWW-Authenticate`);
- 404 when its path names an object (one the user may not see is 404 too) or its list is paginated;
- 400 when it takes query parameters or a body (each field's messages under its name).
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import permissions, serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={"detail": serializers.CharField(help_text="What went wrong, in the reader's language.")},
)


FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "The messages of each refused field (or parameter) under its name.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"as_of": ["Give the date as YYYY-MM-DD."]},
}
# A body that is not JSON at all has no field to name: its 400 is `{"detail": "..."}`.
VALIDATION_ERROR_SCHEMA = {
    "oneOf": [
        FIELD_ERRORS_SCHEMA,
        {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
            "additionalProperties": False,
        },
    ]
}


def error_responses(*, authenticated: bool, lookup: bool, validated: bool) -> dict:
    responses = {}
    if validated:
        responses["400"] = OpenApiResponse(VALIDATION_ERROR_SCHEMA, description="The input was refused.")
    if authenticated:
        responses["401"] = OpenApiResponse(ErrorSerializer, description="No valid token or session.")
    if lookup:
        responses["404"] = OpenApiResponse(
            ErrorSerializer, description="No such object, or not one this user may see."
        )
    return responses


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = error_responses(
            authenticated=self._needs_authentication(),
            lookup="{" in self.path or self._get_paginator() is not None,
            # A POST may always be refused (a malformed header, or the service's rules).
            validated=self.method != "GET"
            or any(p["in"] in ("query", "header") for p in self._get_parameters()),
        )
        for code, response in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            # Ids are PostgreSQL bigints; the routes take 1 to 18 digits (a longer one is a JSON 404).
            if parameter["in"] == "path" and parameter["name"] == "id":
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}
        return parameters

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if status_code == "401":
            headers["WWW-Authenticate"] = {
                "schema": {"type": "string"},
                "description": "The authentication scheme to use: `Token`.",
            }
        return headers

    def _needs_authentication(self) -> bool:
        return not all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())


# Where a write's answer leads: the OpenAPI links that let a client (and Schemathesis's stateful phase)
# act on what it just created. (source path, method, status) -> {link name: (target path, method, id)}.
_PROJECT, _DISBURSEMENT = "/api/v1/projects/{id}/", "/api/v1/disbursements/{id}/"
LINKS = {
    ("/api/v1/funds/{slug}/projects/", "post", "201"): {
        "GetProject": (_PROJECT, "get", "$response.body#/id"),
        "RequestDisbursement": (_PROJECT + "disbursements/", "post", "$response.body#/id"),
        "RecordReceipt": (_PROJECT + "receipts/", "post", "$response.body#/id"),
        "RecordValuation": (_PROJECT + "valuations/", "post", "$response.body#/id"),
    },
    ("/api/v1/projects/{id}/disbursements/", "post", "201"): {
        "GetDisbursement": (_DISBURSEMENT, "get", "$response.body#/id"),
        "Approve": (_DISBURSEMENT + "approve/", "post", "$response.body#/id"),
        "Reject": (_DISBURSEMENT + "reject/", "post", "$response.body#/id"),
    },
    ("/api/v1/disbursements/{id}/approve/", "post", "200"): {
        "Pay": (_DISBURSEMENT + "pay/", "post", "$response.body#/id"),
    },
    ("/api/v1/disbursements/{id}/pay/", "post", "200"): {
        "Reverse": (_DISBURSEMENT + "reverse/", "post", "$response.body#/id"),
    },
    ("/api/v1/funds/{slug}/capital-calls/", "get", "200"): {
        "PayFirstItem": (
            "/api/v1/capital-call-items/{id}/payments/",
            "post",
            "$response.body#/results/0/items/0/id",
        ),
    },
}


def add_links(result, generator, request, public):
    """drf-spectacular post-processing hook: put LINKS into the responses they start from."""
    paths = result["paths"]
    for (path, method, code), links in LINKS.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(code)
        if response is None:
            continue
        response["links"] = {
            name: {"operationId": paths[target][verb]["operationId"], "parameters": {"id": source}}
            for name, (target, verb, source) in links.items()
            if verb in paths.get(target, {})
        }
    return result
