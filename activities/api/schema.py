"""OpenAPI schema generation: every operation also documents its error responses (in the one error
shape of exceptions.py), 304 for conditional GETs and the If-None-Match header."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from activities.validators import refuse_control_characters

from .serializers import ConflictSerializer, ErrorSerializer

# validators.refuse_control_characters as an OpenAPI (ECMA-262) pattern.
NO_CONTROL_CHARACTERS = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"

ERRORS = {
    "400": _("Invalid query parameter or body; `field` names it."),
    "401": _("Missing, unknown or revoked token (or not signed in) where the operation needs a user."),
    "403": _("Authenticated, but not allowed (read-only token, or the permission rules refuse it)."),
    "404": _("No such item (unknown id, slug or code), or one the client may not see."),
    "429": _("Too many requests; retry after the number of seconds in the Retry-After header."),
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
                    description=_(
                        "Response format (or send an Accept header): json (default), csv or xlsx "
                        "(flat columns, header row; lists get pages of up to 10,000 rows)."
                    ),
                )
            )
        if self.method == "GET":
            parameters.append(
                OpenApiParameter(
                    "If-None-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description=_(
                        "The ETag of a previous response: unchanged data is answered with 304 and no body."
                    ),
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        wanted = dict(ERRORS)
        if self.method == "GET":
            responses.setdefault(
                "304", {"description": _("Not modified: the If-None-Match ETag still matches.")}
            )
        if self.method == "GET" and self._is_list_view():
            # a list has no item to miss (a nested list can miss its strategy), but has pages
            wanted["404"] = "A page beyond the last one." + (
                " Or no such strategy." if "{" in self.path else ""
            )
        if self.method in ("GET", "HEAD"):
            wanted.pop("403", None)
        for code, description in wanted.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, ["application/json"])
                response["description"] = description
                responses[code] = response
        if self.method == "PATCH" and "409" not in responses:
            response = self._get_response_for_code(ConflictSerializer, "409", ["application/json"])
            response["description"] = _(
                "The entry changed since the client read `version`; nothing was saved."
            )
            responses["409"] = response
        return responses

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # An amount has at most decimal_places decimals (0.001 USD is refused): the schema says so.
        if isinstance(field, serializers.DecimalField) and schema.get("type") == "number":
            schema["multipleOf"] = float(Decimal(1).scaleb(-field.decimal_places))
        # Text people enter refuses control characters other than tab and newlines (validators.py).
        if refuse_control_characters in field.validators and schema.get("type") == "string":
            schema["pattern"] = NO_CONTROL_CHARACTERS

    def _map_basic_serializer(self, serializer, direction):
        # Read-only fields are required in responses, except those a serializer leaves out for some
        # readers (Meta.omitted_for_some_readers: e.g. restricted details, for the public).
        schema = super()._map_basic_serializer(serializer, direction)
        omitted = set(getattr(getattr(serializer, "Meta", None), "omitted_for_some_readers", ()))
        if omitted and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in omitted]
            if not schema["required"]:
                del schema["required"]
        return schema


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "activities.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": _(
                "`Token <key>`: a key issued by the Secretariat, read-only or read-write, "
                "never allowing more than its owner may do."
            ),
        }


class StrictFilterExtension(DjangoFilterExtension):
    """The filters' schema as the strict backend (filters.StrictFilterBackend) enforces them: an empty
    value is a 400 naming the parameter, so text parameters have a minimum length and repeated ones
    at least one item (a query string cannot carry null)."""

    target_class = "activities.api.filters.StrictFilterBackend"
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        parameters = super().get_schema_operation_parameters(auto_schema, *args, **kwargs)
        for parameter in parameters:
            schema = parameter["schema"]
            for value in (schema, schema.get("items", {})):
                value.pop("nullable", None)
                if value.get("type") == "string" and not ({"enum", "format"} & set(value)):
                    value.setdefault("minLength", 1)
            if schema.get("type") == "array":
                schema["minItems"] = 1
        return parameters
