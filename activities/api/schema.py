"""OpenAPI schema generation: every operation also documents its error responses (in the one error
shape of exceptions.py), 304 for conditional GETs and the If-None-Match header."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from .serializers import ConflictSerializer, ErrorSerializer

ERRORS = {
    "400": "Invalid query parameter or body; `field` names it.",
    "401": "Missing, unknown or revoked token (or not signed in) where the operation needs a user.",
    "403": "Authenticated, but not allowed (read-only token, or the permission rules refuse it).",
    "404": "No such item (unknown id, slug or code), or one the client may not see.",
    "429": "Too many requests; retry after the number of seconds in the Retry-After header.",
}


class AutoSchema(SpectacularAutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if len(self.map_renderers("format")) > 1:
            parameters.append(
                OpenApiParameter(
                    "format",
                    OpenApiTypes.STR,
                    OpenApiParameter.QUERY,
                    enum=["json", "csv", "xlsx"],
                    description="Response format (or send an Accept header): json (default), csv or xlsx "
                    "(flat columns, header row; lists get pages of up to 10,000 rows).",
                )
            )
        if self.method == "GET":
            parameters.append(
                OpenApiParameter(
                    "If-None-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="The ETag of a previous response: unchanged data is answered with 304 and no body.",
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        wanted = dict(ERRORS)
        if self.method == "GET":
            responses.setdefault(
                "304", {"description": "Not modified: the If-None-Match ETag still matches."}
            )
        if self.method == "GET" and self._is_list_view():
            wanted.pop("404")
        if self.method in ("GET", "HEAD"):
            wanted.pop("403", None)
        for code, description in wanted.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, ["application/json"])
                response["description"] = description
                responses[code] = response
        if self.method == "PATCH" and "409" not in responses:
            response = self._get_response_for_code(ConflictSerializer, "409", ["application/json"])
            response["description"] = "The entry changed since the client read `version`; nothing was saved."
            responses["409"] = response
        return responses


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "activities.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: a key issued by the Secretariat, read-only or read-write, "
            "never allowing more than its owner may do.",
        }
