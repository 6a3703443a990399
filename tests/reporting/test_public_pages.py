"""The public pages show progress as the reports count it: the strategy page's outline with each
activity's cells across its Range States and a search, the activity page's status per Range State, the
home page's headline figures per strategy. Numbers are those of tests/reporting/conftest.py, by hand."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import CommonName, ProgressEntry
from tests.factories import (
    ActivityFactory,
    RangeStateFactory,
    ReportingRoundFactory,
    SpeciesFactory,
    StaffUserFactory,
    StrategyFactory,
)
from tests.reporting.conftest import record

pytestmark = pytest.mark.django_db

S = ProgressEntry.Status
D = datetime.date


def strategy_url(strategy, **query):
    url = reverse("activities:strategy-detail", kwargs={"slug": strategy.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def activity_url(activity):
    return reverse(
        "activities:activity-detail", kwargs={"slug": activity.strategy.slug, "code": activity.code}
    )


def block(html, start, end):
    """The HTML from the element with id `start` up to the next `end` marker."""
    i = html.index(f'id="{start}"')
    return html[i : html.index(end, i + 1)]


def counts(fragment) -> dict[str, int]:
    """The status chips of a fragment, e.g. {"Completed": 1, "Not reported": 2}."""
    return {
        label: int(n) for label, n in re.findall(r'<span class="st st-\w+">([^<:]+): (\d+)</span>', fragment)
    }


# --- the strategy page ---------------------------------------------------------------------------------


def test_strategy_page_shows_each_activitys_approved_cells_across_its_range_states(client, world):
    html = client.get(strategy_url(world.strategy)).content.decode()
    # A1: Alpha completed, Beta delayed; Gamma's completed entry is only a draft, so not reported.
    assert counts(block(html, "activity-1.1.1", "</article>")) == {
        "Completed": 1,
        "Delayed / at risk": 1,
        "Not reported": 1,
    }
    # A2: Gamma not applicable; Alpha's entry awaits review and Beta's was returned: neither counts.
    assert counts(block(html, "activity-1.1.2", "</article>")) == {"Not applicable": 1, "Not reported": 2}
    # A3: only a range-wide status, which stands for every state without a report of its own.
    assert counts(block(html, "activity-1.2.1", "</article>")) == {"In progress": 3}


def test_strategy_page_outline_collapses_to_objectives_with_their_counts(client, world):
    html = client.get(strategy_url(world.strategy)).content.decode()
    objective = block(html, "objective-1", "</summary>")
    assert objective.startswith('id="objective-1" class="objective">')  # a <details>, closed by default
    assert "Know the leopard." in objective
    assert counts(objective) == {
        "Completed": 1,
        "In progress": 3,
        "Delayed / at risk": 1,
        "Not applicable": 1,
        "Not reported": 3,
    }
    assert counts(block(html, "objective-2", "</summary>")) == {"Completed": 1, "Not reported": 2}
    assert "<script" not in html  # the outline opens and closes without JavaScript
    # the completed share of the whole strategy: 2 completed of 11 cells (one is not applicable)
    assert "Completed share: 18 % of the activities across 3 Range States" in html


def test_strategy_search_finds_activities_by_code_and_by_text(client, world):
    world.a3.text = "Build the camera-trap database."
    world.a3.save()
    html = client.get(strategy_url(world.strategy, q="1.1")).content.decode()
    assert "2 activities match “1.1”" in html
    assert 'id="found-1.1.1"' in html and 'id="found-1.1.2"' in html and 'id="found-1.2.1"' not in html
    assert 'id="objective-1"' not in html  # results instead of the outline
    html = client.get(strategy_url(world.strategy, q="CAMERA")).content.decode()
    assert "1 activity matches “CAMERA”" in html
    assert counts(block(html, "found-1.2.1", "</article>")) == {"In progress": 3}


def test_strategy_search_says_when_nothing_matches_and_escapes_what_was_typed(client, world):
    response = client.get(strategy_url(world.strategy), {"q": "<script>alert(1)</script>"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "No activity of this strategy has that code or text." in html


def test_strategy_search_never_finds_another_strategys_activities(client, world):
    ActivityFactory(code="1.1.9", text="Leopard elsewhere.")
    html = client.get(strategy_url(world.strategy, q="1.1.9")).content.decode()
    assert "0 activities match" in html


def test_strategy_page_gives_the_species_common_names_with_languages_named_in_the_interface_language(
    client, world
):
    species = SpeciesFactory(common_name="Persian Leopard")
    species.strategies.add(world.strategy)
    CommonName.objects.create(
        species=species, position=1, language="Farsi/ Dari", language_code="fa", name="پلنگ ایرانی"
    )
    CommonName.objects.create(
        species=species, position=2, language="Armenian", language_code="hy", name="հովազ"
    )
    html = client.get(strategy_url(world.strategy)).content.decode()
    assert "Common names of the Persian Leopard" in html
    assert (
        '<span class="language">Persian</span> <span class="name" lang="fa" dir="rtl">پلنگ ایرانی</span>'
        in html
    )
    assert '<span class="name" lang="hy" dir="ltr">հովազ</span>' in html
    assert html.index("پلنگ ایرانی") < html.index("հովազ")  # the source's order
    russian = client.get(strategy_url(world.strategy), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<span class="language">персидский</span>' in russian


@pytest.mark.parametrize("rows", [1, 6])
def test_strategy_page_query_count_stays_flat_as_activities_states_and_entries_grow(
    client, django_assert_num_queries, world, rows
):
    users = (world.reporter, world.reviewer)
    for n in range(rows):
        state = RangeStateFactory()
        world.strategy.range_states.add(state)
        activity = ActivityFactory(result=world.a1.result, code=f"1.1.{10 + n}")
        record(users, activity=activity, state=state, date=D(2025, 1, 1), status=S.COMPLETED)
        record(users, activity=world.a1, state=state, date=D(2025, 1, 1), status=S.DELAYED)
    # 1 strategy + meeting + counts, 2 Range States, 3 metapopulations, 4 their Range States, 5 plans,
    # 6 themes, 7 objectives, 8 results, 9 activities, 10 actors, 11 POW measures, 12 references,
    # 13 referenced by, 14 result references, 15 results referenced by, 16 objectives without a theme,
    # 17 species (none, so no common names); progress: 18 cells grouped by activity and status, 19 the
    # activities' objectives (the Range States are counted from their prefetch); the Range State map
    # (reporting.reports.ranges): 20 states, 21 activities' count, 22 cells, 23 latest round,
    # 24 metapopulations, 25 their Range States; 26 the landscapes of the landscape filter; the outline's
    # cache key (activities.changes): 27 its change marker (the cross-references it shows included)
    with django_assert_num_queries(27):
        response = client.get(strategy_url(world.strategy))
    assert response.status_code == 200
    assert (
        counts(block(response.content.decode(), "activity-1.1.1", "</article>"))["Delayed / at risk"]
        == 1 + rows
    )


# --- the activity page ---------------------------------------------------------------------------------


def state_row(html, name):
    row = re.search(rf"<tr[^>]*>\s*<th scope=\"row\">{name}</th>(.*?)</tr>", html, re.S)
    assert row, name
    return row.group(1)


def test_activity_page_shows_each_range_states_latest_approved_status_and_its_date(client, world):
    html = client.get(activity_url(world.a1)).content.decode()
    alpha = state_row(html, "Alpha")
    assert 'class="st st-completed"' in alpha and 'datetime="2025-03-01"' in alpha  # the later of two
    assert 'class="st st-delayed"' in state_row(html, "Beta")
    gamma = state_row(html, "Gamma")  # only a draft: not reported, no date
    assert 'class="st st-not_reported"' in gamma and "none approved" in gamma
    assert "st-completed" not in gamma


def test_activity_page_marks_a_range_wide_status_standing_in_for_a_state(client, world):
    html = client.get(activity_url(world.a3)).content.decode()
    beta = state_row(html, "Beta")
    assert 'class="st st-in_progress"' in beta and "(range-wide)" in beta and 'datetime="2025-01-15"' in beta
    assert 'class="st st-in_progress"' in state_row(html, "Range-wide")


# --- the home page -------------------------------------------------------------------------------------


def test_home_page_shows_each_strategys_headline_figures(client, world):
    today = timezone.localdate()
    users = (world.reporter, world.reviewer)
    current = ReportingRoundFactory(
        strategy=world.strategy,
        name="Current round",
        opens_on=today - datetime.timedelta(days=10),
        deadline=today + datetime.timedelta(days=20),
    )
    later = ReportingRoundFactory(
        strategy=world.strategy,
        name="Later round",
        opens_on=today + datetime.timedelta(days=100),
        deadline=today + datetime.timedelta(days=200),
    )
    # Alpha reports in the current round (the same status: the completed share stays 2 of 11); Beta's
    # entry only awaits review, so Beta has not reported.
    record(users, activity=world.a1, state=world.alpha, date=today, status=S.COMPLETED, round=current)
    record(
        users,
        activity=world.a4,
        state=world.beta,
        date=today,
        status=S.COMPLETED,
        round=current,
        review="submitted",
    )
    other = StrategyFactory(title="A strategy without rounds")
    html = client.get(reverse("activities:strategy-list")).content.decode()
    ours = block(html, f"strategy-{world.strategy.slug}", "</article>")
    assert "18 %" in ours
    assert "1 of 3 Range States" in ours and "Current round" in ours
    assert f'datetime="{current.deadline.isoformat()}"' in ours
    assert later.name not in ours  # not yet opened: neither the last round nor the next deadline
    theirs = block(html, f"strategy-{other.slug}", "</article>")
    assert "No reporting round yet" in theirs and "No open round" in theirs


def test_home_page_next_deadline_skips_closed_and_past_rounds(client, world):
    today = timezone.localdate()
    ReportingRoundFactory(
        strategy=world.strategy, name="Closed round", opens_on=today, deadline=today, closed_at=timezone.now()
    )
    html = client.get(reverse("activities:strategy-list")).content.decode()
    ours = block(html, f"strategy-{world.strategy.slug}", "</article>")
    assert "No open round" in ours  # the 2025 round's deadline has passed, the other is closed


@pytest.mark.parametrize("rows", [1, 5])
def test_home_page_query_count_stays_flat_as_strategies_grow(client, django_assert_num_queries, rows):
    reporter, reviewer = StaffUserFactory(), StaffUserFactory()
    today = timezone.localdate()
    for _ in range(rows):
        activity = ActivityFactory()
        state = RangeStateFactory()
        activity.strategy.range_states.set([state])
        rnd = ReportingRoundFactory(strategy=activity.strategy, opens_on=today, deadline=today)
        record(
            (reporter, reviewer), activity=activity, state=state, date=today, status=S.COMPLETED, round=rnd
        )
    # 1 strategies + meetings + counts, 2 their Range States, 3 activities, 4 cells grouped, 5 rounds opened,
    # 6 open rounds to come, 7 the last rounds with their due counts, 8 entries counted per round and state,
    # 9 the species of the species filter
    with django_assert_num_queries(9):
        response = client.get(reverse("activities:strategy-list"))
    assert response.content.decode().count("1 of 1 Range States") == rows
