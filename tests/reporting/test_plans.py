"""The National Action Plans report (Result 10.1) and its API resource, against a world worked out by hand.

Strategy "plans-test", adopted at a meeting of 20–22 September 2022 (adoption year 2022), for the species
"test-cat", in five Range States:

    Alpha    plan A1 2010-2020 (developed 2008), superseded by A2 2023-2032 (adopted 2023), A2 implements
             the strategy; also A3 for another strategy and species (never listed)
    Beta     plan B 2015-2025 (adopted 2014), implements no strategy but is for "test-cat"
    Gamma    plan G with neither period nor year (status unknown)
    Delta    no plan
    Epsilon  plan E 2022-2030 adopted 2022 (the strategy's own year: cannot be ordered)

As of 1 June 2025: Alpha yes / postdates yes / implements yes (A2); Beta yes / no / no; Gamma not known;
Delta no; Epsilon yes / not known / yes. As of 1 January 2026 Beta's plan has expired: no.
"""

import csv
import datetime
import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from activities.models import Meeting
from reporting.reports import Scope
from reporting.reports.plans import national_plan_report
from tests.factories import NationalActionPlanFactory, RangeStateFactory, SpeciesFactory, StrategyFactory

D = datetime.date


@pytest.fixture
def plans_world(db):
    meeting = Meeting.objects.create(
        slug="rs-meeting-2022",
        name="Range State Meeting 2022",
        start_date=D(2022, 9, 20),
        end_date=D(2022, 9, 22),
    )
    strategy = StrategyFactory(slug="plans-test", title="Plans test strategy", adopted_at=meeting)
    other = StrategyFactory(slug="other-strategy")
    cat = SpeciesFactory(slug="test-cat")
    other_species = SpeciesFactory(slug="other-cat")
    cat.strategies.add(strategy)
    states = {
        name: RangeStateFactory(iso_code=code, name=name)
        for name, code in [
            ("Alpha", "QA"),
            ("Beta", "QB"),
            ("Gamma", "QC"),
            ("Delta", "QD"),
            ("Epsilon", "QE"),
        ]
    }
    strategy.range_states.set(states.values())
    plan = NationalActionPlanFactory
    a1 = plan(slug="a1", title="A1", range_state=states["Alpha"], strategy=other, period_start=2010,
              period_end=2020, year_developed=2008)  # fmt: skip
    a1.species.add(cat)
    plan(slug="a2", title="A2", range_state=states["Alpha"], strategy=strategy, period_start=2023,
         period_end=2032, year_adopted=2023, supersedes=a1)  # fmt: skip
    plan(slug="a3", title="A3", range_state=states["Alpha"], strategy=other, period_start=2020,
         period_end=2030).species.add(other_species)  # fmt: skip
    b = plan(slug="b", title="B", range_state=states["Beta"], strategy=None, period_start=2015,
             period_end=2025, year_adopted=2014)  # fmt: skip
    b.species.add(cat)
    plan(slug="g", title="G", range_state=states["Gamma"], strategy=strategy)
    plan(slug="e", title="E", range_state=states["Epsilon"], strategy=strategy, period_start=2022,
         period_end=2030, year_adopted=2022)  # fmt: skip
    return strategy, states


def standing_rows(report):
    return {row[0]: row[1:5] for row in report.table("standing").rows}


def test_plan_standing_table_as_of_mid_2025_is_the_hand_worked_one(plans_world):
    strategy, _ = plans_world
    report = national_plan_report(Scope(strategy, as_of=D(2025, 6, 1)))
    assert standing_rows(report) == {
        "Alpha": ["Yes", "A2 (2023–2032)", "Yes", "Yes"],
        "Beta": ["Yes", "B (2015–2025)", "No", "No"],
        "Gamma": ["Not known", "", "", ""],
        "Delta": ["No", "", "", ""],
        "Epsilon": ["Yes", "E (2022–2030)", "Not known", "Yes"],
    }
    plans = {row[1]: row for row in report.table("plans").rows}
    assert set(plans) == {"A1", "A2", "B", "G", "E"}  # A3 concerns neither the strategy nor its species
    assert plans["A1"][7] == "Superseded"
    assert plans["A2"][9] == "A1 (2010–2020)"
    assert plans["B"][8] == "Not recorded in the sources"
    assert plans["G"][7] == "Not known: the source gives no period or year"
    delta = next(row for row in report.table("standing").rows if row[0] == "Delta")
    assert delta[5] == "No plan is recorded for this Range State."
    assert any("adopted in 2022" in note for note in report.notes)


def test_a_plan_whose_period_has_ended_is_no_longer_in_force(plans_world):
    strategy, _ = plans_world
    report = national_plan_report(Scope(strategy, as_of=D(2026, 1, 1)))
    assert standing_rows(report)["Beta"] == ["No", "", "", ""]
    assert any(row[1] == "B" and row[7] == "Expired" for row in report.table("plans").rows)


def test_without_an_adopting_meeting_the_report_says_the_sources_are_silent(plans_world):
    strategy, _ = plans_world
    strategy.adopted_at = None
    strategy.save()
    report = national_plan_report(Scope(strategy, as_of=D(2025, 6, 1)))
    assert standing_rows(report)["Alpha"][2] == "Not known"
    assert any("do not say when the strategy was adopted" in note for note in report.notes)


def test_plans_page_is_public_and_filters_by_range_state(client, plans_world):
    query = urlencode({"strategy": "plans-test", "range_state": "QB", "date": "2025-06-01"})
    response = client.get(f"{reverse('reporting:plans')}?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "National Action Plans per Range State" in html and "B (2015–2025)" in html
    assert "A2 (2023–2032)" not in html  # another Range State
    assert "Approved progress only." not in html  # plans are not progress reports
    assert "1 June 2025" in html


@pytest.mark.parametrize(
    "params",
    [{"date": "2025-13-45"}, {"date": "'; drop table"}, {"range_state": "ZZ"}, {"range_state": "<script>"}],
)
def test_hostile_filters_on_the_plans_page_are_form_errors_not_500s(client, plans_world, params):
    response = client.get(f"{reverse('reporting:plans')}?{urlencode({'strategy': 'plans-test', **params})}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error"' in html and "National Action Plans per Range State" not in html
    assert "<script>" not in html


def test_plans_csv_export_carries_the_standing(client, plans_world):
    query = urlencode({"strategy": "plans-test", "date": "2025-06-01", "table": "standing"})
    response = client.get(f"{reverse('reporting:plans-export', kwargs={'fmt': 'csv'})}?{query}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == [
        "Range State",
        "Plan in force",
        "Plans in force",
        "Made after the strategy's adoption",
        "Implements this strategy",
    ]
    assert ["Alpha", "Yes", "A2 (2023–2032)", "Yes", "Yes"] in [row[:5] for row in rows]


# --- API ---------------------------------------------------------------------------------------------------


@pytest.fixture
def api(db):
    return APIClient()


def standing_api(api, **params):
    url = reverse("api:strategy-plan-standing-list", args=["plans-test"])
    return api.get(f"{url}?{urlencode(params)}")


def test_plan_standing_api_gives_the_hand_worked_rows(api, plans_world):
    body = standing_api(api, as_of="2025-06-01").json()
    assert (body["strategy"], body["as_of"], body["adoption_year"], body["count"]) == (
        "plans-test",
        "2025-06-01",
        2022,
        5,
    )
    rows = {row["range_state"]: row for row in body["results"]}
    assert rows["QA"]["plans_in_force"] == ["a2"]
    assert [(p["slug"], p["status"]) for p in rows["QA"]["plans"]] == [
        ("a1", "superseded"),
        ("a2", "in_force"),
    ]
    assert (rows["QB"]["has_plan_in_force"], rows["QB"]["postdates_adoption"]) == (True, False)
    assert rows["QC"]["has_plan_in_force"] is None
    assert (rows["QD"]["has_plan_in_force"], rows["QD"]["plans"]) == (False, [])
    assert (rows["QE"]["postdates_adoption"], rows["QE"]["implements_strategy"]) == (None, True)
    only_beta = standing_api(api, as_of="2026-01-01", range_state="qb").json()
    assert [(r["range_state"], r["has_plan_in_force"]) for r in only_beta["results"]] == [("QB", False)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"as_of": "2025-02-30"}, "as_of"),
        ({"as_of": "x" * 5000}, "as_of"),
        ({"range_state": "ZZ"}, "range_state"),
        ({"stratgy": "x"}, "stratgy"),
    ],
)
def test_plan_standing_api_refuses_hostile_values_by_name(api, plans_world, params, field):
    response = standing_api(api, **params)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_plan_standing_api_for_an_unknown_strategy_is_a_404(api, db):
    response = api.get(reverse("api:strategy-plan-standing-list", args=["no-such-strategy"]))
    assert response.status_code == 404


@pytest.mark.parametrize("extra_states", [0, 8])
def test_plan_standing_api_query_count_is_flat(api, plans_world, django_assert_num_queries, extra_states):
    strategy, _ = plans_world
    for n in range(extra_states):
        state = RangeStateFactory(iso_code=f"X{chr(65 + n)}")
        strategy.range_states.add(state)
        NationalActionPlanFactory(range_state=state, strategy=strategy, period_start=2020, period_end=2030)
    # the strategy with its adopting meeting; its versions (itself, then "anything newer?"); its species
    # (for the plans concerning it); its Range States; the plans with status, strategy and supersedes; the
    # plans' … nothing else
    with django_assert_num_queries(5):
        response = standing_api(api, as_of="2025-06-01")
    assert response.status_code == 200
    assert response.json()["count"] == 5 + extra_states
