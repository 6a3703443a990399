"""The report tables format their numbers with activities.numbers.Numbers (the language's separators looked up
once per table) and their cells with report_format.Cells: what a reader sees must be exactly what Django's
number_format and the per-cell formatting gave, in every language of the site."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.formats import localize, number_format
from django.utils.html import conditional_escape, format_html

from activities.numbers import Numbers, percent, usd
from reporting.templatetags.report_format import Cells

LANGUAGES = [code for code, _name in settings.LANGUAGES]

INTS = [0, 7, -7, 999, 1000, -1000, 12345, 999999, 1000000, -123456789, 10**20, -(10**20)]
DECIMALS = [
    Decimal("0"),
    Decimal("-0"),
    Decimal("0.00"),
    Decimal("-0.00"),
    Decimal("1000"),
    Decimal("1000.00"),
    Decimal("1E+3"),
    Decimal("1234567.5"),
    Decimal("1234567.555"),
    Decimal("-1234.005"),
    Decimal("0.004"),
    Decimal("-0.004"),
    Decimal("12345678901234567890123456789012"),
    Decimal("9" * 40),
]


def django_usd(value) -> str:
    """What the report pages showed for an amount before Numbers: number_format per value."""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 2
    return number_format(value, places, force_grouping=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_numbers_give_exactly_what_number_format_gives(language):
    with translation.override(language):
        numbers = Numbers()
        for value in [*INTS, *DECIMALS, 1234.5, -0.25, True]:
            for decimal_pos in (None, 0, 2):
                for grouping in (False, True):
                    assert numbers.format(value, decimal_pos, force_grouping=grouping) == number_format(
                        value, decimal_pos, force_grouping=grouping
                    ), (value, decimal_pos, grouping)
        for value in INTS + DECIMALS:
            assert numbers.usd(value) == usd(value) == django_usd(value), value
        for share in (None, 0, 0.004, 0.5, 0.995, 1, Decimal("0.125"), 12.5):
            expected = "—"
            if share is not None:
                expected = translation.gettext("%(percent)s %%") % {
                    "percent": number_format(round(share * 100))
                }
            assert numbers.percent(share) == percent(share) == expected, share
        for value in [*INTS, Decimal("1234.5"), 2.5]:
            assert numbers.localize(value) == str(localize(value)), value


@pytest.mark.parametrize("language", LANGUAGES)
def test_grouping_follows_the_language(language):
    """Russian groups with a no-break space, English and Persian with a comma (Persian as CLDR does:
    Django's Persian formats set no grouping, activities/formats/fa sets it)."""
    expected = {"en": "1,234,567", "ru": "1\xa0234\xa0567", "fa": "1,234,567"}[language]
    with translation.override(language):
        assert Numbers().usd(Decimal("1234567")) == expected
        assert Numbers().format(1234567, force_grouping=True) == expected


def old_cell(value, kind, url) -> str:
    """The per-cell formatting the report tables had before Cells (report_cell as it was)."""
    from reporting.templatetags.report_format import short_date, status_badge

    if kind == "status":
        return status_badge(value) if value else ""
    if value is None or value == "":
        return format_html('<span class="muted" aria-label="{}">—</span>', translation.gettext("none"))
    if kind == "activity":
        return format_html('<a href="{}">{}</a>', url(value), value)
    if kind == "usd":
        return conditional_escape(django_usd(value))
    if kind == "percent":
        return conditional_escape(percent(value))
    if kind == "date":
        return format_html('<time datetime="{}">{}</time>', value.isoformat(), short_date(value))
    if kind == "int":
        return conditional_escape(number_format(value, force_grouping=True))
    if isinstance(value, str) and len(value) > 220:
        from django.utils.text import Truncator

        return format_html('<span title="{}">{}</span>', value, Truncator(value).words(30))
    return conditional_escape(value)


HOSTILE = '<img src=x onerror="alert(1)"> & "quoted"'

CELLS = [
    ("status", "completed"),
    ("status", "not_started"),
    ("status", "<b>unknown</b>"),
    ("status", ""),
    ("status", None),
    ("text", None),
    ("text", ""),
    ("usd", None),
    ("text", HOSTILE),
    ("text", f"{'word ' * 60}{HOSTILE}"),
    ("activity", "1.1.1.a"),
    ("activity", '1.1 <b>"&'),
    ("usd", Decimal("1234567")),
    ("usd", Decimal("1234.5")),
    ("usd", 0),
    ("int", 12345),
    ("int", -3),
    ("percent", 0.4567),
    ("percent", 0),
    ("date", datetime.date(2024, 3, 1)),
    ("date", datetime.date(2024, 3, 1)),
    ("date", datetime.date(2031, 12, 31)),
    ("year", 2024),
    ("text", 42),
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_cells_give_the_markup_the_cells_had(language):
    def url(code):
        return f"/strategies/s/activities/{code}/"

    with translation.override(language):
        cell = Cells(None, activity_url=url)
        for kind, value in CELLS:
            assert str(cell(value, kind)) == str(old_cell(value, kind, url)), (kind, value)


def test_cells_escape_what_people_typed():
    cell = Cells(None, activity_url=lambda code: f"/a/{code}/")
    for kind in ("text", "activity", "status"):
        html = str(cell(HOSTILE, kind))
        assert "<img" not in html and "&lt;img" in html
    long_text = str(cell(f"{'word ' * 60}{HOSTILE}", "text"))
    assert "<img" not in long_text
