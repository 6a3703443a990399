"""API resources of the regional picture: species, meetings, National Action Plans, grants — by natural
key, filtered, hostile values refused by name, query counts flat as rows grow."""

import pytest
from django.urls import reverse

from tests.factories import (
    ActivityFactory,
    AgendaItemFactory,
    GrantActivityFactory,
    GrantFactory,
    MeetingDayFactory,
    MeetingDocumentFactory,
    MeetingForReportsFactory,
    NationalActionPlanFactory,
    RangeStateFactory,
    SpeciesFactory,
    StrategyFactory,
)

from .helpers import errors, results


def test_seeded_species_carry_synonyms_and_common_names_in_source_order(seeded, api):
    body = api.get(reverse("api:species-detail", args=["persian-leopard"])).json()
    assert body["scientific_name"] == "Panthera pardus tulliana"
    assert body["parent"] == "leopard"
    assert len(body["common_names"]) == 11
    assert "persian-leopard-2023-2032" in body["strategies"]


def test_seeded_meeting_lists_its_agenda_with_times_and_documents(seeded, api):
    body = api.get(reverse("api:meeting-detail", args=["cami-technical-workshop-vilm-2025"])).json()
    assert [day["date"] for day in body["days"]] == ["2025-05-06", "2025-05-07", "2025-05-08"]
    items = [item for day in body["days"] for item in day["items"]]
    assert len(items) == 38
    assert sum(1 for item in items if item["kind"] == "item" and item["number"]) >= 21
    assert "UNEP/CMS/CAMI-TW/Doc.1/Rev.1" in [d["symbol"] for d in body["documents"]]
    assert any(i["parent"] == 18 for i in items if i["kind"] == "sub_item")


def test_seeded_plans_filter_by_strategy_and_status_as_of_a_date(seeded, api):
    url = reverse("api:national-action-plan-list")
    in_force = results(
        api.get(url, {"strategy": "caucasus-leopard-2017", "as_of": "2021-06-01", "status": "in_force"})
    )
    assert [p["slug"] for p in in_force] == ["armenia-national-action-plan-2020-2030"]
    iran = api.get(url, {"range_state": "IR"}).json()["results"]
    assert [(p["implements"], p["status"]) for p in iran] == [(None, "unknown")]  # the sources are silent


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("national-action-plan-list", {"status": "valid'"}, "status"),
        ("national-action-plan-list", {"as_of": "2025-99-01"}, "as_of"),
        ("national-action-plan-list", {"strategy": "no-such"}, "strategy"),
        ("national-action-plan-list", {"species": "<script>"}, "species"),
        ("grant-list", {"range_state": "ZZ"}, "range_state"),
        ("grant-list", {"strategy": "x" * 300}, "strategy"),
        ("meeting-list", {"year": "1e9"}, "year"),
        ("meeting-list", {"kind": "party"}, "kind"),
        ("species-list", {"rank": "genus"}, "rank"),
        ("species-list", {"unknown": "1"}, "unknown"),
    ],
)
def test_hostile_filter_values_are_a_400_naming_the_parameter(db, api, name, params, field):
    response = api.get(reverse(f"api:{name}"), params)
    assert response.status_code == 400
    assert field in errors(response)


def test_grants_list_their_lines_and_filter_by_strategy_and_species(db, api):
    strategy, other = StrategyFactory(slug="g-strategy"), StrategyFactory(slug="g-other")
    state = RangeStateFactory(iso_code="QG", name="Gee")
    strategy.range_states.add(state)
    cat = SpeciesFactory(slug="g-cat")
    activity = ActivityFactory(result__objective__strategy=strategy, code="12.2.1")
    grant = GrantFactory(slug="g-one", amount_usd=50000)
    grant.species.add(cat)
    GrantActivityFactory(grant=grant, activity=activity, range_state=state, amount_usd=20000)
    GrantFactory(slug="g-two")
    url = reverse("api:grant-list")
    assert [g["slug"] for g in results(api.get(url, {"strategy": "g-strategy"}))] == ["g-one"]
    assert results(api.get(url, {"strategy": other.slug})) == []
    assert [g["slug"] for g in results(api.get(url, {"species": "g-cat"}))] == ["g-one"]
    body = api.get(reverse("api:grant-detail", args=["g-one"])).json()
    assert body["lines"] == [
        {"strategy": "g-strategy", "activity": "12.2.1", "range_state": "QG", "amount_usd": 20000.0}
    ]


def _grow(rows):
    for n in range(rows):
        species = SpeciesFactory()
        species.common_names.create(language=f"Language {n}", name=f"Name {n}", position=n)
        species.synonyms.create(scientific_name=f"Felis synonymus{n}", position=n)
        species.strategies.add(StrategyFactory())
        meeting = MeetingForReportsFactory()
        MeetingDocumentFactory(meeting=meeting)
        day = MeetingDayFactory(meeting=meeting)
        AgendaItemFactory(day=day).documents.add(MeetingDocumentFactory(meeting=meeting))
        plan = NationalActionPlanFactory(period_start=2020, period_end=2030)
        plan.species.add(species)
        NationalActionPlanFactory(range_state=plan.range_state, supersedes=plan, period_start=2024)
        line = GrantActivityFactory(range_state=RangeStateFactory(), amount_usd=10)
        line.grant.range_states.add(line.range_state)
        line.grant.species.add(species)


REGIONAL_LIST_QUERIES = [
    # count; species; synonyms; common names; strategies
    ("species-list", 5),
    # count; meetings; days; agenda items; their documents; documents; strategies adopted
    ("meeting-list", 7),
    # count; plans with Range State, strategy, supersedes and status; species
    ("national-action-plan-list", 3),
    # count; grants with programme, donor and grantee; Range States; species; lines with activity,
    # strategy and Range State
    ("grant-list", 5),
]


@pytest.mark.parametrize("rows", [1, 6])
@pytest.mark.parametrize(("name", "queries"), REGIONAL_LIST_QUERIES)
def test_regional_api_list_query_count_is_flat(db, api, django_assert_num_queries, rows, name, queries):
    _grow(rows)
    with django_assert_num_queries(queries):
        response = api.get(reverse(f"api:{name}"), {"as_of": "2025-01-01"} if "plan" in name else {})
    assert response.status_code == 200
    assert response.json()["count"] >= rows


def test_a_plan_by_slug_and_by_id_gives_the_same_plan(db, api):
    plan = NationalActionPlanFactory(slug="p-by-key", period_start=2020, period_end=2030)
    by_key = api.get(reverse("api:national-action-plan-detail", args=["p-by-key"])).json()
    by_id = api.get(reverse("api:national-action-plan-detail", args=[plan.pk])).json()
    assert by_key == by_id and by_key["status"] in ("in_force", "expired")
    assert api.get(reverse("api:national-action-plan-detail", args=["9" * 30])).status_code == 404


def test_activities_and_progress_filter_by_landscape_and_species_without_widening_access(db, api):
    from activities.models import ProgressEntry
    from tests.factories import LandscapeFactory, ProgressEntryFactory

    cat = SpeciesFactory(slug="l-cat")
    tagged = ActivityFactory(code="1.1.1")
    cat.strategies.add(tagged.strategy)
    ActivityFactory(code="1.1.2")
    landscape = LandscapeFactory(code="3")
    landscape.activities.add(tagged)
    approved = ProgressEntryFactory(activity=tagged, review_state=ProgressEntry.ReviewState.APPROVED)
    draft = ProgressEntryFactory(activity=tagged, review_state=ProgressEntry.ReviewState.DRAFT)
    landscape.progress_entries.add(approved, draft)
    activities = reverse("api:activity-list")
    assert [a["code"] for a in results(api.get(activities, {"landscape": "3"}))] == ["1.1.1"]
    assert [a["code"] for a in results(api.get(activities, {"species": "l-cat"}))] == ["1.1.1"]
    assert api.get(activities, {"landscape": "Z9"}).status_code == 400
    entries = results(api.get(reverse("api:progress-list"), {"landscape": "3"}))
    assert [e["id"] for e in entries] == [approved.pk]  # the draft stays hidden from the public
