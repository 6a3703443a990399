"""The admin site: who gets in, that every model is registered, and that every changelist, add and
change page loads with a query count that stays flat as rows grow."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from simple_history.models import HistoricalChanges

from activities.models import (
    Activity,
    ActivityStateStatus,
    Actor,
    CrossReference,
    Delegation,
    Evidence,
    FocalPoint,
    Meeting,
    MeetingSnapshot,
    Metapopulation,
    NationalActionPlan,
    Objective,
    ProgressEntry,
    RangeState,
    ReminderSent,
    ReportingLink,
    ReportingRound,
    Result,
    SnapshotStatus,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)
from tests.factories import UserFactory

from .rows import READ_ONLY, ROW_BUILDERS, admin_url, listed

# --- the site -----------------------------------------------------------------------------------


# The admin modules for whose every model rows.py builds a row; integration (API tokens, webhooks,
# deliveries, events) is tested in test_integration.py.
ADMIN_MODULES = ("activities.admin.logframe", "activities.admin.regional", "activities.admin.progress")
# rows.py also builds a row of every model of the regional picture (the permission matrix uses them).
ROW_MODULES = (
    *ADMIN_MODULES,
    "activities.admin.species",
    "activities.admin.meetings",
    "activities.admin.ecoregional",
    "activities.admin.funding",
)


def registered_in(modules):
    return {
        model
        for model, model_admin in admin.site._registry.items()
        if type(model_admin).__module__ in modules
    }


def test_every_activities_model_is_registered():
    # History tables are shown through their model's admin.
    models = {
        model
        for model in apps.get_app_config("activities").get_models()
        if not issubclass(model, HistoricalChanges)
    }
    assert models - set(admin.site._registry) == set()


def test_every_model_registered_here_has_a_row_builder():
    assert registered_in(ROW_MODULES) == set(ROW_BUILDERS)


def test_admin_index_shows_the_secretariat_header(staff_client):
    response = staff_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Strategy Tracker — CMS Secretariat" in response.content.decode()


def test_non_staff_user_is_redirected_to_login(db, client):
    client.force_login(UserFactory(is_staff=False))
    url = admin_url(Activity, "changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


def test_anonymous_visitor_is_redirected_to_login(client):
    response = client.get(admin_url(ProgressEntry, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- every page loads, and changelists stay flat as rows grow ------------------------------------


@pytest.mark.parametrize("model", ROW_BUILDERS, ids=lambda model: model.__name__)
def test_changelist_add_and_change_pages_load(staff_client, model):
    obj = ROW_BUILDERS[model]()
    for url in (admin_url(model, "changelist"), admin_url(model, "change", obj.pk)):
        assert staff_client.get(url).status_code == 200, url
    assert staff_client.get(admin_url(model, "add")).status_code == (403 if model in READ_ONLY else 200)


# Every count starts with the session and the logged-in user, and has the admin's two counts
# (rows matching the filters, and all rows for "N total"); the rest is named per model.
CHANGELIST_QUERIES = [
    # distinct years for the filter, meetings
    pytest.param(Meeting, 6, id="Meeting"),
    # strategy filter choices, Range States, their strategies (prefetch)
    pytest.param(RangeState, 7, id="RangeState"),
    # meeting filter choices, strategies joined to their meeting with activity counts,
    # distinct period starts for the filter
    pytest.param(Strategy, 7, id="Strategy"),
    # strategy and Range State filter choices, metapopulations joined to strategy, Range States (prefetch)
    pytest.param(Metapopulation, 8, id="Metapopulation"),
    # strategy, Range State and species filter choices, plans joined to strategy, Range State and the
    # plan they supersede
    pytest.param(NationalActionPlan, 8, id="NationalActionPlan"),
    # strategy filter choices, themes joined to strategy
    pytest.param(Theme, 6, id="Theme"),
    # strategy and theme filter choices, objectives joined to strategy and theme
    pytest.param(Objective, 7, id="Objective"),
    # strategy filter choices, objective filter choices joined to strategy, results joined to
    # strategy and objective
    pytest.param(Result, 7, id="Result"),
    # actors
    pytest.param(Actor, 5, id="Actor"),
    # measures
    pytest.param(WorkProgrammeMeasure, 5, id="WorkProgrammeMeasure"),
    # filter choices: strategies, objectives joined to strategy, Range States, actors;
    # activities joined to strategy and result, actors (prefetch), distinct due years for the filter
    pytest.param(Activity, 11, id="Activity"),
    # references joined to source activity/result (with strategy) and to every kind of target
    pytest.param(CrossReference, 5, id="CrossReference"),
    # Range State filter choices, focal points joined to user and Range State
    pytest.param(FocalPoint, 6, id="FocalPoint"),
    # filter choices: strategies, Range States, rounds joined to strategy; entries joined to
    # activity, strategy, Range State, round and reporter; date hierarchy: first/last reporting date,
    # distinct reporting dates
    pytest.param(ProgressEntry, 10, id="ProgressEntry"),
    # strategy and Range State filter choices, links joined to entry, activity and Range State
    pytest.param(Evidence, 7, id="Evidence"),
    # strategy filter choices, rounds joined to strategy with entry counts, date hierarchy:
    # first/last deadline, distinct deadlines
    pytest.param(ReportingRound, 8, id="ReportingRound"),
    # strategy and Range State filter choices, statuses joined to activity, strategy and Range State
    pytest.param(ActivityStateStatus, 7, id="ActivityStateStatus"),
    # Range State filter choices, delegations joined to delegate, grantor, Range State, activity and
    # objective with its strategy
    pytest.param(Delegation, 6, id="Delegation"),
    # Range State filter choices, links joined to user, Range State and creator
    pytest.param(ReportingLink, 6, id="ReportingLink"),
    # round filter choices joined to strategy, reminders joined to user and round with its strategy,
    # date hierarchy: first/last day, distinct days
    pytest.param(ReminderSent, 8, id="ReminderSent"),
    # strategy and meeting filter choices, snapshots joined to strategy, meeting and taker with
    # status counts
    pytest.param(MeetingSnapshot, 7, id="MeetingSnapshot"),
    # strategy and meeting filter choices, statuses joined to activity, Range State and snapshot
    # with its meeting and strategy
    pytest.param(SnapshotStatus, 7, id="SnapshotStatus"),
]


@pytest.mark.parametrize("rows", [1, 12])
@pytest.mark.parametrize(("model", "queries"), CHANGELIST_QUERIES)
def test_changelist_query_count_is_flat(staff_client, django_assert_num_queries, model, queries, rows):
    for _ in range(rows):
        ROW_BUILDERS[model]()
    url = admin_url(model, "changelist")
    with django_assert_num_queries(queries):
        response = staff_client.get(url)
    assert response.status_code == 200
    assert len(listed(response)) == rows


def test_changelist_query_counts_cover_every_model_registered_here():
    assert {param.values[0] for param in CHANGELIST_QUERIES} == registered_in(ADMIN_MODULES)
