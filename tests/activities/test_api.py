"""REST API v1: resources, natural keys, filters, pagination, authentication, error bodies, query counts.

Shared fixtures and helpers for the other test_api_*.py modules live here too."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from activities.models import (
    Activity,
    ActivityStateStatus,
    Actor,
    APIToken,
    Evidence,
    Objective,
    ProgressEntry,
    RangeState,
    Result,
    Strategy,
    Theme,
)
from activities.permissions import SECRETARIAT_GROUP
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
    UserFactory,
    WorkProgrammeMeasureFactory,
)

RS = ProgressEntry.ReviewState
PL = "persian-leopard-2023-2032"


@pytest.fixture(autouse=True)
def fresh_throttles():
    # Throttle counters live in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(db):
    return APIClient()


def as_token(client, token):
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def secretariat_user(**kwargs):
    from django.contrib.auth.models import Group

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    return user


def approved_entry(activity, range_state, status=ProgressEntry.Status.IN_PROGRESS, **kwargs):
    """An approved entry and the latest-status row the approval service keeps for it."""
    reviewed_at = kwargs.pop("reviewed_at", timezone.now())
    entry = ProgressEntryFactory(
        activity=activity,
        range_state=range_state,
        status=status,
        review_state=RS.APPROVED,
        reviewed_at=reviewed_at,
        **kwargs,
    )
    ActivityStateStatus.objects.update_or_create(
        activity=activity,
        range_state=range_state,
        defaults={
            "entry": entry,
            "status": status,
            "reporting_date": entry.reporting_date,
            "approved_at": reviewed_at,
        },
    )
    return entry


def errors(response) -> dict:
    """{field: code} of an error body, checking its shape."""
    body = response.json()
    assert set(body) <= {"errors", "current_version"}, body
    for item in body["errors"]:
        assert set(item) == {"field", "code", "detail"}, item
        assert item["detail"]
    return {item["field"]: item["code"] for item in body["errors"]}


def results(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def codes(response) -> list[str]:
    return [row["code"] for row in results(response)]


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


# --- activity filters --------------------------------------------------------------------------


@pytest.fixture
def logframe(db):
    """Two strategies; activities A (1.1.1) … E spread over themes, priorities, due years and actors."""
    strategy = StrategyFactory(slug="pl")
    other = StrategyFactory(slug="caucasus")
    state, elsewhere = RangeStateFactory(iso_code="QA"), RangeStateFactory(iso_code="QB")
    strategy.range_states.add(state)
    other.range_states.add(elsewhere)
    theme1, theme2 = ThemeFactory(strategy=strategy, number=1), ThemeFactory(strategy=strategy, number=2)
    obj1 = ObjectiveFactory(strategy=strategy, theme=theme1, number=1)
    obj2 = ObjectiveFactory(strategy=strategy, theme=theme2, number=2)
    r11, r21 = ResultFactory(objective=obj1, code="1.1"), ResultFactory(objective=obj2, code="2.1")
    ngos, customs = ActorFactory(slug="ngos"), ActorFactory(slug="customs")
    m47, m19 = WorkProgrammeMeasureFactory(code="4.7"), WorkProgrammeMeasureFactory(code="19.2")
    a = ActivityFactory(result=r11, code="1.1.1", priority=3, due_year=2020, text="Map leopard habitat")
    b = ActivityFactory(result=r11, code="1.1.2", priority=1, due_year=2027)
    c = ActivityFactory(result=r21, code="2.1.1", priority=2, due_year=2030)
    d = ActivityFactory(result=r21, code="2.1.10", priority=None, due_year=None, timeline_kind="tbd")
    e = ActivityFactory(result__objective__strategy=other, code="9.9.9", due_year=2024)
    a.actors.add(ngos, customs)
    b.actors.add(customs)
    a.cami_pow_measures.add(m47)
    c.cami_pow_measures.add(m19, m47)
    return locals()


def _activities(api, **params):
    return codes(api.get(reverse("api:activity-list"), params))


ACTIVITY_FILTERS = [
    ({"strategy": "pl"}, ["1.1.1", "1.1.2", "2.1.1", "2.1.10"]),
    ({"strategy": "pl", "theme": 2}, ["2.1.1", "2.1.10"]),
    ({"strategy": "pl", "objective": 1}, ["1.1.1", "1.1.2"]),
    ({"strategy": "pl", "result": "2.1"}, ["2.1.1", "2.1.10"]),
    ({"priority": 3}, ["1.1.1"]),
    ({"priority": [1, 3]}, ["1.1.1", "1.1.2"]),
    ({"due_year": 2027}, ["1.1.2"]),
    ({"due_year_min": 2025, "due_year_max": 2030}, ["1.1.2", "2.1.1"]),
    ({"due_year_min": 2028}, ["2.1.1"]),
    ({"strategy": "pl", "overdue": "true"}, ["1.1.1"]),
    ({"strategy": "pl", "overdue": "false"}, ["1.1.2", "2.1.1", "2.1.10"]),
    ({"actor": "ngos"}, ["1.1.1"]),
    ({"actor": ["ngos", "customs"]}, ["1.1.1", "1.1.2"]),
    ({"cami_pow": "4.7"}, ["1.1.1", "2.1.1"]),
    ({"cami_pow": "19.2"}, ["2.1.1"]),
    ({"range_state": "QB"}, ["9.9.9"]),
    ({"timeline_kind": "tbd"}, ["2.1.10"]),
    ({"search": "leopard habitat"}, ["1.1.1"]),
    ({"strategy": "pl", "ordering": "-code"}, ["2.1.10", "2.1.1", "1.1.2", "1.1.1"]),
    ({"strategy": "pl", "due_year_min": 2000, "ordering": "-due_year,code"}, ["2.1.1", "1.1.2", "1.1.1"]),
]


@pytest.mark.parametrize(("params", "expected"), ACTIVITY_FILTERS, ids=[str(p) for p, _ in ACTIVITY_FILTERS])
def test_activity_filters(api, logframe, params, expected, monkeypatch):
    monkeypatch.setattr("activities.api.filters._this_year", lambda: 2026)
    listed = _activities(api, **params)
    if "ordering" in params:
        assert listed == expected
    else:
        assert sorted(listed) == sorted(expected)


def test_activity_status_filter_reads_the_latest_approved_status_in_a_range_state(api, logframe):
    a, b, state = logframe["a"], logframe["b"], logframe["state"]
    approved_entry(a, state, ProgressEntry.Status.COMPLETED)
    approved_entry(b, None, ProgressEntry.Status.COMPLETED)
    ProgressEntryFactory(activity=logframe["c"], range_state=state, status="completed", review_state=RS.DRAFT)
    assert sorted(_activities(api, status="completed")) == ["1.1.1", "1.1.2"]
    assert _activities(api, status="completed", range_state="QA") == ["1.1.1"]
    assert _activities(api, status="delayed") == []


def test_activity_updated_since_finds_activities_whose_fields_or_approved_status_changed(api, logframe):
    approved_entry(logframe["a"], logframe["state"])
    three_days_ago = timezone.now() - datetime.timedelta(days=3)
    Activity.objects.update(updated_at=three_days_ago)
    ActivityStateStatus.objects.update(updated_at=three_days_ago)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert _activities(api, updated_since=since) == []

    approved_entry(logframe["b"], logframe["state"])  # a new approved status in a Range State
    edited = logframe["c"]
    edited.indicator = "Report published"  # a corrected field (auto_now stamps it)
    edited.save()
    ProgressEntryFactory(activity=logframe["d"], range_state=logframe["state"])  # a draft: not public

    assert sorted(_activities(api, updated_since=since)) == ["1.1.2", "2.1.1"]


def test_every_content_list_filters_by_updated_since(api, logframe):
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    for name in [
        "strategy-list",
        "theme-list",
        "objective-list",
        "result-list",
        "actor-list",
        "range-state-list",
    ]:
        url = reverse(f"api:{name}")
        assert api.get(url, {"updated_since": since}).json()["count"] > 0, name
        Model = {"strategy-list": Strategy, "theme-list": Theme, "objective-list": Objective, "result-list": Result,
                 "actor-list": Actor, "range-state-list": RangeState}[name]  # fmt: skip
        Model.objects.update(updated_at=timezone.now() - datetime.timedelta(days=3))
        assert api.get(url, {"updated_since": since}).json()["count"] == 0, name


BAD_FILTERS = [
    ({"strategy": "no-such-strategy"}, "strategy"),
    ({"due_year": "soon"}, "due_year"),
    ({"due_year_min": "x"}, "due_year_min"),
    ({"priority": 7}, "priority"),
    ({"overdue": "perhaps"}, "overdue"),
    ({"status": "finished"}, "status"),
    ({"range_state": "XX"}, "range_state"),
    ({"actor": "nobody"}, "actor"),
    ({"cami_pow": "99.99"}, "cami_pow"),
    ({"updated_since": "yesterday"}, "updated_since"),
    ({"ordering": "text"}, "ordering"),
    ({"stratgy": "pl"}, "stratgy"),
    ({"page_size": "many"}, "page_size"),
    ({"page_size": 0}, "page_size"),
]


@pytest.mark.parametrize(("params", "field"), BAD_FILTERS, ids=[str(p) for p, _ in BAD_FILTERS])
def test_bad_filter_values_are_400_naming_the_parameter(api, logframe, params, field):
    response = api.get(reverse("api:activity-list"), params)
    assert response.status_code == 400
    assert field in errors(response)


def test_unknown_page_is_404_in_the_error_shape(api, logframe):
    response = api.get(reverse("api:activity-list"), {"page": 99})
    assert response.status_code == 404
    assert errors(response) == {None: "not_found"}


# --- other lists' filters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("basename", "params", "expected"),
    [
        ("strategy", {"range_state": "QB"}, ["caucasus"]),
        ("strategy", {"search": "caucasus"}, ["caucasus"]),
        ("theme", {"strategy": "pl"}, [1, 2]),
        ("objective", {"strategy": "pl", "theme": 2}, [2]),
        ("result", {"strategy": "pl", "objective": 1}, ["1.1"]),
        ("actor", {"strategy": "pl", "ordering": "slug"}, ["customs", "ngos"]),
        ("actor", {"strategy": "caucasus"}, []),
        ("range-state", {"strategy": "pl"}, ["QA"]),
        ("work-programme-measure", {"strategy": "pl"}, ["4.7", "19.2"]),
        ("work-programme-measure", {"search": "19"}, ["19.2"]),
    ],
)
def test_other_list_filters(api, logframe, basename, params, expected):
    key = {"strategy": "slug", "theme": "number", "objective": "number", "result": "code", "actor": "slug"}
    key |= {"range-state": "iso_code", "work-programme-measure": "code"}
    rows = results(api.get(reverse(f"api:{basename}-list"), params))
    assert [row[key[basename]] for row in rows] == expected


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


# --- progress: what each client sees -----------------------------------------------------------


@pytest.fixture
def progress(db):
    state, other = RangeStateFactory(iso_code="QA"), RangeStateFactory(iso_code="QB")
    activity = ActivityFactory(code="1.1.1")
    activity.strategy.range_states.add(state, other)
    public = approved_entry(activity, state, restricted_details="Den at 40.1N 44.9E")
    Evidence.objects.create(entry=public, title="Report", url="https://example.org/report.pdf")
    Evidence.objects.create(
        entry=public, title="Camera traps", url="https://example.org/ct.kml", restricted=True
    )
    draft = ProgressEntryFactory(activity=activity, range_state=state, restricted_details="secret")
    elsewhere = ProgressEntryFactory(activity=activity, range_state=other, review_state=RS.SUBMITTED)
    focal = FocalPointFactory(range_state=state).user
    return locals()


def test_anonymous_clients_see_approved_entries_without_restricted_details(api, progress):
    rows = results(api.get(reverse("api:progress-list")))
    assert [row["id"] for row in rows] == [progress["public"].pk]
    (row,) = rows
    assert "restricted_details" not in row
    assert [e["title"] for e in row["evidence"]] == ["Report"]
    assert (row["strategy"], row["activity"], row["range_state"]) == (
        progress["activity"].strategy.slug,
        "1.1.1",
        "QA",
    )
    detail = api.get(reverse("api:progress-detail", args=[progress["public"].pk])).json()
    assert "restricted_details" not in detail and len(detail["evidence"]) == 1
    assert api.get(reverse("api:progress-detail", args=[progress["draft"].pk])).status_code == 404


def test_a_partner_token_sees_what_anonymous_clients_see(api, progress):
    as_token(api, APITokenFactory())
    rows = results(api.get(reverse("api:progress-list")))
    assert [row["id"] for row in rows] == [progress["public"].pk]
    assert "restricted_details" not in rows[0]


def test_a_focal_point_token_sees_its_states_drafts_with_restricted_details(api, progress):
    as_token(api, APITokenFactory(user=progress["focal"]))
    rows = {row["id"]: row for row in results(api.get(reverse("api:progress-list")))}
    assert set(rows) == {progress["public"].pk, progress["draft"].pk}
    assert rows[progress["draft"].pk]["restricted_details"] == "secret"
    assert rows[progress["public"].pk]["restricted_details"] == "Den at 40.1N 44.9E"
    assert len(rows[progress["public"].pk]["evidence"]) == 2


def test_the_secretariat_sees_every_entry(api, progress):
    api.force_login(secretariat_user())
    rows = results(api.get(reverse("api:progress-list")))
    assert len(rows) == 3
    assert all("restricted_details" in row for row in rows)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"range_state": "QA"}, ["public"]),
        ({"status": "in_progress"}, ["public"]),
        ({"status": "completed"}, []),
        ({"activity": "1.1.1"}, ["public"]),
        ({"range_wide": "true"}, []),
        ({"range_wide": "false"}, ["public"]),
        ({"reporting_date_min": "2025-07-01"}, []),
        ({"reporting_date_max": "2025-06-30"}, ["public"]),
        ({"priority": 2}, ["public"]),
        ({"due_year_max": 2024}, []),
        ({"review_state": "draft"}, []),
    ],
)
def test_progress_filters(api, progress, params, expected):
    rows = results(api.get(reverse("api:progress-list"), params))
    assert [row["id"] for row in rows] == [progress[name].pk for name in expected]


def test_progress_filters_by_strategy_slug_and_updated_since(api, progress):
    slug = progress["activity"].strategy.slug
    assert len(results(api.get(reverse("api:progress-list"), {"strategy": slug}))) == 1
    future = (timezone.now() + datetime.timedelta(minutes=1)).isoformat()
    assert results(api.get(reverse("api:progress-list"), {"updated_since": future})) == []
    response = api.get(reverse("api:progress-list"), {"strategy": "nope", "reporting_date_min": "June"})
    assert set(errors(response)) == {"strategy", "reporting_date_min"}


# --- authentication ------------------------------------------------------------------------------


def test_a_token_records_its_last_use_at_most_once_a_minute(api, django_assert_num_queries):
    token = APITokenFactory()
    ActorFactory()
    as_token(api, token)
    assert api.get(reverse("api:actor-list")).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    # token joined to its owner, actor count, actors: no write this time
    with django_assert_num_queries(3):
        api.get(reverse("api:actor-list"))
    token.refresh_from_db()
    assert token.last_used_at == first


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Token st_not-a-real-key", "token_invalid"),
        ("Token two parts", "token_malformed"),
        ("Token", "token_malformed"),
    ],
)
def test_unknown_or_malformed_tokens_are_401(api, header, code):
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get(reverse("api:activity-list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert errors(response) == {None: code}


def test_a_revoked_token_is_401_with_a_clear_message(api):
    token = APITokenFactory(revoked_at=timezone.now())
    response = as_token(api, token).get(reverse("api:activity-list"))
    assert response.status_code == 401
    assert errors(response) == {None: "token_revoked"}
    assert "revoked" in response.json()["errors"][0]["detail"]


def test_a_token_of_a_disabled_account_is_401(api):
    token = APITokenFactory(user=UserFactory(is_active=False))
    response = as_token(api, token).get(reverse("api:activity-list"))
    assert response.status_code == 401
    assert errors(response) == {None: "user_inactive"}


def test_only_the_hash_and_a_prefix_of_a_key_are_stored(db):
    token = APITokenFactory()
    stored = APIToken.objects.get(pk=token.pk)
    assert token.key.startswith("st_") and token.key.startswith(stored.prefix)
    assert token.key not in (stored.key_hash, stored.prefix)
    assert len(stored.key_hash) == 64


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
    # count; strategies with objective/result/activity counts (subqueries) joined to the meeting;
    # Range States (prefetch)
    pytest.param("strategy", 3, id="strategy"),
    # count; themes joined to strategy
    pytest.param("theme", 2, id="theme"),
    # count; objectives joined to strategy and theme
    pytest.param("objective", 2, id="objective"),
    # count; results joined to strategy and objective
    pytest.param("result", 2, id="result"),
    # count; activities joined to strategy, result, objective, theme; actors; POW measures;
    # latest approved statuses joined to Range State (three prefetches)
    pytest.param("activity", 5, id="activity"),
    # count; actors
    pytest.param("actor", 2, id="actor"),
    # count; Range States; their strategies (prefetch)
    pytest.param("range-state", 3, id="range-state"),
    # count; measures
    pytest.param("work-programme-measure", 2, id="work-programme-measure"),
    # count; approved entries joined to activity, strategy, result and Range State; evidence (prefetch)
    pytest.param("progress", 3, id="progress"),
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
    # the strategy (404 check), then the five queries of the flat list
    with django_assert_num_queries(6):
        response = api.get(reverse("api:strategy-activity-list", args=[slug]))
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 15])
def test_progress_query_count_is_flat_for_a_focal_point_token(api, django_assert_num_queries, rows):
    _rows("progress", rows)
    state = ProgressEntry.objects.first().range_state
    token = APITokenFactory(user=FocalPointFactory(range_state=state).user, last_used_at=timezone.now())
    as_token(api, token)
    # token joined to owner; Secretariat group check; focal point states; delegations;
    # count; entries; evidence
    with django_assert_num_queries(7):
        response = api.get(reverse("api:progress-list"))
    assert len(response.json()["results"]) == rows


def test_list_query_counts_cover_every_list_endpoint():
    from activities.api.urls import router

    assert {param.values[0] for param in LIST_QUERIES} == {basename for _, _, basename in router.registry}
