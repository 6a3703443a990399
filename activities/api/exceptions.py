"""One error shape for every API error:

    {"errors": [{"field": "due_year", "code": "invalid", "detail": "Enter a number."}]}

`field` names the query parameter or body field at fault (null when the error is not about one field).
`detail` is in the request's language (Accept-Language); `code` never changes with it, so clients test it.
Domain errors raised by the services are translated here: Django's ValidationError → 400,
PermissionDenied → 403, EditConflict → 409 (with the entry's current version). An unexpected error is
a 500 in the same shape (and logged as Django logs a 500); so are URLs under /api/ that match no route
(not_found, server_error: the project's handler404 and handler500)."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from activities.services import EditConflict

NON_FIELD_KEYS = {"non_field_errors", "__all__"}
API_PREFIX = "/api/"
SERVER_ERROR = "The server could not answer this request. The error has been logged; try again later."
logger = logging.getLogger("django.request")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _("The resource has changed.")


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
    if response is None:  # an unexpected error: logged as Django logs a 500, answered in the error shape
        request = context.get("request")
        logger.error(
            "Internal Server Error: %s",
            getattr(request, "path", "?"),
            exc_info=exc,
            extra={"status_code": 500, "request": getattr(request, "_request", request)},
        )
        response = Response(status=status.HTTP_500_INTERNAL_SERVER_ERROR)
        exc = exceptions.APIException(SERVER_ERROR, code="server_error")
    response.data = {"errors": _flatten(exc.detail)} | extra
    view = context.get("view")
    if view is not None and hasattr(view, "use_json_for_errors"):
        view.use_json_for_errors(context["request"])
    return response


def _error(status_code: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"errors": [{"field": None, "code": code, "detail": detail}]}, status=status_code)


def not_found(request, exception):
    """handler404: under /api/, the error shape; elsewhere Django's page."""
    if request.path.startswith(API_PREFIX):
        return _error(404, "not_found", "No API resource at this address. The API's routes are at /api/v1/.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: under /api/, the error shape; elsewhere Django's page."""
    if request.path.startswith(API_PREFIX):
        return _error(500, "server_error", SERVER_ERROR)
    return defaults.server_error(request)


def bad_request(request, exception):
    """handler400 (e.g. a request body over the size limit): under /api/, the error shape."""
    if request.path.startswith(API_PREFIX):
        return _error(400, "bad_request", str(exception) or "Bad request.")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    """handler403: under /api/, the error shape; elsewhere the project's page."""
    if request.path.startswith(API_PREFIX):
        return _error(403, "permission_denied", str(exception) or "You may not do this.")
    return defaults.permission_denied(request, exception)
