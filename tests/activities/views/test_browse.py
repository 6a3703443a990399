"""The public browse pages: strategy list, one strategy's whole logframe, one activity."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import (
    CrossReference,
    Evidence,
    Meeting,
    Metapopulation,
    NationalActionPlan,
    ProgressEntry,
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

pytestmark = pytest.mark.django_db


def strategy_url(strategy):
    return reverse("activities:strategy-detail", kwargs={"slug": strategy.slug})


def activity_url(activity):
    return reverse(
        "activities:activity-detail", kwargs={"slug": activity.strategy.slug, "code": activity.code}
    )


@pytest.fixture
def leopard():
    """A small Persian-Leopard-shaped strategy: a numbering gap (no Objective 6), a merged actor cell,
    a per-country cost, POW codes, a resolved and an unresolved cross-reference."""
    meeting = Meeting.objects.create(
        slug="pl-rsm1",
        name="First Range State Meeting for the Persian Leopard",
        place="Tbilisi, Georgia",
        start_date=datetime.date(2022, 9, 20),
        end_date=datetime.date(2022, 9, 22),
    )
    strategy = StrategyFactory(
        slug="persian-leopard",
        title="Range-wide Strategy for the Conservation of the Persian Leopard",
        short_name="Persian Leopard",
        vision="Viable Persian Leopard populations across the range.",
        goal="To secure and restore the Persian Leopard's populations.",
        adopted_at=meeting,
        adoption_note="Endorsed by the meeting participants.",
        document_symbol="UNEP/CMS/PL-RS1/Outcome",
        footnotes=[{"number": 2, "text": "Priority area means an area of priority for conservation."}],
        abbreviations=[{"abbreviation": "METT", "full_title": "Management Effectiveness Tracking Tool"}],
    )
    armenia = RangeStateFactory(iso_code="QA", name="Armenia-test")
    georgia = RangeStateFactory(iso_code="QB", name="Georgia-test")
    strategy.range_states.set([armenia, georgia])
    caucasus = Metapopulation.objects.create(strategy=strategy, number=1, name="Caucasus")
    caucasus.range_states.set([armenia, georgia])
    NationalActionPlan.objects.create(
        strategy=strategy,
        range_state=armenia,
        title="Leopard NAP of Armenia",
        period_start=2023,
        period_end=2030,
    )
    theme = ThemeFactory(strategy=strategy, number=2, title="Conservation of suitable habitats")
    objective5 = ObjectiveFactory(strategy=strategy, theme=theme, number=5, text="To establish PA networks.")
    objective7 = ObjectiveFactory(strategy=strategy, theme=theme, number=7, text="To mitigate conflicts.")
    result = ResultFactory(objective=objective5, code="5.1", text="Corridors are identified.")
    ResultFactory(objective=objective7, code="7.1", text="Conflicts are reduced.")
    first = ActivityFactory(
        result=result,
        code="5.1.1",
        text="Review available data on corridors.",
        actors_text="NGOs, research and GOs",
        indicator="Report and map is compiled",
        timeline_text="2023-24",
        timeline_kind="span",
        start_year=2023,
        due_year=2024,
        cost_text="10,000 per country",
        cost_kind="amount",
        cost_usd=Decimal("10000"),
        cost_per_country=True,
        cami_pow_text="1.3, 19.2",
        priority=3,
    )
    first.actors.set([ActorFactory(name="Non-governmental organisations (NGOs)")])
    first.cami_pow_measures.set(
        [WorkProgrammeMeasureFactory(code="1.3"), WorkProgrammeMeasureFactory(code="19.2")]
    )
    second = ActivityFactory(
        result=result,
        code="5.1.3",
        text="Develop corridor guidance.",
        actors_text="NGOs, research and GOs",
        actors_continued=True,
        timeline_text="Every three years",
        timeline_kind="recurring",
        due_year=None,
        recurrence_years=3,
        cost_text="TBD",
        priority=1,
        source_note="The priority cell is shifted one row down in the extraction.",
    )
    CrossReference.objects.create(from_activity=second, kind="activity", code="5.1.1", to_activity=first)
    CrossReference.objects.create(from_activity=second, kind="activity", code="2.1.2")
    return strategy


# --- strategy list -------------------------------------------------------------------------------


def test_strategy_list_shows_each_strategy_with_its_adoption_and_counts(client, leopard):
    StrategyFactory(
        title="Strategy for the Conservation of the Leopard in the Caucasus Ecoregion",
        version="Revised Version 2017",
        period_start=None,
        period_end=None,
        declared_result_count=29,
        declared_activity_count=76,
    )
    response = client.get(reverse("activities:strategy-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Range-wide Strategy for the Conservation of the Persian Leopard" in html
    assert "2023–2032" in html
    assert "First Range State Meeting for the Persian Leopard, Tbilisi, Georgia" in html
    assert "20–22 September 2022" in html
    assert "UNEP/CMS/PL-RS1/Outcome" in html
    assert "2 objectives recorded" in html
    assert "2 results recorded" in html
    assert "2 activities recorded" in html
    assert "Revised Version 2017" in html
    assert "0 of 29 results recorded" in html
    assert "0 of 76 activities recorded" in html
    assert strategy_url(leopard) in html


@pytest.mark.parametrize("rows", [1, 15])
def test_strategy_list_query_count_is_flat(client, django_assert_num_queries, rows):
    for _ in range(rows):
        ActivityFactory(
            result__objective__strategy__adopted_at=Meeting.objects.create(slug=f"m{_}", name="M")
        )
    # strategies joined to their adopting meeting, with objective/result/activity counts as subqueries;
    # the headline figures (reporting.reports.public.strategy_headlines): their Range States, activities,
    # cells grouped, rounds opened, open rounds to come (no round opened: no reporting rates to count);
    # the species of the species filter
    with django_assert_num_queries(7):
        response = client.get(reverse("activities:strategy-list"))
    assert response.status_code == 200
    assert response.content.decode().count("1 activity recorded") == rows


# --- strategy page -------------------------------------------------------------------------------


def test_strategy_page_shows_the_header(client, leopard):
    response = client.get(strategy_url(leopard))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Viable Persian Leopard populations across the range." in html
    assert "To secure and restore the Persian Leopard&#x27;s populations." in html
    assert "Endorsed by the meeting participants." in html
    assert "UNEP/CMS/PL-RS1/Outcome" in html
    assert "Armenia-test" in html
    assert "1 = Caucasus" in html
    assert "Armenia-test, Georgia-test" in html
    assert "Leopard NAP of Armenia" in html
    assert 'National Action Plan, <bdi dir="ltr">2023–2030</bdi>' in html


def test_strategy_page_shows_the_whole_tree_with_anchors(client, leopard):
    html = client.get(strategy_url(leopard)).content.decode()
    assert "Theme 2: Conservation of suitable habitats" in html
    assert 'id="objective-5"' in html
    assert 'id="result-5.1"' in html
    assert 'id="activity-5.1.1"' in html
    assert "Review available data on corridors." in html
    assert 'href="#objective-5"' in html  # the table of contents
    assert activity_url(leopard.activities.get(code="5.1.1")) in html


def test_strategy_page_keeps_numbering_gaps(client, leopard):
    html = client.get(strategy_url(leopard)).content.decode()
    assert "Objective 5" in html
    assert "Objective 7" in html
    assert "Objective 6" not in html
    assert "Activity 5.1.3" in html
    assert "Activity 5.1.2" not in html
    assert html.index("Objective 5") < html.index("Objective 7")


def test_strategy_page_shows_every_activity_field(client, leopard):
    html = client.get(strategy_url(leopard)).content.decode()
    assert "<q>NGOs, research and GOs</q>" in html
    assert "Non-governmental organisations (NGOs)" in html
    assert "Continued from the row above in the source (merged cell)." in html
    assert "Report and map is compiled" in html
    assert "<q>2023-24</q>" in html
    assert "starts 2023; due 2024" in html
    assert "every 3 years" in html
    assert "<q>10,000 per country</q>" in html
    assert "USD 10,000 per country" in html
    assert "<q>1.3, 19.2</q>" in html
    assert "measures 1.3, 19.2" in html
    assert "3 – high" in html
    assert "1 – low" in html
    assert "The priority cell is shifted one row down in the extraction." in html
    assert '<a href="#activity-5.1.1">Activity 5.1.1</a>' in html
    assert "Activity 2.1.2 (not in the source table)" in html
    # 5.1.1 is referenced by 5.1.3
    assert '<a href="#activity-5.1.3">Activity 5.1.3</a>' in html


def test_strategy_page_ends_with_footnotes_and_abbreviations(client, leopard):
    html = client.get(strategy_url(leopard)).content.decode()
    assert "Priority area means an area of priority for conservation." in html
    assert "Management Effectiveness Tracking Tool" in html
    assert html.index('id="footnotes"') > html.index('id="activity-5.1.3"')


def test_strategy_page_lists_objectives_without_a_theme_in_their_own_section(client):
    strategy = StrategyFactory(declared_result_count=29, declared_activity_count=76)
    ThemeFactory(strategy=strategy, number=1, title="Conservation of leopard and prey")
    ObjectiveFactory(strategy=strategy, theme=None, number=1, text="To stop poaching.")
    html = client.get(strategy_url(strategy)).content.decode()
    assert "Objectives not assigned to a theme in the source" in html
    assert "To stop poaching." in html
    assert "The source does not say which objectives belong to this theme." in html
    assert "No results recorded for this objective." in html


def test_strategy_page_says_honestly_when_declared_counts_exceed_what_is_recorded(client):
    strategy = StrategyFactory(declared_result_count=29, declared_activity_count=76)
    html = client.get(strategy_url(strategy)).content.decode()
    assert "the source says this strategy has 29 results and 76 activities" in html
    assert "does not give the texts of 29 results and 76 activities" in html


def test_strategy_page_has_no_notice_when_everything_declared_is_recorded(client):
    activity = ActivityFactory()
    strategy = activity.strategy
    strategy.declared_result_count = 1
    strategy.declared_activity_count = 1
    strategy.save()
    html = client.get(strategy_url(strategy)).content.decode()
    assert "Incomplete in the source" not in html
    assert "1 of 1 results recorded" in html


def test_unknown_strategy_is_404(client):
    assert client.get(reverse("activities:strategy-detail", kwargs={"slug": "no-such"})).status_code == 404


def _tree(strategy, rows):
    """`rows` activities under one result, each with an actor, a POW measure and a reference."""
    result = ResultFactory(objective=ObjectiveFactory(strategy=strategy))
    for n in range(rows):
        activity = ActivityFactory(result=result)
        activity.actors.set([ActorFactory()])
        activity.cami_pow_measures.set([WorkProgrammeMeasureFactory()])
        CrossReference.objects.create(from_activity=activity, kind="activity", code=f"99.{n}")
    return result


@pytest.mark.parametrize("rows", [1, 15])
def _full_strategy(rows):
    """A strategy with every part its page shows, and `rows` activities."""
    strategy = StrategyFactory(adopted_at=Meeting.objects.create(slug="m", name="M"))
    state = RangeStateFactory()
    strategy.range_states.set([state])
    Metapopulation.objects.create(strategy=strategy, number=1, name="Caucasus").range_states.set([state])
    NationalActionPlan.objects.create(strategy=strategy, range_state=state, title="NAP")
    _tree(strategy, rows)
    ObjectiveFactory(strategy=strategy, theme=None)  # a section of objectives without a theme
    return strategy


@pytest.mark.parametrize("rows", [1, 15])
def test_strategy_page_query_count_is_flat(client, django_assert_num_queries, rows):
    strategy = _full_strategy(rows)
    # 1 strategy + meeting + counts, 2 Range States, 3 metapopulations, 4 their Range States, 5 plans + state,
    # 6 themes, 7 their objectives, 8 results, 9 activities, 10 actors, 11 POW measures,
    # 12 activity references + targets, 13 activities referenced by, 14 result references,
    # 15 results referenced by, 16 objectives without a theme, 17 their results (none, so nothing deeper),
    # 18 species (none, so no common names); progress: 19 cells grouped by activity and status, 20 the
    # activities' objectives (the Range States are counted from their prefetch); the Range State map
    # (reporting.reports.ranges): 21 states, 22 activities' count, 23 cells, 24 latest round,
    # 25 metapopulations, 26 their Range States; 27 the landscapes of the landscape filter; the outline's
    # cache key (activities.changes): 28 its change marker (the cross-references it shows included)
    with django_assert_num_queries(28):
        response = client.get(strategy_url(strategy))
    assert response.status_code == 200
    assert response.content.decode().count('class="activity"') == rows


@pytest.mark.parametrize("rows", [1, 15])
def test_a_cached_outline_costs_none_of_the_logframe_queries(client, django_assert_num_queries, rows):
    strategy = _full_strategy(rows)
    first = client.get(strategy_url(strategy)).content.decode()
    # the 28 of the first view but 6–17 (the themes, objectives, results, activities, their actors, POW
    # measures and cross-references, the objectives without a theme): the outline comes from the cache
    with django_assert_num_queries(16):
        again = client.get(strategy_url(strategy)).content.decode()
    assert _outline_of(again) == _outline_of(first)
    assert again.count('class="activity"') == rows


def _outline_of(html: str) -> str:
    return html[html.index('<nav class="toc"') : html.index('<section id="range-states">')]


# --- activity page -------------------------------------------------------------------------------


def test_activity_page_shows_every_field_and_breadcrumbs(client, leopard):
    activity = leopard.activities.get(code="5.1.3")
    response = client.get(activity_url(activity))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "<h1>Activity 5.1.3</h1>" in html
    assert "Develop corridor guidance." in html
    assert "Continued from the row above in the source (merged cell)." in html
    assert "every 3 years" in html
    assert "1 – low" in html
    assert "The priority cell is shifted one row down in the extraction." in html
    assert f'<a href="{activity_url(leopard.activities.get(code="5.1.1"))}">Activity 5.1.1</a>' in html
    assert "Activity 2.1.2 (not in the source table)" in html
    assert 'aria-label="Breadcrumb"' in html
    assert f'href="{strategy_url(leopard)}#result-5.1"' in html
    assert f'href="{strategy_url(leopard)}#objective-5"' in html
    assert "Corridors are identified." in html
    assert "To establish PA networks." in html


def test_activity_page_shows_cost_amount_and_pow_codes(client, leopard):
    html = client.get(activity_url(leopard.activities.get(code="5.1.1"))).content.decode()
    assert "<q>10,000 per country</q>" in html
    assert "USD 10,000 per country" in html
    assert "measures 1.3, 19.2" in html
    assert "3 – high" in html


def test_unknown_activity_code_is_404(client, leopard):
    url = reverse("activities:activity-detail", kwargs={"slug": leopard.slug, "code": "6.1.1"})
    assert client.get(url).status_code == 404


def test_activity_of_another_strategy_is_404(client, leopard):
    other = StrategyFactory()
    url = reverse("activities:activity-detail", kwargs={"slug": other.slug, "code": "5.1.1"})
    assert client.get(url).status_code == 404


def test_activity_page_shows_approved_progress_only(client, leopard):
    activity = leopard.activities.get(code="5.1.1")
    for state in ["draft", "submitted", "returned"]:
        ProgressEntryFactory(activity=activity, review_state=state, narrative=f"Narrative while {state}.")
    approved = ProgressEntryFactory(
        activity=activity,
        review_state="approved",
        status=ProgressEntry.Status.COMPLETED,
        reporting_date=datetime.date(2025, 3, 31),
        narrative="Corridor map published.",
    )
    Evidence.objects.create(entry=approved, url="https://example.org/map.pdf", title="Corridor map")
    html = client.get(activity_url(activity)).content.decode()
    assert "Corridor map published." in html
    assert "Completed" in html
    assert "31 March 2025" in html
    assert '<a href="https://example.org/map.pdf" rel="nofollow noopener">Corridor map</a>' in html
    for state in ["draft", "submitted", "returned"]:
        assert f"Narrative while {state}." not in html


def test_activity_page_lists_progress_newest_first_per_range_state(client, leopard):
    activity = leopard.activities.get(code="5.1.1")
    armenia, georgia = leopard.range_states.order_by("name")

    def entry(state, date, narrative):
        ProgressEntryFactory(
            activity=activity,
            range_state=state,
            reporting_date=date,
            narrative=narrative,
            review_state="approved",
        )

    entry(georgia, datetime.date(2024, 6, 30), "Georgia older.")
    entry(armenia, datetime.date(2024, 6, 30), "Armenia older.")
    entry(armenia, datetime.date(2025, 6, 30), "Armenia newer.")
    entry(None, datetime.date(2025, 1, 31), "Range-wide workshop held.")
    html = client.get(activity_url(activity)).content.decode()
    order = ["Range-wide workshop held.", "Armenia newer.", "Armenia older.", "Georgia older."]
    assert [html.index(text) for text in order] == sorted(html.index(text) for text in order)
    assert html.index('<h3 id="progress-2">Armenia-test</h3>') < html.index("Armenia newer.")


def test_activity_page_says_when_no_approved_progress_exists(client, leopard):
    activity = leopard.activities.get(code="5.1.1")
    ProgressEntryFactory(activity=activity, review_state="submitted")
    html = client.get(activity_url(activity)).content.decode()
    assert "No approved progress reported yet." in html


@pytest.mark.parametrize("rows", [1, 15])
def test_activity_page_query_count_is_flat(client, django_assert_num_queries, rows):
    activity = ActivityFactory()
    activity.actors.set(ActorFactory.create_batch(rows))
    activity.cami_pow_measures.set(WorkProgrammeMeasureFactory.create_batch(rows))
    for n in range(rows):
        CrossReference.objects.create(from_activity=activity, kind="activity", code=f"99.{n}")
        entry = ProgressEntryFactory(activity=activity, review_state="approved")
        Evidence.objects.create(entry=entry, url=f"https://example.org/{n}")
    url = activity_url(activity)
    # 1 activity + strategy + result/objective/theme, 2 actors, 3 POW measures, 4 references + targets,
    # 5 referenced by, 6 approved progress + Range State, 7 evidence links; the status per Range State:
    # 8 the strategy's Range States, 9 the activity's latest approved statuses
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('href="https://example.org/') == rows


# --- the whole site ------------------------------------------------------------------------------


def test_pages_are_gzipped_for_clients_that_accept_it(client, leopard):
    response = client.get(strategy_url(leopard), headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"


def test_pages_have_language_landmarks_and_a_skip_link(client, leopard):
    for url in [
        reverse("activities:strategy-list"),
        strategy_url(leopard),
        activity_url(leopard.activities.first()),
    ]:
        html = client.get(url).content.decode()
        assert '<html lang="en" dir="ltr">' in html
        assert '<a class="skip-link" href="#main">' in html
        for landmark in ["<header", "<nav", '<main id="main"', "<footer"]:
            assert landmark in html
        assert 'name="viewport"' in html
        assert "<script" not in html


# --- the seeded strategies -----------------------------------------------------------------------


def test_seeded_persian_leopard_page_shows_the_whole_tree_as_numbered(client, seeded):
    html = client.get(reverse("activities:strategy-detail", kwargs={"slug": "persian-leopard-2023-2032"}))
    html = html.content.decode()
    assert html.count('class="activity"') == 91
    assert html.count('class="result"') == 31
    assert html.count('class="objective"') == 11
    assert 'id="objective-6"' not in html
    assert 'id="result-9.3"' not in html
    assert 'id="activity-1.1.1.a"' in html


def test_seeded_caucasus_page_is_honest_about_what_the_source_leaves_out(client, seeded):
    html = client.get(reverse("activities:strategy-detail", kwargs={"slug": "caucasus-leopard-2017"}))
    html = html.content.decode()
    assert "Objectives not assigned to a theme in the source" in html
    assert "0 of 29 results recorded" in html
    assert "0 of 76 activities recorded" in html
    assert html.count('class="objective"') == 10
