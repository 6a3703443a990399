"""REST API v1: the activity list's filters, and the other lists' filters, each refusing what it cannot
read with a specific error."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityStateStatus,
    Actor,
    Objective,
    ProgressEntry,
    RangeState,
    Result,
    Strategy,
    Theme,
)
from tests.factories import (
    ActivityFactory,
    ActorFactory,
    ObjectiveFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    ResultFactory,
    StrategyFactory,
    ThemeFactory,
    WorkProgrammeMeasureFactory,
)

from .helpers import RS, approved_entry, codes, errors, results

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
