"""One error shape for every API error:

    {"errors": [{"field": "due_year", "code": "invalid", "detail": "Enter a number."}]}

`field` names the query parameter or body field at fault (null when the error is not about one field).
Domain errors raised by the services are translated here: Django's ValidationError → 400,
PermissionDenied → 403, EditConflict → 409 (with the entry's current version)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from activities.services import EditConflict

NON_FIELD_KEYS = {"non_field_errors", "__all__"}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The resource has changed."


def _flatten(detail, field=None) -> list[dict]:
    """DRF's nested error details → a flat list of {field, code, detail}; nested fields are dotted."""
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            name = None if key in NON_FIELD_KEYS else (f"{field}.{key}" if field else str(key))
            errors.extend(_flatten(value, name if key not in NON_FIELD_KEYS else field))
        return errors
    if isinstance(detail, list):
        errors = []
        for index, value in enumerate(detail):
            # A list of errors for one field stays on that field; a list of objects gets an index.
            nested = f"{field}[{index}]" if isinstance(value, dict) and field else field
            errors.extend(_flatten(value, nested))
        return errors
    return [{"field": field, "code": getattr(detail, "code", None) or "error", "detail": str(detail)}]


def _from_django_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            (key if key not in NON_FIELD_KEYS else "non_field_errors"): [
                exceptions.ErrorDetail(message, code=error.code or "invalid")
                for error in errors
                for message in error.messages
            ]
            for key, errors in exc.error_dict.items()
        }
    else:
        detail = [exceptions.ErrorDetail(message, code=exc.code or "invalid") for message in exc.messages]
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    extra = {}
    if isinstance(exc, EditConflict):
        extra = {"current_version": exc.current.version}
        exc = Conflict(
            {"version": [exceptions.ErrorDetail(str(exc), code="stale_version")]},
        )
    elif isinstance(exc, DjangoValidationError):
        exc = _from_django_validation_error(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling (and logging) takes over
    response.data = {"errors": _flatten(exc.detail)} | extra
    view = context.get("view")
    if view is not None and hasattr(view, "use_json_for_errors"):
        view.use_json_for_errors(context["request"])
    return response
