"""Puts the language chosen at sign-in (accounts.signals) into the browser's language cookie."""

from django.conf import settings

from .signals import COOKIE_LANGUAGE_ATTR


def set_language_cookie(response, language: str) -> None:
    """The same cookie as django.views.i18n.set_language sets."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LanguageCookieMiddleware:
    """After a sign-in applied the user's profile language, remember it in the cookie, so that later
    requests are in that language without reading the profile again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, COOKIE_LANGUAGE_ATTR, None)
        if language:
            set_language_cookie(response, language)
        return response
