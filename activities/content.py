"""Strategy content in the reader's language: one helper, `localized(obj, field)`, returns a text in the
active language when the Secretariat has added a translation (activities/models/translations.py), or
the source text, flagged as a fallback. `translation_prefetches()` loads the translations a page needs:
the active language's rows only, one query per model, and none when the page is in the source language.

The source texts are those of the source documents, all of them in English so far (SOURCE_LANGUAGE);
a strategy whose document is in another language would make this a field of Strategy."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import get_language

SOURCE_LANGUAGE = "en"


def _language(language=None) -> str:
    return language or get_language() or settings.LANGUAGE_CODE


def needs_translation(language=None) -> bool:
    """Whether a page in `language` (default: the active one) would show translations."""
    return _language(language).split("-")[0] != SOURCE_LANGUAGE


@dataclass(frozen=True)
class Localized:
    """A text to show, the language it is in, and whether it is the source text standing in for a
    missing translation."""

    text: str
    language: str
    fell_back: bool = False

    def __str__(self):
        return self.text


def localized(obj, field: str, language=None) -> Localized:
    """`obj.<field>` in `language` (default: the active one): its translation when there is a non-empty
    one, else the source text with fell_back=True. Reads prefetched translations (see
    translation_prefetches); without them it costs a query."""
    source = getattr(obj, field) or ""
    language = _language(language)
    if not source or not needs_translation(language):
        return Localized(source, SOURCE_LANGUAGE)
    translated = ""
    if getattr(obj, "_parler_meta", None) is not None and obj.pk is not None:
        translated = obj.safe_translation_getter(f"{field}_translated", default="", language_code=language)
    if translated:
        return Localized(translated, language)
    return Localized(source, SOURCE_LANGUAGE, fell_back=True)


def _related_model(model, path: str):
    for name in filter(None, path.split("__")):
        model = model._meta.get_field(name).related_model
    return model


def translation_prefetches(model, *paths: str, language=None) -> list[Prefetch]:
    """Prefetches of the active language's translations for `model` itself ("" — the default) and for
    the objects it reaches through `paths` (e.g. "result", "result__objective__theme"), which the
    queryset joins or prefetches. Empty when the language is the source's: no query at all."""
    language = _language(language)
    if not needs_translation(language):
        return []
    prefetches = []
    for path in paths or ("",):
        target = _related_model(model, path)
        translations = target._parler_meta.root_model
        lookup = f"{path}__translations" if path else "translations"
        prefetches.append(Prefetch(lookup, queryset=translations.objects.filter(language_code=language)))
    return prefetches
