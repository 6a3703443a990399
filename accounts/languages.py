"""The interface languages, each named in itself (its endonym) from CLDR through Babel, for the switcher."""

from functools import cache

from django.conf import settings
from django.utils.translation import get_language_info

from activities.names import babel_locale


@cache
def endonym(code: str) -> str:
    """The language's name in itself, capitalised as a menu item ("Русский", "فارسی", "English")."""
    locale = babel_locale(code)
    name = locale.get_language_name(locale) or code
    return name[:1].upper() + name[1:]


@cache
def interface_languages() -> tuple[dict, ...]:
    """Each interface language: its code, its name in itself, and its writing direction."""
    return tuple(
        {"code": code, "name": endonym(code), "bidi": get_language_info(code)["bidi"]}
        for code, _name in settings.LANGUAGES
    )


def user_language(user) -> str:
    """The language to write to `user` in (e-mails): their profile's, or the site's default. Reads the
    profile when it was not loaded with the user (select_related("profile"))."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        language = user.profile.language
    except ObjectDoesNotExist:
        language = ""
    return language if language in {code for code, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE
