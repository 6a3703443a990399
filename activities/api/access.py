"""What a request's credentials allow at the HTTP level. This module decides nothing about progress
entries themselves: who may create, edit, submit or review an entry is decided by
activities.permissions, which the services call for every write."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions as drf_permissions

from activities.models import APIToken


class TokenScope(drf_permissions.BasePermission):
    """Reads are open to everyone (narrowed per entry by permissions.visible_entries); writes need a
    signed-in user or a read-write token. A read-only token never writes."""

    message = _("This token is read-only: ask the Secretariat for a read-write token to push progress.")

    def has_permission(self, request, view):
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401 for anonymous requests
        token = request.auth
        return not isinstance(token, APIToken) or token.scope == APIToken.Scope.READ_WRITE
