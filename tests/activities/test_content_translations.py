"""Strategy content in the reader's language: translations the Secretariat adds are shown, the source
text stands in (marked as English, with one note per page) where there is none, the source fields never
change, and the translations cost one query per model on a page, none in English. Range State names
come from CLDR, and codes survive right-to-left pages."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from activities.content import localized
from activities.models import (
    ActivityTranslation,
    Metapopulation,
    NationalActionPlan,
    ObjectiveTranslation,
    StrategyTranslation,
)
from tests.activities.views.test_browse import _tree, activity_url, strategy_url
from tests.factories import ActivityFactory, ObjectiveFactory, RangeStateFactory, StrategyFactory

NOTE = (
    "Some strategy texts on this page have not been translated yet: they are shown in the language of their "
    "source document."
)


def note(language):
    """The note as a reader of that language sees it (the catalogues translate it)."""
    with translation.override(language):
        return escape(gettext(NOTE))


def get(client, url, language):
    return client.get(url, headers={"accept-language": language}).content.decode()


@pytest.fixture
def activity(db):
    activity = ActivityFactory(text="Survey the leopard's range.", indicator="Survey report")
    ActivityTranslation.objects.create(
        master=activity, language_code="ru", text_translated="Обследовать ареал леопарда."
    )
    return activity


def test_a_page_shows_the_translation_in_its_language(client, activity):
    html = get(client, activity_url(activity), "ru")
    assert '<p class="lede">Обследовать ареал леопарда.</p>' in html
    assert "Survey the leopard&#x27;s range." not in html


def test_a_missing_translation_falls_back_to_the_source_marked_as_english_with_one_note(client, activity):
    html = get(client, activity_url(activity), "ru")
    # the indicator has no Russian translation: the source text, in an element that says it is English
    assert '<span lang="en" dir="ltr">Survey report</span>' in html
    assert html.count(note("ru")) == 1
    html = get(client, activity_url(activity), "fa")  # no Persian translation at all
    assert '<p class="lede" lang="en" dir="ltr">Survey the leopard&#x27;s range.</p>' in html
    assert html.count(note("fa")) == 1


def test_english_pages_show_the_source_and_no_note(client, activity):
    html = get(client, activity_url(activity), "en")
    assert '<p class="lede">Survey the leopard&#x27;s range.</p>' in html
    assert NOTE not in html
    assert 'lang="en" dir="ltr">Survey' not in html


def test_adding_a_translation_leaves_the_source_text_as_it_was(activity):
    activity.refresh_from_db()
    assert activity.text == "Survey the leopard's range."
    assert localized(activity, "text", "ru").text == "Обследовать ареал леопарда."
    assert localized(activity, "text", "ru").fell_back is False
    fallback = localized(activity, "text", "fa")
    assert (fallback.text, fallback.language, fallback.fell_back) == (
        "Survey the leopard's range.",
        "en",
        True,
    )


def test_an_empty_translation_counts_as_missing(activity):
    ActivityTranslation.objects.filter(master=activity).update(text_translated="")
    assert localized(activity, "text", "ru").fell_back is True


def test_the_strategy_page_shows_translated_objectives_and_metapopulations(client, db):
    strategy = StrategyFactory(title="Range-wide Strategy")
    objective = ObjectiveFactory(strategy=strategy, theme=None, text="Reduce poaching.")
    ObjectiveTranslation.objects.create(
        master=objective, language_code="fa", text_translated="کاهش شکار غیرقانونی."
    )
    StrategyTranslation.objects.create(master=strategy, language_code="fa", title_translated="راهبرد سراسری")
    Metapopulation.objects.create(strategy=strategy, number=1, name="Caucasus")
    html = get(client, strategy_url(strategy), "fa")
    assert "<h1>راهبرد سراسری</h1>" in html
    assert re.search(r'class="objective-text"[^>]*>کاهش شکار غیرقانونی\.</span>', html)
    assert '1 = <span lang="en" dir="ltr">Caucasus</span>' in html  # strategy content: not yet translated


def _strategy_page_world(rows):
    strategy = StrategyFactory()
    state = RangeStateFactory()
    strategy.range_states.set([state])
    Metapopulation.objects.create(strategy=strategy, number=1, name="Caucasus").range_states.set([state])
    NationalActionPlan.objects.create(strategy=strategy, range_state=state, title="NAP")
    result = _tree(strategy, rows)
    ObjectiveFactory(strategy=strategy, theme=None)
    for activity in result.activities.all():
        ActivityTranslation.objects.create(
            master=activity, language_code="ru", text_translated=f"Мера {activity.pk}"
        )
    return strategy


@pytest.mark.parametrize("rows", [1, 15])
def test_the_strategy_page_in_russian_adds_one_query_per_translated_model(
    client, db, django_assert_num_queries, rows
):
    strategy = _strategy_page_world(rows)
    # The 17 queries of the English page (test_browse.test_strategy_page_query_count_is_flat), plus the
    # Russian translations of: 18 the strategy, 19 its metapopulations, 20 themes, 21 their objectives,
    # 22 results, 23 activities, 24 the objectives without a theme, and 25 the strategy names of the page
    # (breadcrumb, title: strategy_name reads all of a language's strategy names at once); 26–32 the Range
    # State map: its six (test_browse) and one translation read for the names it shows; 33 the species,
    # 34–35 the status across Range States (cells by activity and status, the activities' objectives),
    # 36 the landscapes of the landscape filter; 37 the outline's cache key (its change marker, the
    # cross-references it shows included).
    with django_assert_num_queries(37):
        html = get(client, strategy_url(strategy), "ru")
    assert html.count("Мера ") == rows


@pytest.mark.parametrize("rows", [1, 15])
def test_the_strategy_page_in_english_reads_no_translations(client, db, django_assert_num_queries, rows):
    strategy = _strategy_page_world(rows)
    with django_assert_num_queries(28):  # as in test_browse: no translation query in the source language
        get(client, strategy_url(strategy), "en")


def render(source, language, **context):
    with translation.override(language):
        return Template("{% load strategy_format %}" + source).render(Context(context))


def test_range_state_names_come_from_cldr_in_the_interface_language(db):
    iran = RangeStateFactory(iso_code="IR", name="Islamic Republic of Iran")
    assert render("{{ s|local_name }}", "en", s=iran) == "Islamic Republic of Iran"  # the source's own
    assert render("{{ s|local_name }}", "ru", s=iran) == "Иран"
    assert render("{{ s|local_name }}", "fa", s=iran) == "ایران"


def test_range_state_pages_use_the_local_names(client, db):
    strategy = StrategyFactory()
    strategy.range_states.set([RangeStateFactory(iso_code="AM", name="Armenia")])
    assert "<li>Армения</li>" in get(client, strategy_url(strategy), "ru")


def test_codes_are_isolated_left_to_right_on_right_to_left_pages_only(db):
    assert render("{{ c|code }}", "fa", c="1.1.1.a") == '<bdi class="code" dir="ltr">1.1.1.a</bdi>'
    assert render("{{ c|code }}", "ru", c="1.1.1.a") == "1.1.1.a"
    assert render("{{ c|code }}", "fa", c="<b>") == '<bdi class="code" dir="ltr">&lt;b&gt;</bdi>'


def test_activity_page_in_farsi_keeps_the_code_whole(client, activity):
    html = get(client, activity_url(activity), "fa")
    assert f'<bdi class="code" dir="ltr">{activity.code}</bdi>' in html


def test_a_strategy_period_reads_first_year_first_on_farsi_pages(client, db):
    """An en dash between two numbers takes the page's direction: unisolated, 2023–2032 shows as 2032–2023."""
    strategy = StrategyFactory(period_start=2023, period_end=2032)
    for url in (reverse("activities:strategy-list"), strategy_url(strategy)):
        assert '<bdi dir="ltr">2023–2032</bdi>' in get(client, url, "fa")


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "USD 12,500.50"), ("ru", "USD 12\u00a0500,50"), ("fa", "USD 12,500.50")]
)
def test_amounts_use_the_languages_separators_and_latin_digits(db, language, expected):
    assert render("{{ a|usd }}", language, a="12500.50") == expected


def test_dates_follow_the_language(client, activity):
    import datetime

    from tests.factories import ProgressEntryFactory

    ProgressEntryFactory(
        activity=activity, review_state="approved", reporting_date=datetime.date(2025, 6, 30)
    )
    assert "30 June 2025" in get(client, activity_url(activity), "en")
    assert "30 июня 2025" in get(client, activity_url(activity), "ru")


def test_the_admin_lists_translations_and_shows_them_under_their_object(admin_client, activity):
    assert admin_client.get(reverse("admin:activities_activitytranslation_changelist")).status_code == 200
    html = admin_client.get(reverse("admin:activities_activity_change", args=[activity.pk])).content.decode()
    assert "Обследовать ареал леопарда." in html
    assert "Survey the leopard" in html  # the source text, unchanged, above
