"""Request middleware for the strategy domain."""

from django.contrib.auth import logout
from django.utils import timezone

from .models import ReportingLink

LINK_SESSION_KEY = "reporting_link_id"


class ReportingLinkScopeMiddleware:
    """A user who signed in with a reporting link acts for that link's one Range State only, and only
    while the link is valid: withdrawing or expiring it ends the session on the next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        link_id = request.session.get(LINK_SESSION_KEY) if hasattr(request, "session") else None
        if link_id and request.user.is_authenticated:
            link = ReportingLink.objects.filter(pk=link_id, user=request.user).first()
            if link is None or link.revoked_at is not None or link.expires_at <= timezone.now():
                logout(request)
            else:
                request.user.reporting_link_state_id = link.range_state_id
        return self.get_response(request)
