"""Request-rate limits (DRF throttles; the rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]):
anonymous clients per IP address, signed-in users per account, and tokens per token, so that two
systems of one partner do not starve each other. A throttled request gets 429 with Retry-After."""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from activities.models import APIToken


class AnonymousThrottle(AnonRateThrottle):
    scope = "anon"


class UserOrTokenThrottle(UserRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # AnonymousThrottle counts these
        token = request.auth
        ident = f"token-{token.pk}" if isinstance(token, APIToken) else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
