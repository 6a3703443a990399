"""The Range State map where people read it: each state's figures under the one cell rule, the dashboard,
the strategy page, the national report's locator and the map's JSON in the API.

The small world of conftest.py (four activities; Alpha, Beta, Gamma) gives figures computed by hand:

    Alpha: A1 completed, A2 not reported, A3 in progress (range-wide), A4 completed → 2 of 4, 50 %
    Beta:  A1 delayed, A2 not reported, A3 in progress (range-wide), A4 not reported → 0 of 4, 0 %
    Gamma: A1 not reported (a draft), A2 not applicable, A3 in progress (range-wide), A4 not reported
           → 0 of 3 (not applicable left out), 0 %

The seeded Persian Leopard strategy, with approved entries in two of its states, gives the real shapes."""

import datetime
import gzip
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from activities.models import Activity, ProgressEntry, Strategy
from reporting.maps import map_class
from reporting.reports import Scope, strategy_dashboard
from reporting.reports.ranges import range_state_counts
from tests.factories import (
    ActivityFactory,
    RangeStateFactory,
    ReportingRoundForReportsFactory,
    StaffUserFactory,
)
from tests.reporting.conftest import record

S = ProgressEntry.Status
D = datetime.date
SVG = "{http://www.w3.org/2000/svg}"
PERSIAN_LEOPARD = "persian-leopard-2023-2032"


def by_name(range_map):
    return {s.state.name: s for s in range_map.states}


def test_each_states_cells_follow_the_cell_rule(world):
    states = by_name(range_state_counts(Scope(strategy=world.strategy)))
    alpha, beta, gamma = states["Alpha"].counts, states["Beta"].counts, states["Gamma"].counts
    assert (alpha.cells, alpha.count(S.COMPLETED), alpha.count(S.IN_PROGRESS), alpha.not_reported) == (
        4,
        2,
        1,
        1,
    )
    assert alpha.completion == 0.5
    assert (beta.count(S.DELAYED), beta.count(S.IN_PROGRESS), beta.not_reported, beta.completion) == (
        1,
        1,
        2,
        0,
    )
    # the draft, submitted and returned entries count for nothing; not applicable is left out of the share
    assert (gamma.count(S.COMPLETED), gamma.count(S.NOT_APPLICABLE), gamma.not_reported) == (0, 1, 2)
    assert gamma.completion == 0
    assert [f.iso_code for f in range_state_counts(Scope(strategy=world.strategy)).figures] == [
        "QA",
        "QB",
        "QC",
    ]


@pytest.mark.parametrize("as_of", [None, D(2024, 12, 31), D(2025, 2, 15)])
def test_the_states_cells_add_up_to_the_dashboards(world, as_of):
    scope = Scope(strategy=world.strategy, as_of=as_of)
    dashboard = strategy_dashboard(scope).page["total"]
    summed = {}
    for state in range_state_counts(scope).states:
        for status, n in state.counts.by_status.items():
            summed[status] = summed.get(status, 0) + n
    assert summed == {k: v for k, v in dashboard.by_status.items() if v}
    assert sum(s.counts.cells for s in range_state_counts(scope).states) == dashboard.cells


def test_states_without_an_approved_report_by_the_date_are_marked_so(world):
    scope = Scope(strategy=world.strategy, as_of=D(2023, 12, 31))
    figures = {f.name: f for f in range_state_counts(scope).figures}
    assert map_class(figures["Alpha"]).key == "c25"  # A4 completed on 1 June 2023: 1 of 4
    assert map_class(figures["Beta"]).key == map_class(figures["Gamma"]).key == "none"


def test_each_state_links_to_its_national_report_for_the_newest_opened_round(world):
    ReportingRoundForReportsFactory(
        strategy=world.strategy, name="future", opens_on=D(2099, 1, 1), deadline=D(2099, 6, 30)
    )
    alpha = by_name(range_state_counts(Scope(strategy=world.strategy)))["Alpha"]
    expected = urlencode(
        {"strategy": world.strategy.slug, "range_state": "QA", "reporting_round": world.round.pk}
    )
    assert alpha.national_report_url == f"{reverse('reporting:national')}?{expected}"


# --- pages with the seeded strategy ------------------------------------------------------------------------


@pytest.fixture
def leopard(seeded):
    """The Persian Leopard strategy with approved entries: Armenia completed one activity and is
    delayed on another; Iran has one in progress."""
    strategy = Strategy.objects.get(slug=PERSIAN_LEOPARD)
    users = (StaffUserFactory(username="rm-reporter"), StaffUserFactory(username="rm-reviewer"))
    first, second = Activity.objects.for_strategy(strategy).order_by("sort_key")[:2]
    armenia, iran = strategy.range_states.get(iso_code="AM"), strategy.range_states.get(iso_code="IR")
    record(users, activity=first, state=armenia, date=D(2025, 3, 1), status=S.COMPLETED)
    record(users, activity=second, state=armenia, date=D(2025, 3, 1), status=S.DELAYED)
    record(users, activity=first, state=iran, date=D(2025, 3, 1), status=S.IN_PROGRESS)
    return strategy


def the_svg(html: str, map_id: str) -> str:
    """The map's own SVG (not the toggles' keys before it), as text."""
    figure = html.index(f'<figure class="range-map" id="{map_id}"')
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" class="rm"', figure)
    return html[start : html.index("</svg>", start) + len("</svg>")]


def test_the_dashboard_draws_every_range_state_with_its_class_figures_and_report_link(client, leopard):
    response = client.get(reverse("reporting:dashboard"), {"strategy": PERSIAN_LEOPARD})
    html = response.content.decode()
    assert response.status_code == 200
    assert "css/maps.css" in html
    root = ET.fromstring(the_svg(html, "dashboard-map"))
    links = {a.get("data-iso"): a for a in root.iter(f"{SVG}a")}
    assert set(links) == set(leopard.range_states.values_list("iso_code", flat=True))
    n = Activity.objects.for_strategy(leopard).count()
    assert links["AM"].get("data-class") == "c0"  # 1 of n completed
    assert links["AF"].get("data-class") == "none"
    assert links["AM"].find(f"{SVG}desc").text.startswith(f"Armenia: 1 of {n} activities completed")
    assert links["AF"].find(f"{SVG}title").text == "Afghanistan: No approved reports"
    assert all(
        a.get("href").startswith(reverse("reporting:national")) and "range_state=" in a.get("href")
        for a in links.values()
    )
    # the table beside the map: Armenia 1 completed, 1 delayed; Afghanistan has no approved reports
    row = re.search(r'<tr data-iso="AM">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells[:5] == [str(n), "1", "0", "1", str(n - 2)]
    row = re.search(r'<tr data-iso="AF">(.*?)</tr>', html, re.S).group(1)
    assert "No approved reports" in row
    # the metapopulations can be switched on without JavaScript, and the disclaimer is there
    assert html.count('<input type="checkbox" class="rm-toggle') == leopard.metapopulations.count() == 4
    assert "do not imply official endorsement" in html


def test_the_dashboards_map_is_under_60_kb_compressed(client, leopard):
    html = client.get(reverse("reporting:dashboard"), {"strategy": PERSIAN_LEOPARD}).content.decode()
    start = html.index('<div class="range-map-wrap">')
    end = html.index("</table>", start)
    part = html[start:end].encode()
    assert len(gzip.compress(part)) < 60_000


def test_in_farsi_the_map_and_its_table_run_right_to_left(client, leopard):
    response = client.get(
        reverse("reporting:dashboard"), {"strategy": PERSIAN_LEOPARD}, HTTP_ACCEPT_LANGUAGE="fa"
    )
    html = response.content.decode()
    assert 'dir="rtl"' in html
    assert 'direction="rtl"' in the_svg(html, "dashboard-map")
    assert "ارمنستان" in html  # Armenia, named by CLDR in Farsi, in the table and the map


def test_the_strategy_page_shows_the_map_under_its_range_states(client, leopard):
    html = client.get(leopard.get_absolute_url()).content.decode()
    assert "css/maps.css" in html
    section = html[html.index('id="range-states"') :]
    assert '<h3 id="strategy-map-heading">' in section
    assert '<tr data-iso="AM">' in section


def test_the_national_report_shows_the_state_within_the_range(client, leopard):
    rnd = ReportingRoundForReportsFactory(strategy=leopard, name="2025 annual")
    response = client.get(
        reverse("reporting:national"),
        {"strategy": PERSIAN_LEOPARD, "range_state": "AM", "reporting_round": rnd.pk},
    )
    html = response.content.decode()
    assert 'class="national-locator"' in html
    assert "Armenia within the range of the" in html
    assert 'role="img"' in html


# --- the API -----------------------------------------------------------------------------------------------


def api_url(slug):
    return reverse("strategy-range-map", kwargs={"slug": slug})


def test_the_api_gives_each_states_figures_to_anyone_and_no_details(client, world):
    response = client.get(api_url(world.strategy.slug))
    assert response.status_code == 200
    body = response.json()
    states = {s["iso_code"]: s for s in body["states"]}
    assert states["QA"] | {"national_report": ""} == {
        "iso_code": "QA",
        "name": "Alpha",
        "cells": 4,
        "completed": 2,
        "in_progress": 1,
        "delayed": 0,
        "other": 0,
        "not_reported": 1,
        "completed_share": 0.5,
        "map_class": "c50",
        "metapopulations": [1],
        "national_report": "",
    }
    assert states["QA"]["national_report"].startswith("http://testserver/reports/national/?")
    assert (states["QC"]["other"], states["QC"]["completed_share"], states["QC"]["map_class"]) == (
        1,
        0.0,
        "c0",
    )
    assert body["metapopulations"] == [{"number": 1, "name": "North", "iso_codes": ["QA", "QB"]}]
    assert "do not imply official endorsement" in body["disclaimer"]
    text = response.content.decode()
    for secret in ("Den site", "Den map", "narrative", "Survey report"):
        assert secret not in text
    assert response["ETag"]


def test_the_api_refuses_a_bad_date_and_an_unknown_strategy(client, world):
    response = client.get(api_url(world.strategy.slug), {"date": "2025-13-01"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "date"
    assert client.get(api_url("no-such-strategy")).status_code == 404


def test_the_api_gives_the_figures_as_of_a_date(client, world):
    body = client.get(api_url(world.strategy.slug), {"date": "2023-12-31"}).json()
    assert {s["iso_code"]: s["map_class"] for s in body["states"]} == {
        "QA": "c25",
        "QB": "none",
        "QC": "none",
    }
    assert body["as_of"] == "2023-12-31"


def test_the_api_endpoint_is_in_the_schema(client, db):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/strategies/{slug}/range-map/"]["get"]
    assert "date" in [p["name"] for p in operation["parameters"]]
    assert "200" in operation["responses"]


@pytest.mark.parametrize("rows", [1, 8])
def test_the_api_query_count_is_flat(client, world, django_assert_num_queries, rows):
    users = (world.reporter, world.reviewer)
    for i in range(rows):
        state = RangeStateFactory(iso_code=f"X{chr(65 + i)}")
        world.strategy.range_states.add(state)
        activity = ActivityFactory(result=world.a1.result, code=f"1.1.{20 + i}")
        record(users, activity=activity, state=state, date=D(2025, 3, 1), status=S.COMPLETED)
    # the strategy; then range_state_counts: states, activities' count, cells, latest round,
    # metapopulations and their states
    with django_assert_num_queries(7):
        response = client.get(api_url(world.strategy.slug))
    assert response.status_code == 200
    assert len(response.json()["states"]) == 3 + rows
