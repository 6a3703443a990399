"""Formatting filters and tags for the pages. They format values; they never query or decide (the one
exception, `localized`, reads translations the view prefetched; see activities.content).

- `{{ state|local_name }}`: a Range State's name in the interface language (CLDR, through Babel).
- `{{ activity.code|code }}`: a code (1.1.1.a) kept left-to-right inside a right-to-left page.
- `{% localized obj "field" %}`: strategy content in the interface language, or the source text marked
  with its language; `{% content_fallback_notice %}` then says, once per page, that some texts are
  shown in their source language.
"""

from django import template
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from activities import numbers
from activities.content import SOURCE_LANGUAGE, Localized, needs_translation
from activities.content import localized as localize_content
from activities.names import babel_locale, language_name, range_state_name

register = template.Library()

# Set on the request when a page showed a source text in place of a missing translation.
FALLBACK_ATTR = "_content_fell_back"


@register.filter
def date_span(meeting) -> str:
    """A meeting's dates as a reader writes them: '20–22 September 2022', '30 September – 2 October 2022'
    (in English; other languages get each date in their own DATE_FORMAT, joined by a dash)."""
    start, end = meeting.start_date, meeting.end_date
    if not start:
        return ""
    if not end or end == start:
        return date_format(start)
    if not (get_language() or "").startswith("en"):
        return f"{date_format(start)} – {date_format(end)}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


@register.filter
def usd(amount) -> str:
    """'USD 10,000' (cents only when there are some), with the language's separators and Latin digits
    ('USD 10 000' in Russian): the amount as the reports write it (activities.numbers)."""
    if amount is None:
        return ""
    return f"USD {numbers.usd(amount)}"


@register.filter
def local_name(range_state) -> str:
    """The Range State's name in the interface language, from CLDR by its ISO code (its English name
    from the source when CLDR has none)."""
    return range_state_name(range_state)


@register.filter(is_safe=True)
def code(value):
    """A logframe code (1.1.1.a, 10.2) as written in the source. On a right-to-left page it is isolated
    left-to-right, so that bidi never reorders its parts ("1.1.1.a" would otherwise show as "a.1.1.1");
    a left-to-right page needs no isolation, and gets the plain code."""
    if value in (None, ""):
        return ""
    if get_language_bidi():
        return format_html('<bdi class="code" dir="ltr">{}</bdi>', value)
    return conditional_escape(value)


@register.simple_tag(takes_context=True)
def localized_text(context, obj, field):
    """`{% localized_text obj "field" as text %}`: the Localized text (see activities.content), for
    templates that filter it ({{ text.text|truncatewords:10 }}) and mark its language ({{ text|lang_attrs }})."""
    result = localize_content(obj, field)
    if result.fell_back and (request := context.get("request")) is not None:
        setattr(request, FALLBACK_ATTR, True)
    return result


@register.simple_tag(takes_context=True)
def localized(context, obj, field):
    """`{% localized obj "field" %}`: the text in the interface language, or the source text in an
    element that says its language."""
    result = localized_text(context, obj, field)
    if result.fell_back:
        return format_html('<span lang="{}" dir="ltr">{}</span>', result.language, result.text)
    return result.text


@register.filter(is_safe=True)
def lang_attrs(text) -> str:
    """` lang="en" dir="ltr"` for a source text standing in for a translation, else nothing."""
    if isinstance(text, Localized) and text.fell_back:
        return format_html(' lang="{}" dir="ltr"', text.language)
    return ""


@register.simple_tag(takes_context=True)
def content_fallback_notice(context):
    """Once per page, at its end: some strategy texts are shown in the language of their source."""
    request = context.get("request")
    if request is None or not getattr(request, FALLBACK_ATTR, False):
        return ""
    return format_html(
        '<p class="fallback-notice" role="note">{}</p>',
        _(
            "Some strategy texts on this page have not been translated yet: they are shown in the "
            "language of their source document."
        ),
    )


def _strategy_translations(context) -> dict:
    """The active language's strategy translations by strategy id, read once per page (strategies
    are few; their names appear in many rows)."""
    from activities.models import StrategyTranslation

    language = get_language()
    holder = context.get("request") or context.render_context  # e-mails have no request
    cache = getattr(holder, "_strategy_translations", None)
    if cache is None or cache[0] != language:
        rows = StrategyTranslation.objects.filter(language_code=language)
        cache = (language, {row.master_id: row for row in rows})
        holder._strategy_translations = cache
    return cache[1]


@register.simple_tag(takes_context=True)
def strategy_name(context, strategy):
    """`{% strategy_name strategy %}`: the strategy's short name (or its title, when it has none) in the
    interface language, or the source's, marked with its language. One query per page, none in the
    source language."""
    if strategy is None:
        return ""
    source = strategy.short_name or strategy.title
    if not needs_translation():
        return source
    row = _strategy_translations(context).get(strategy.pk)
    translated = row and (row.short_name_translated or row.title_translated)
    if translated:
        return translated
    if (request := context.get("request")) is not None:
        setattr(request, FALLBACK_ATTR, True)
    return format_html('<span lang="{}" dir="ltr">{}</span>', SOURCE_LANGUAGE, source)


@register.simple_tag
def source_lang():
    """` lang="en" dir="ltr"` on an element holding source text that has no translations (actors,
    timeline and cost as written, notes on the source, meeting names) when the page is in another
    language, so that screen readers and bidi treat it as English; nothing on an English page."""
    if not needs_translation():
        return ""
    return format_html(' lang="{}" dir="ltr"', SOURCE_LANGUAGE)


@register.filter
def scope_name(entry) -> str:
    """What a progress entry reports on, in the interface language: its Range State's name, or
    "Range-wide" (ProgressEntry.scope gives the same in English)."""
    if entry.range_state_id:
        return range_state_name(entry.range_state)
    return _("Range-wide")


@register.filter
def local_names(range_states) -> str:
    """Range States' names in the interface language, joined as the language lists things ("Armenia,
    Georgia and Iran", "Армения, Грузия и Иран"; CLDR's list patterns; British English for English)."""
    from babel.lists import format_list

    names = [range_state_name(state) for state in range_states]
    language = get_language() or "en"
    return format_list(
        names, style="standard", locale=babel_locale("en-gb" if language == "en" else language)
    )


@register.filter
def language_label(code) -> str:
    """A language's name in the interface language, from CLDR by its BCP 47 code ("fa" → "Persian",
    "персидский")."""
    return language_name(str(code))
