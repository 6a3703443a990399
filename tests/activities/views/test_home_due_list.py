"""The focal point's due list on their home page: grouped by theme and objective, "x of y reported" for
the round (the reporting-rate rule), filters by priority and by "not yet reported", late for the round
told apart from behind the plan's timeline, another state's work never shown, and flat query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import ReportingRound
from tests.factories import (
    ActivityFactory,
    ObjectiveFactory,
    ReportingRoundFactory,
    ResultFactory,
    ThemeFactory,
)

from .pages import create_url, signed_in

HOME = reverse("activities:home")


def home(client, user, **params):
    response = signed_in(client, user).get(HOME, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def themed(world):
    """A second theme with an objective, a priority-3 activity behind the timeline and a priority-1 one."""
    theme = ThemeFactory(strategy=world.strategy, number=2, title="Habitat connectivity")
    objective = ObjectiveFactory(strategy=world.strategy, theme=theme, number=2, text="Keep corridors open.")
    result = ResultFactory(objective=objective, code="2.1")
    world.urgent = ActivityFactory(
        result=result, code="2.1.1", priority=3, due_year=2020, timeline_text="2020", text="Map corridors."
    )
    world.minor = ActivityFactory(
        result=result, code="2.1.2", priority=1, due_year=timezone.localdate().year, text="Print leaflets."
    )
    world.theme1 = world.objective.theme
    return world


def test_due_list_groups_by_theme_and_objective_and_counts_reported(client, themed):
    themed.approved(activity=themed.minor)
    html = home(client, themed.focal_am)
    assert "<strong>1 of 3</strong> reported." in html  # the round's rate for Armenia
    assert "Theme 2: Habitat connectivity" in html and f"Theme {themed.theme1.number}:" in html
    assert html.index("Theme 2: Habitat connectivity") < html.index("Objective 2 <")
    # the theme of 2.1.x counts one of its two as reported; the other theme none of one
    assert "1 of 2 reported" in html and "0 of 1 reported" in html
    assert "Reported on time" in html
    assert create_url(themed.urgent, themed.am) in html  # still to report
    assert create_url(themed.minor, themed.am) not in html  # reported: links to the activity instead


def test_late_for_the_round_is_told_apart_from_behind_the_timeline(client, themed):
    html = home(client, themed.focal_am)
    assert "Behind the plan's timeline</strong> (due 2020)" in html  # 2.1.1 only
    assert html.count("Behind the plan's timeline</strong>") == 1
    assert "Late for the round</strong>" not in html  # the deadline is 20 days away
    today = timezone.localdate()
    ReportingRound.objects.filter(pk=themed.round.pk).update(deadline=today - datetime.timedelta(days=3))
    html = home(client, themed.focal_am)
    assert "passed 3 days ago" in html
    assert html.count("Late for the round</strong>") == 3  # every activity not yet reported
    assert html.count("Behind the plan's timeline</strong>") == 1


def test_an_entry_first_submitted_after_the_deadline_is_reported_late(client, themed):
    today = timezone.localdate()
    ReportingRound.objects.filter(pk=themed.round.pk).update(deadline=today - datetime.timedelta(days=1))
    themed.round.refresh_from_db()
    ReportingRound.objects.filter(pk=themed.round.pk).update(deadline=today + datetime.timedelta(days=1))
    themed.approved(activity=themed.minor)
    ReportingRound.objects.filter(pk=themed.round.pk).update(deadline=today - datetime.timedelta(days=1))
    html = home(client, themed.focal_am)
    assert "Reported, late for the round" in html
    assert "<strong>1 of 3</strong> reported, 1 of them late." in html


def test_filters_by_priority_and_not_yet_reported(client, themed):
    themed.approved(activity=themed.minor)
    html = home(client, themed.focal_am, priority="3")
    assert create_url(themed.urgent, themed.am) in html
    assert "Print leaflets." not in html and "Survey leopard corridors." not in html
    html = home(client, themed.focal_am, priority="2")
    assert "Survey leopard corridors." in html and "Map corridors." not in html
    html = home(client, themed.focal_am, priority="none")  # every activity here has a priority
    assert "Nothing matches these filters." in html and "Map corridors." not in html
    html = home(client, themed.focal_am, not_reported="on")
    assert "Print leaflets." not in html and "Map corridors." in html and "Survey leopard corridors." in html
    # the rate stays the round's, whatever the filters show
    assert "<strong>1 of 3</strong> reported." in html


@pytest.mark.parametrize(
    "params",
    [
        {"priority": "<script>alert(1)</script>"},
        {"priority": "7"},
        {"round": "abc"},
        {"round": "99999999999999999999999"},
        {"state": "' OR 1=1 --"},
        {"round": "-1", "state": "\x00"},
        {"not_reported": "maybe"},
    ],
)
def test_hostile_filter_values_are_ignored_with_a_message(client, themed, params):
    html = home(client, themed.focal_am, **params)
    assert "<script>alert(1)</script>" not in html
    assert "Survey leopard corridors." in html  # the default list is still shown
    if set(params) - {"not_reported"}:
        assert "Some filter values were not understood and have been ignored" in html


def test_a_focal_point_never_sees_another_states_due_list(client, themed):
    themed.approved(activity=themed.minor, user=themed.focal_ir, state=themed.ir)
    html = home(client, themed.focal_am, state="IR")
    assert "Some filter values were not understood" in html
    assert "Iran" not in html.split('id="due"')[1]
    assert "<strong>0 of 3</strong> reported." in html  # Armenia's figures, not Iran's 1 of 3
    assert "Reported on time" not in html


def test_a_focal_point_switches_between_open_rounds(client, themed):
    today = timezone.localdate()
    later = ReportingRoundFactory(
        strategy=themed.strategy,
        name="2026 mid-term",
        opens_on=today,
        deadline=today.replace(year=today.year + 1),
    )
    html = home(client, themed.focal_am)
    assert f'href="?round={later.pk}&amp;state=AM#due"' in html
    assert '<h3 id="due-round-h"><a href="' + themed.round.get_absolute_url() + '">2025 annual</a>' in html
    html = home(client, themed.focal_am, round=later.pk, state="AM")
    assert f'<a href="{later.get_absolute_url()}">2026 mid-term</a>' in html


@pytest.mark.parametrize("rows", [1, 8])
def test_home_query_count_is_flat_in_rounds_entries_and_activities(
    client, django_assert_num_queries, themed, rows
):
    today = timezone.localdate()
    for n in range(rows):
        ReportingRoundFactory(
            strategy=themed.strategy,
            name=f"Extra round {n}",
            opens_on=today,
            deadline=today + datetime.timedelta(days=40 + n),
        )
        theme = ThemeFactory(strategy=themed.strategy, number=10 + n)
        objective = ObjectiveFactory(strategy=themed.strategy, theme=theme, number=10 + n)
        activity = ActivityFactory(
            result=ResultFactory(objective=objective, code=f"{10 + n}.1"), code=f"{10 + n}.1.1"
        )
        themed.approved(activity=activity)
        themed.entry(activity=activity, narrative="A newer draft.")
    signed_in(client, themed.focal_am)
    # 1 session, 2 user, 3 notices, 4 Secretariat group?, 5 focal states, 6 those Range States, 7 open
    # rounds + strategy + due count, 8 their strategies' Range States, 9 entries counted per round and
    # state, 10 the due list with each activity's standing, 11 delegations, 12 pending entries counted
    # by review state, 13 the newest drafts
    with django_assert_num_queries(13):
        response = client.get(HOME, {"not_reported": "on"})
    assert response.status_code == 200
    assert response.content.decode().count("Extra round") == rows


def test_an_activity_with_an_entry_in_the_round_opens_that_entry_instead_of_offering_another(client, themed):
    draft = themed.entry(activity=themed.urgent, reporting_round=themed.round)
    submitted = themed.submitted(activity=themed.minor, reporting_round=themed.round)
    html = home(client, themed.focal_am)
    # a second "Report on" would make a second entry for the same activity, round and state
    assert create_url(themed.urgent, themed.am) not in html
    assert create_url(themed.minor, themed.am) not in html
    assert f'<a href="{reverse("activities:progress-detail", args=[draft.pk])}">Continue the entry on' in html
    assert f'<a href="{reverse("activities:progress-detail", args=[submitted.pk])}">Open the entry on' in html
