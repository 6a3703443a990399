"""Protections that are not about who may do what (that is activities.permissions), but about abuse:
the client's address behind a TLS proxy, limits on failed guesses (API tokens, reporting links), the
request-size limit and shorter idle sessions for staff. Two-factor sign-in is activities.two_factor.

Sign-in and admin-login lockouts are django-axes (settings AXES_*); it asks client_ip() for the address."""

import math
import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The client's IP address. Behind TRUSTED_PROXY_COUNT proxies (the TLS proxy sets X-Forwarded-For),
    the address the nearest trusted proxy saw; otherwise REMOTE_ADDR. The header is never trusted
    without proxies, so that a client cannot choose its own address to dodge a lockout."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies:
        forwarded = [
            ip.strip() for ip in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if ip.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return remote


class FailureLimiter:
    """Counts failed guesses per client address in Django's cache; after `limit` failures within
    `window` seconds, further attempts from that address are refused (whether right or wrong, or the
    limit would not stop guessing) until the window has passed. Other addresses are not affected."""

    def __init__(self, scope: str, *, limit_setting: str, window_setting: str):
        self.scope = scope
        self.limit_setting = limit_setting
        self.window_setting = window_setting

    @property
    def limit(self) -> int:
        return getattr(settings, self.limit_setting)

    @property
    def window(self) -> int:
        return getattr(settings, self.window_setting)

    def _key(self, request) -> str:
        return f"failures:{self.scope}:{client_ip(request)}"

    def retry_after(self, request) -> int | None:
        """Seconds until this client may try again, or None if it may try now."""
        state = cache.get(self._key(request))
        if state is None or state["count"] < self.limit:
            return None
        return max(1, math.ceil(state["until"] - time.time()))

    def record_failure(self, request) -> None:
        key = self._key(request)
        now = time.time()
        state = cache.get(key)
        if state is None or state["until"] <= now:
            state = {"count": 0, "until": now + self.window}
        state["count"] += 1
        cache.set(key, state, timeout=max(1, math.ceil(state["until"] - now)))


token_failures = FailureLimiter(
    "api-token", limit_setting="API_TOKEN_FAILURE_LIMIT", window_setting="API_TOKEN_FAILURE_WINDOW"
)
link_failures = FailureLimiter(
    "reporting-link",
    limit_setting="REPORTING_LINK_FAILURE_LIMIT",
    window_setting="REPORTING_LINK_FAILURE_WINDOW",
)


def lockout_response(request, original_response, credentials):
    """django-axes' answer to a locked-out sign-in (the sign-in page or the admin login): a page that
    says why and for how long, with status 429."""
    from django.shortcuts import render

    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than REQUEST_MAX_BODY_MB (the evidence limit plus a margin for
    the form's other fields) from its Content-Length header, before any of the body is read, so that a
    120 MB upload is not written to disk in full first. Django reads no more than Content-Length, so a
    body longer than its header is cut there. Answers 413: JSON in the API's error shape under /api/, a
    page elsewhere. The TLS proxy should refuse such bodies even earlier (nginx: client_max_body_size)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_MAX_BODY_MB * 1024 * 1024
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return self.too_large(request)
        return self.get_response(request)

    def too_large(self, request):
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext

        message = gettext(
            "The request is too large: at most %(limit)s MB can be sent at once "
            "(evidence files: at most %(evidence)s MB each)."
        ) % {"limit": settings.REQUEST_MAX_BODY_MB, "evidence": settings.EVIDENCE_MAX_UPLOAD_MB}
        if request.path.startswith("/api/"):
            body = {"errors": [{"field": None, "code": "request_too_large", "detail": message}]}
            response = JsonResponse(body, status=413)
        else:
            response = render(request, "request_too_large.html", {"message": message}, status=413)
        response["Connection"] = "close"  # the rest of the body is not read
        return response


class PermissionsPolicyMiddleware:
    """Permissions-Policy: switch off the browser features the app never uses (settings.PERMISSIONS_POLICY)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


# Staff sessions: the idle clock is re-armed by saving the session, at most this often; so a staff
# account is signed out between STAFF_SESSION_IDLE_MINUTES - 5 and STAFF_SESSION_IDLE_MINUTES idle.
STAFF_SEEN_KEY = "staff_seen"
STAFF_RESAVE_SECONDS = 300


def is_staff_account(user) -> bool:
    """The Secretariat's members and superusers (is_staff, not the group, so that no request pays a
    query for it)."""
    return user.is_staff or user.is_superuser


def arm_staff_session(sender, request, user, **kwargs):
    """user_logged_in: a staff account's session starts with the short idle expiry. Signing in saves
    the session anyway, so the first request after it has nothing to write."""
    if is_staff_account(user) and hasattr(request, "session"):
        request.session[STAFF_SEEN_KEY] = int(time.time())
        request.session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)


class StaffSessionMiddleware:
    """Staff accounts are signed out after STAFF_SESSION_IDLE_MINUTES without a request; everyone else
    keeps SESSION_COOKIE_AGE. The expiry counts from the session's last save (Django stores it relative),
    so requests re-arm it by re-saving the session, but at most every STAFF_RESAVE_SECONDS: most
    requests write nothing. A session that has not got the staff expiry yet (the account became staff
    while signed in, or the setting changed) gets it at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_staff_account(user):
            seconds, now = settings.STAFF_SESSION_IDLE_MINUTES * 60, int(time.time())
            session = request.session
            stale = now - session.get(STAFF_SEEN_KEY, 0) >= STAFF_RESAVE_SECONDS
            if session.get("_session_expiry") != seconds or stale:
                session[STAFF_SEEN_KEY] = now
                session.set_expiry(seconds)
        return self.get_response(request)
