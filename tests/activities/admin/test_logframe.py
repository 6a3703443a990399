"""The logframe's admin: the activity changelist's order, columns, search and filters, and the forms."""

import datetime

from activities.models import Activity, Result
from tests.factories import (
    ActivityFactory,
    ActorFactory,
    ObjectiveFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    ResultFactory,
    StrategyFactory,
)

from .rows import admin_url, listed

# --- the activity changelist ----------------------------------------------------------------------


def test_activities_are_listed_by_strategy_then_code_in_logframe_order(staff_client):
    second = StrategyFactory(title="B strategy")
    first = StrategyFactory(title="A strategy")
    result = ResultFactory(objective__strategy=second, code="1.1")
    for code in ["1.10.1", "1.1.2", "1.1.1.a"]:
        ActivityFactory(result=result, code=code)
    ActivityFactory(result__objective__strategy=first, code="9.1.1")

    response = staff_client.get(admin_url(Activity, "changelist"))

    assert [(a.strategy, a.code) for a in listed(response)] == [
        (first, "9.1.1"),
        (second, "1.1.1.a"),
        (second, "1.1.2"),
        (second, "1.10.1"),
    ]


def test_activity_changelist_shows_the_columns_the_secretariat_reads(staff_client):
    activity = ActivityFactory(cost_text="10,000 per country", cost_kind="amount", cost_usd=10000)
    activity.cost_per_country = True
    activity.save()
    activity.actors.set([ActorFactory(name="Rangers")])

    content = staff_client.get(admin_url(Activity, "changelist")).content.decode()

    assert "10,000 per country" in content
    assert "Rangers" in content
    assert str(activity.result) in content


def test_search_finds_an_activity_by_code(staff_client):
    wanted = ActivityFactory(code="7.3.2")
    ActivityFactory(code="1.1.1")

    response = staff_client.get(admin_url(Activity, "changelist"), {"q": "7.3.2"})

    assert listed(response) == [wanted]


def test_search_finds_an_activity_by_text(staff_client):
    wanted = ActivityFactory(text="Establish a transboundary camera-trap network.")
    ActivityFactory()

    response = staff_client.get(admin_url(Activity, "changelist"), {"q": "camera-trap"})

    assert listed(response) == [wanted]


def test_strategy_filter_narrows_activities(staff_client):
    wanted = ActivityFactory()
    ActivityFactory()

    response = staff_client.get(
        admin_url(Activity, "changelist"), {"strategy__id__exact": wanted.strategy_id}
    )

    assert listed(response) == [wanted]


def test_objective_filter_narrows_activities(staff_client):
    objective = ObjectiveFactory()
    wanted = ActivityFactory(result__objective=objective)
    ActivityFactory(result__objective__strategy=objective.strategy)

    response = staff_client.get(
        admin_url(Activity, "changelist"), {"result__objective__id__exact": objective.pk}
    )

    assert listed(response) == [wanted]


def test_priority_filter_narrows_activities(staff_client):
    wanted = ActivityFactory(priority=Activity.Priority.HIGH)
    ActivityFactory(priority=Activity.Priority.LOW)
    ActivityFactory(priority=None)

    response = staff_client.get(
        admin_url(Activity, "changelist"), {"priority__exact": Activity.Priority.HIGH}
    )

    assert listed(response) == [wanted]


def test_due_year_filter_narrows_activities(staff_client):
    wanted = ActivityFactory(due_year=2027)
    ActivityFactory(due_year=2025)

    response = staff_client.get(admin_url(Activity, "changelist"), {"due_year": 2027})

    assert listed(response) == [wanted]


def test_deadline_filter_lists_activities_past_their_due_year(staff_client):
    this_year = datetime.date.today().year
    past = ActivityFactory(due_year=this_year - 1)
    ActivityFactory(due_year=this_year)
    ActivityFactory(due_year=None, timeline_kind=Activity.TimelineKind.TBD)

    response = staff_client.get(admin_url(Activity, "changelist"), {"deadline": "past"})

    assert listed(response) == [past]


def test_range_state_filter_lists_activities_with_progress_there_once_each(staff_client):
    armenia, iran = RangeStateFactory(), RangeStateFactory()
    wanted = ActivityFactory()
    ProgressEntryFactory(activity=wanted, range_state=armenia, reporting_date=datetime.date(2024, 6, 30))
    ProgressEntryFactory(activity=wanted, range_state=armenia, reporting_date=datetime.date(2025, 6, 30))
    ProgressEntryFactory(range_state=iran)
    ProgressEntryFactory(range_state=None)  # range-wide progress
    ActivityFactory()  # no progress at all

    response = staff_client.get(admin_url(Activity, "changelist"), {"range_state": armenia.pk})

    assert listed(response) == [wanted]
    assert armenia.name in response.content.decode()


def test_actor_filter_narrows_activities(staff_client):
    rangers, customs = ActorFactory(), ActorFactory()
    wanted = ActivityFactory()
    wanted.actors.set([rangers, customs])
    ActivityFactory().actors.set([customs])

    response = staff_client.get(admin_url(Activity, "changelist"), {"actors__id__exact": rangers.pk})

    assert listed(response) == [wanted]


# --- forms ----------------------------------------------------------------------------------------


def test_activity_form_groups_parsed_values_with_their_source_text(staff_client):
    activity = ActivityFactory()

    response = staff_client.get(admin_url(Activity, "change", activity.pk))

    fieldsets = {name: str(options["fields"]) for name, options in response.context["adminform"].fieldsets}
    assert all(
        f in fieldsets["Timeline"] for f in ["timeline_text", "timeline_kind", "due_year", "recurrence_years"]
    )
    assert all(f in fieldsets["Cost"] for f in ["cost_text", "cost_kind", "cost_usd", "cost_per_country"])
    assert {"strategy", "sort_key"} <= set(response.context["adminform"].readonly_fields)


def test_result_page_links_to_each_activity(staff_client):
    activity = ActivityFactory()

    response = staff_client.get(admin_url(Result, "change", activity.result_id))

    assert admin_url(Activity, "change", activity.pk) in response.content.decode()
