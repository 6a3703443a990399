"""Report pages on a phone: the report first (filters folded once a report is shown), tables whose cells
name their column so they can stack at 360 px, and a print button on the national report that needs
JavaScript only to appear (the browser's own Print works without it)."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_report_filters_fold_away_once_a_report_is_shown(client, world):
    html = client.get(reverse("reporting:dashboard"), {"strategy": world.strategy.slug}).content.decode()
    assert '<details class="filters-box no-print">' in html  # closed: the report comes first
    assert html.index('class="filters-box') < html.index('id="table-rollup"')


def test_report_filters_stay_open_when_they_must_be_chosen_or_are_wrong(client, world):
    url = reverse("reporting:national")
    html = client.get(url, {"strategy": world.strategy.slug}).content.decode()  # no state, no round yet
    assert '<details class="filters-box no-print" open>' in html
    html = client.get(url, {"strategy": world.strategy.slug, "range_state": "ZZ"}).content.decode()
    assert '<details class="filters-box no-print" open>' in html


def test_report_table_cells_name_their_columns_so_they_stack_on_a_phone(client, world):
    html = client.get(reverse("reporting:dashboard"), {"strategy": world.strategy.slug}).content.decode()
    rollup = html[html.index('id="table-rollup"') : html.index('id="priority-heading"')]
    assert 'class="data rollup stack"' in rollup
    # every number of the roll-up says which status it counts
    cells = re.findall(r'<td class="num"( data-label="[^"]+")?>', rollup)
    assert cells and all(cells)
    assert 'data-label="Completed"' in rollup and 'data-label="Completed share"' in rollup
    html = client.get(reverse("reporting:reporting-rate"), {"strategy": world.strategy.slug}).content.decode()
    assert 'data-label="Activities due">3</td>' in html


def test_national_report_has_a_print_button_that_needs_no_inline_script(client, world):
    params = {
        "strategy": world.strategy.slug,
        "range_state": world.alpha.iso_code,
        "reporting_round": world.round.pk,
    }
    response = client.get(reverse("reporting:national"), params)
    html = response.content.decode()
    assert response.status_code == 200
    # hidden until the script shows it: without JavaScript there is no dead button
    assert (
        '<button type="button" class="button secondary" data-print hidden>Print this report</button>' in html
    )
    assert re.search(r'<script src="/static/js/print\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # the CSP allows no inline script
    assert "'unsafe-inline'" not in response.headers.get("Content-Security-Policy", "")
    assert finders.find("js/print.js")
    css = Path(finders.find("css/reports.css")).read_text()
    assert "@media print" in css and "button[data-print] { display: none; }" in css


def test_other_reports_have_no_print_button(client, world):
    html = client.get(reverse("reporting:dashboard"), {"strategy": world.strategy.slug}).content.decode()
    assert "data-print" not in html
