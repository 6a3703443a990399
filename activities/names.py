"""Names from CLDR (through Babel) in the interface language: Range States by their ISO 3166 code,
languages by their ISO 639 code. Never hand-typed lists: CLDR is maintained, and covers every
language the site may add. The source's English name stands in where CLDR has none."""

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language


@lru_cache(maxsize=64)
def babel_locale(language: str) -> Locale:
    """Babel's locale for a Django language code ("en" → en, "pt-br" → pt_BR); English if unknown."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def _locale(language=None) -> Locale:
    return babel_locale(language or get_language() or "en")


def territory_name(iso_code: str, language=None) -> str | None:
    """The country's name in `language` (default: the active one), or None if CLDR has no such code."""
    return _locale(language).territories.get((iso_code or "").upper())


def range_state_name(range_state, language=None) -> str:
    """A Range State's name in `language`. In English, the source's own name (e.g. "Türkiye", as the
    strategy writes it, where CLDR says "Turkey"); in other languages CLDR's, by ISO code."""
    if range_state is None:
        return ""
    locale = _locale(language)
    if locale.language == "en":
        return range_state.name
    return territory_name(range_state.iso_code, language) or range_state.name


def language_name(code: str, language=None) -> str:
    """A language's name in `language` (default: the active one), e.g. "fa" → "Persian" / "персидский"."""
    locale = _locale(language)
    return locale.languages.get(code.replace("-", "_")) or locale.languages.get(code.split("-")[0]) or code


def choice_labels(model, field_name: str) -> dict:
    """A choice field's labels by value in the active language, translated once: `get_FOO_display()`
    translates every label of the field again on each call, which pages listing hundreds of rows feel."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}
