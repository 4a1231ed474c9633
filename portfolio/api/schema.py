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


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "The messages of each refused field (or parameter) under its name.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"as_of": ["Give the date as YYYY-MM-DD."]},
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
            validated=any(p["in"] == "query" for p in self._get_parameters())
            or self._get_request_body() is not None,
        )
        for code, response in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

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
