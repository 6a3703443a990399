"""At sign-in, the user's profile language becomes the session's language (and, through
LanguageCookieMiddleware, the browser's language cookie)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

from .models import Profile, interface_language_codes

# Set on the request by the sign-in receiver; the middleware puts it in the response's cookie.
COOKIE_LANGUAGE_ATTR = "_profile_language"


@receiver(user_logged_in, dispatch_uid="accounts.apply_profile_language")
def apply_profile_language(sender, request, user, **kwargs):
    if request is None:
        return
    language = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    if language and language in interface_language_codes():
        translation.activate(language)
        request.LANGUAGE_CODE = language
        setattr(request, COOKIE_LANGUAGE_ATTR, language)
