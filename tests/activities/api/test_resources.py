"""REST API v1: every resource, listed and in detail, by natural key and by id; pagination; and query
counts that stay flat as rows grow."""

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Evidence, ProgressEntry
from tests.factories import (
    ActivityFactory,
    ActorFactory,
    APITokenFactory,
    FocalPointFactory,
    ObjectiveFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    ResultFactory,
    StrategyFactory,
    ThemeFactory,
    WorkProgrammeMeasureFactory,
)

from .helpers import PL, RS, approved_entry, as_token, errors, results

# --- one activity, by natural key and by id ------------------------------------------------------


def test_activity_by_natural_key_carries_every_source_column(seeded, api):
    url = reverse("api:strategy-activity-detail", args=[PL, "1.1.1.a"])
    response = api.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "1.1.1.a"
    assert body["strategy"] == PL
    assert (body["objective"], body["result"], body["theme"]) == (1, "1.1", 1)
    assert body["actors_text"] == "NGOs, research and GOs, invited experts and local/regional stakeholders"
    assert len(body["actors"]) == 5
    assert body["indicator"] == "Report and map of priority Persian Leopard habitats is compiled"
    assert (body["timeline"], body["timeline_kind"], body["due_year"]) == ("2025", "year", 2025)
    assert (body["cost_text"], body["cost_usd"], body["cost_per_country"]) == (
        "10,000 per country",
        10000,
        True,
    )
    assert body["cami_pow"] == ["1.3", "19.2", "19.5"]
    assert body["priority"] == 3
    assert body["recurrence"] is None
    assert body["statuses"] == []
    assert body["url"] == f"http://testserver{url}"
    by_id = api.get(reverse("api:activity-detail", args=[body["id"]]))
    assert by_id.json() == body


def test_activity_lists_its_latest_approved_status_per_range_state(db, api):
    state, other = RangeStateFactory(name="Armenia"), RangeStateFactory(name="Georgia")
    activity = ActivityFactory()
    activity.strategy.range_states.add(state, other)
    approved_entry(activity, state, ProgressEntry.Status.COMPLETED)
    approved_entry(activity, None, ProgressEntry.Status.IN_PROGRESS)
    ProgressEntryFactory(activity=activity, range_state=other, review_state=RS.SUBMITTED)  # not approved
    body = api.get(reverse("api:activity-detail", args=[activity.pk])).json()
    assert [(s["range_state"], s["status"]) for s in body["statuses"]] == [
        (None, "in_progress"),
        (state.iso_code, "completed"),
    ]
    assert body["statuses"][1]["range_state_name"] == "Armenia"


def test_activity_codes_with_dots_resolve_only_within_their_strategy(db, api):
    activity = ActivityFactory(code="1.1.1.a")
    other = StrategyFactory()
    assert (
        api.get(reverse("api:strategy-activity-detail", args=[activity.strategy.slug, "1.1.1.a"])).status_code
        == 200
    )
    response = api.get(reverse("api:strategy-activity-detail", args=[other.slug, "1.1.1.a"]))
    assert response.status_code == 404
    assert errors(response) == {None: "not_found"}


def test_nested_list_of_an_unknown_strategy_is_404(db, api):
    response = api.get(reverse("api:strategy-activity-list", args=["no-such-strategy"]))
    assert response.status_code == 404
    assert errors(response) == {None: "not_found"}


# --- every resource: list and detail, by natural key and by id -----------------------------------


def _objects():
    strategy = StrategyFactory(slug="snow-leopard")
    theme = ThemeFactory(strategy=strategy, number=2)
    objective = ObjectiveFactory(strategy=strategy, theme=theme, number=3)
    result = ResultFactory(objective=objective, code="3.1")
    activity = ActivityFactory(result=result, code="3.1.2")
    actor = ActorFactory(slug="ngos", name="NGOs")
    measure = WorkProgrammeMeasureFactory(code="4.7")
    activity.actors.add(actor)
    activity.cami_pow_measures.add(measure)
    state = RangeStateFactory(iso_code="QA")
    strategy.range_states.add(state)
    return locals()


RESOURCES = [
    # (list route, detail route and args by natural key, the object's key in _objects, a field to check)
    ("strategy", lambda o: ("api:strategy-detail", ["snow-leopard"]), "strategy", ("slug", "snow-leopard")),
    ("theme", lambda o: ("api:strategy-theme-detail", ["snow-leopard", 2]), "theme", ("number", 2)),
    (
        "objective",
        lambda o: ("api:strategy-objective-detail", ["snow-leopard", 3]),
        "objective",
        ("theme", 2),
    ),
    ("result", lambda o: ("api:strategy-result-detail", ["snow-leopard", "3.1"]), "result", ("objective", 3)),
    (
        "activity",
        lambda o: ("api:strategy-activity-detail", ["snow-leopard", "3.1.2"]),
        "activity",
        ("actors", ["NGOs"]),
    ),
    ("actor", lambda o: ("api:actor-detail", ["ngos"]), "actor", ("name", "NGOs")),
    ("range-state", lambda o: ("api:range-state-detail", ["QA"]), "state", ("strategies", ["snow-leopard"])),
    (
        "work-programme-measure",
        lambda o: ("api:work-programme-measure-detail", ["4.7"]),
        "measure",
        ("code", "4.7"),
    ),
]


@pytest.mark.parametrize(("basename", "natural", "key", "field"), RESOURCES, ids=[r[0] for r in RESOURCES])
def test_each_resource_has_a_list_and_a_detail_by_natural_key_and_by_id(
    db, api, basename, natural, key, field
):
    objects = _objects()
    listed = results(api.get(reverse(f"api:{basename}-list")))
    assert len(listed) == 1
    name, value = field
    assert listed[0][name] == value
    route, args = natural(objects)
    by_key = api.get(reverse(route, args=args))
    assert by_key.status_code == 200
    assert by_key.json() == listed[0]
    by_id = api.get(reverse(f"api:{basename}-detail", args=[objects[key].pk]))
    assert by_id.status_code == 200
    assert by_id.json() == listed[0]
    assert listed[0]["url"] == f"http://testserver{reverse(route, args=args)}"


def test_range_state_codes_are_case_insensitive_and_unknown_ones_are_404(db, api):
    RangeStateFactory(iso_code="QB")
    assert api.get(reverse("api:range-state-detail", args=["qb"])).status_code == 200
    response = api.get(reverse("api:range-state-detail", args=["QZ"]))
    assert response.status_code == 404
    assert "QZ" in response.json()["errors"][0]["detail"]


def test_strategy_list_shows_counts_and_range_states(seeded, api):
    (strategy,) = [s for s in results(api.get(reverse("api:strategy-list"))) if s["slug"] == PL]
    assert (strategy["objective_count"], strategy["result_count"], strategy["activity_count"]) == (11, 31, 91)
    assert len(strategy["range_states"]) == 12
    assert strategy["activities_url"].endswith(f"/api/v1/strategies/{PL}/activities/")


def test_the_api_root_lists_the_resources(db, api):
    body = api.get("/api/v1/").json()
    assert {"strategies", "activities", "progress", "range-states", "work-programme-measures"} <= set(body)


# --- pagination ------------------------------------------------------------------------------------


def test_client_chooses_the_page_size_up_to_a_cap_and_gets_a_next_link(db, api):
    result = ResultFactory()
    ActivityFactory.create_batch(3, result=result)
    response = api.get(reverse("api:activity-list"), {"page_size": 2})
    body = response.json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert "page=2" in body["next"] and "page_size=2" in body["next"]
    assert response["Link"] == f'<{body["next"]}>; rel="next"'
    assert len(api.get(body["next"]).json()["results"]) == 1
    assert api.get(reverse("api:activity-list"), {"page_size": 100_000}).status_code == 200


def test_page_size_is_capped(db, api, monkeypatch):
    monkeypatch.setattr("activities.api.pagination.PageNumberPagination.max_page_size", 2)
    ActivityFactory.create_batch(3, result=ResultFactory())
    assert len(results(api.get(reverse("api:activity-list"), {"page_size": 50}))) == 2


# --- query counts: flat as rows grow ----------------------------------------------------------------


def _rows(basename, n):
    state = RangeStateFactory()
    strategy = StrategyFactory()
    strategy.range_states.add(state)
    for i in range(n):
        if basename == "strategy":
            StrategyFactory().range_states.add(state)
        elif basename == "theme":
            ThemeFactory(strategy=strategy)
        elif basename == "objective":
            ObjectiveFactory(strategy=strategy)
        elif basename == "result":
            ResultFactory(objective__strategy=strategy)
        elif basename == "activity":
            activity = ActivityFactory(result__objective__strategy=strategy)
            activity.actors.add(ActorFactory())
            activity.cami_pow_measures.add(WorkProgrammeMeasureFactory())
            approved_entry(activity, state)
        elif basename == "actor":
            ActorFactory()
        elif basename == "range-state":
            RangeStateFactory().strategies.add(strategy)
        elif basename == "work-programme-measure":
            WorkProgrammeMeasureFactory()
        elif basename == "progress":
            entry = approved_entry(ActivityFactory(result__objective__strategy=strategy), state)
            Evidence.objects.create(entry=entry, url=f"https://example.org/{i}.pdf")


LIST_QUERIES = [
    # change marker (activities.changes, the meetings' names included); count; strategies with
    # objective/result/activity counts (subqueries) joined to the meeting; Range States (prefetch)
    pytest.param("strategy", 4, id="strategy"),
    # count; themes joined to strategy
    pytest.param("theme", 2, id="theme"),
    # count; objectives joined to strategy and theme
    pytest.param("objective", 2, id="objective"),
    # count; results joined to strategy and objective
    pytest.param("result", 2, id="result"),
    # change marker; count; activities joined to strategy, result, objective, theme; actors; POW
    # measures; latest approved statuses joined to Range State (three prefetches)
    pytest.param("activity", 6, id="activity"),
    # count; actors
    pytest.param("actor", 2, id="actor"),
    # count; Range States; their strategies (prefetch)
    pytest.param("range-state", 3, id="range-state"),
    # count; measures
    pytest.param("work-programme-measure", 2, id="work-programme-measure"),
    # change marker; count; approved entries joined to activity, strategy, result and Range State;
    # evidence (prefetch)
    pytest.param("progress", 4, id="progress"),
]


@pytest.mark.parametrize("rows", [1, 15])
@pytest.mark.parametrize(("basename", "queries"), LIST_QUERIES)
def test_list_query_count_is_flat(api, django_assert_num_queries, basename, queries, rows):
    _rows(basename, rows)
    with django_assert_num_queries(queries):  # anonymous: no session or token lookup
        response = api.get(reverse(f"api:{basename}-list"), {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] >= rows


@pytest.mark.parametrize("rows", [1, 15])
def test_nested_activity_list_query_count_is_flat(api, django_assert_num_queries, rows):
    _rows("activity", rows)
    slug = Activity.objects.first().strategy.slug
    # the strategy (404 check), then the six queries of the flat list
    with django_assert_num_queries(7):
        response = api.get(reverse("api:strategy-activity-list", args=[slug]))
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 15])
def test_progress_query_count_is_flat_for_a_focal_point_token(api, django_assert_num_queries, rows):
    _rows("progress", rows)
    state = ProgressEntry.objects.first().range_state
    token = APITokenFactory(user=FocalPointFactory(range_state=state).user, last_used_at=timezone.now())
    as_token(api, token)
    # token joined to owner; Secretariat group check; focal point states; delegations;
    # change marker; count; entries; evidence
    with django_assert_num_queries(8):
        response = api.get(reverse("api:progress-list"))
    assert len(response.json()["results"]) == rows


def test_list_query_counts_cover_every_list_endpoint():
    from activities.api.urls import router

    from .test_regional import REGIONAL_LIST_QUERIES

    pinned = {param.values[0] for param in LIST_QUERIES} | {
        name.removesuffix("-list") for name, _ in REGIONAL_LIST_QUERIES
    }
    # per reader (anonymous, Secretariat), in tests/activities/api/test_national_reports.py
    pinned |= {"national-report"}
    assert pinned == {basename for _, _, basename in router.registry}
