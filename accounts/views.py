"""The language switcher's target: Django's set_language (the cookie), plus the profile when signed in."""

from django.conf import settings
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .models import interface_language_codes
from .services import profile_set_language


@require_POST
def set_language(request):
    """Like django.views.i18n.set_language (POST `language` and `next`; sets the cookie and redirects
    back), and for a signed-in user also remembers the choice on their profile."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if language not in interface_language_codes():
        # Django's view accepts any language it has a catalogue for; this site offers LANGUAGES only.
        response.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    elif request.user.is_authenticated:
        profile_set_language(user=request.user, language=language)
    return response
