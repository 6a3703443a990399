"""Request middleware for the strategy domain."""

from django.contrib.auth import logout
from django.utils import timezone

from . import permissions
from .models import ReportingLink

LINK_SESSION_KEY = "reporting_link_id"


class ReportingLinkScopeMiddleware:
    """A user who signed in with a reporting link acts for that link's one Range State only, and only
    while the link is valid and the account has no staff rights: withdrawing or expiring the link, or
    making the account staff, ends the session on the next request. What the user does counts as the
    link's issuer's too (permissions.credential_issuer_id: separation of duties)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        link_id = request.session.get(LINK_SESSION_KEY) if hasattr(request, "session") else None
        if link_id and request.user.is_authenticated:
            link = ReportingLink.objects.filter(pk=link_id, user=request.user).first()
            if (
                link is None
                or link.revoked_at is not None
                or link.expires_at <= timezone.now()
                or permissions.is_staff_account(request.user)
            ):
                logout(request)
            else:
                request.user.reporting_link_state_id = link.range_state_id
                request.user.credential_issuer_id = link.created_by_id
        return self.get_response(request)
