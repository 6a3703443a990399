"""Each figure has one definition, and every surface that shows it agrees: the on-time reporting rate (the
round page and the reporting-rate report), "due in a round", "the latest approved entry", how a range-wide
status counts, and "behind the plan's timeline" (the focal point's home and the timeline report), and how an amount of
money is written (the strategy and activity pages, the budget report, its documents, the admin).

The world is the one of conftest.py (see its docstring)."""

import datetime
import re

import pytest
from babel.numbers import format_decimal
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from activities import selectors, services
from activities.models import Activity, ActivityStateStatus, ProgressEntry
from activities.names import babel_locale
from activities.numbers import Numbers
from reporting import reports
from tests.factories import FocalPointFactory, UserFactory

from .conftest import S, record

D = datetime.date


def entry_for(world, activity, state, date, status, **kwargs):
    """A progress entry through the services by the world's reporter and reviewer (approved unless
    `review` says otherwise)."""
    return record(
        (world.reporter, world.reviewer), activity=activity, state=state, date=date, status=status, **kwargs
    )


def rate_rows_of_round_page(client, world):
    client.force_login(world.reviewer)
    response = client.get(reverse("activities:round-detail", args=[world.round.pk]))
    assert response.status_code == 200
    return {
        rate.range_state.name: [rate.due, rate.reported, rate.on_time, rate.late, rate.not_reported]
        for rate in response.context["rates"]
    }


def rate_rows_of_report(world):
    table = reports.reporting_rate(reports.Scope(world.strategy), reporting_round=world.round).table("rates")
    return {row[2]: row[3:8] for row in table.rows}  # due, reported, on time, late, not reported


# --- on time -----------------------------------------------------------------------------------------------


def test_the_round_page_and_the_reporting_rate_report_count_on_time_alike(client, world):
    # Beta: A4's entry waits for review (not reported yet); Gamma: A4 returned after an on-time submission,
    # resubmitted late and approved: on time, by its first submission.
    entry_for(
        world, world.a4, world.beta, D(2025, 6, 1), S.IN_PROGRESS, review="submitted", round=world.round
    )
    returned = entry_for(
        world, world.a4, world.gamma, D(2025, 6, 1), S.IN_PROGRESS, review="returned", round=world.round
    )
    ProgressEntry.objects.filter(pk=returned.pk).update(
        first_submitted_at=timezone.make_aware(datetime.datetime(2025, 6, 29, 9))
    )
    entry = services.progress_entry_submit(
        user=world.reporter, entry=ProgressEntry.objects.get(pk=returned.pk)
    )
    services.progress_entry_approve(user=world.reviewer, entry=entry)

    expected = {  # due, reported (approved), on time, late, not reported
        "Alpha": [3, 1, 1, 0, 2],  # A1 on the deadline day; A2 only submitted
        "Beta": [3, 1, 0, 1, 2],  # A1 late; A2 returned; A4 awaiting review
        "Gamma": [3, 2, 2, 0, 1],  # A2 on time; A4 on time by its first submission; A1 a draft
    }
    assert rate_rows_of_report(world) == expected
    assert rate_rows_of_round_page(client, world) == expected
    html = client.get(reverse("activities:round-detail", args=[world.round.pk])).content.decode()
    beta = html[html.index('<th scope="row">Beta') :].split("</tr>")[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', beta)[-1] == "1"  # awaiting approval, said apart
    assert "first submitted by the end of the deadline day, in the site" in html  # the one rule, said


def test_on_time_is_judged_by_the_deadline_day_in_the_sites_time_zone(client, world, settings):
    settings.TIME_ZONE = "Asia/Tehran"  # UTC+03:30
    tehran = timezone.get_default_timezone()
    for state, moment in [
        (world.alpha, datetime.datetime(2025, 6, 30, 23, 50)),  # 20:20 UTC on the deadline day: on time
        (world.gamma, datetime.datetime(2025, 7, 1, 0, 10)),  # still 30 June in UTC, but late in Tehran
    ]:
        entry = entry_for(
            world, world.a4, state, D(2025, 6, 1), S.IN_PROGRESS, review="submitted", round=world.round
        )
        ProgressEntry.objects.filter(pk=entry.pk).update(first_submitted_at=moment.replace(tzinfo=tehran))
        services.progress_entry_approve(user=world.reviewer, entry=entry)
    report = rate_rows_of_report(world)
    assert report["Alpha"][2:4] == [2, 0]  # A1 and A4 on time
    assert report["Gamma"][2:4] == [1, 1]  # A2 on time, A4 late
    assert rate_rows_of_round_page(client, world) == report


# --- due in a round ----------------------------------------------------------------------------------------


def test_due_in_a_round_is_the_same_list_everywhere(client, world):
    due = set(Activity.objects.due_in_round(world.round).values_list("code", flat=True))
    assert due == {"1.1.1", "1.1.2", "2.1.1"}  # A3 is due in 2026, after the round's year
    national = reports.national_report(reports.Scope(world.strategy, range_state=world.gamma), world.round)
    assert {row[0] for row in national.table("national").rows} == due
    assert {rates[0] for rates in rate_rows_of_report(world).values()} == {len(due)}
    assert {rates[0] for rates in rate_rows_of_round_page(client, world).values()} == {len(due)}
    # the focal point's home lists what is due, and as not yet reported what has no approved entry of
    # the round: A2 has one, for Gamma
    focal = FocalPointFactory(user=UserFactory(username="focal-gamma"), range_state=world.gamma).user
    client.force_login(focal)
    listed = home_due_list(client)
    assert {a.code for a in listed} == due
    assert {a.code for a in listed if a.round_standing != "reported"} == due - {"1.1.2"}


# --- the latest approved entry -----------------------------------------------------------------------------


def test_every_reader_of_the_latest_approved_entry_breaks_a_tie_the_same_way(client, world):
    # Two approved entries for A4 in Beta on the same date; the older row is approved last, so it is the latest.
    first = entry_for(world, world.a4, world.beta, D(2025, 3, 1), S.IN_PROGRESS, review="submitted")
    second = entry_for(world, world.a4, world.beta, D(2025, 3, 1), S.DELAYED, review="submitted")
    services.progress_entry_approve(user=world.reviewer, entry=second)
    latest = services.progress_entry_approve(user=world.reviewer, entry=first)
    assert first.pk < second.pk and latest.reviewed_at > ProgressEntry.objects.get(pk=second.pk).reviewed_at

    # the approval service's status row, the reports today and as of a date, the national report,
    # the entry form's initial values and the activity page's newest-first list
    assert ActivityStateStatus.objects.get(activity=world.a4, range_state=world.beta).entry_id == first.pk
    for as_of in (None, D(2025, 12, 31)):
        matrix = reports.range_state_matrix(reports.Scope(world.strategy, as_of=as_of))
        cells = {row["activity"]["code"]: row["cells"] for row in matrix.page["rows"]}
        assert cells["2.1.1"][1]["status"] == S.IN_PROGRESS  # Beta's column
    national = reports.national_report(reports.Scope(world.strategy, range_state=world.beta), world.round)
    assert {row[0]: row[4] for row in national.table("national").rows}["2.1.1"] == S.IN_PROGRESS
    assert selectors.initial_from_approved(world.a4, world.beta)[1] == first
    (activity,) = Activity.objects.filter(pk=world.a4.pk).with_public_progress()
    assert next(e.pk for e in activity.approved_progress if e.range_state_id == world.beta.pk) == first.pk


# --- range-wide statuses -----------------------------------------------------------------------------------


def figures_for_a3(world, *, as_of=None):
    """A3's cells by status as the dashboard, the POW crosswalk and the timeline see them, and its matrix row."""
    scope = reports.Scope(world.strategy, as_of=as_of)
    rollup = {row[1]: row for row in reports.strategy_dashboard(scope).table("rollup").rows}
    dashboard = dict(zip(reports.STATUS_ORDER, rollup["Result 1.2"][5:12], strict=True))
    measures = {m["code"]: m for m in reports.pow_crosswalk(scope).page["measures"]}
    pow_counts = next(a for a in measures["98.1"]["activities"] if a["code"] == "1.2.1")["counts"]
    timeline = reports.timeline_report(scope)
    matrix = {row["activity"]["code"]: row["cells"] for row in reports.range_state_matrix(scope).page["rows"]}
    return {
        "dashboard": {s: n for s, n in dashboard.items() if n},
        "pow": {s: n for s, n in zip(reports.STATUS_ORDER, pow_counts.values(), strict=True) if n},
        "behind": "1.2.1" in {row[0] for row in timeline.table("behind").rows},
        "matrix": [(c["status"], bool(c.get("from_range_wide"))) for c in matrix["1.2.1"]],
    }


def test_a_range_wide_status_stands_for_the_states_without_one_in_every_report(world):
    # only a range-wide "in progress": it stands for the three states
    figures = figures_for_a3(world)
    assert figures["dashboard"] == figures["pow"] == {S.IN_PROGRESS: 3}
    ip = S.IN_PROGRESS
    assert figures["matrix"] == [(ip, True), (ip, True), (ip, True), (ip, False)]
    # completed range-wide: complete everywhere, never behind the plan's timeline
    entry_for(world, world.a3, None, D(2026, 9, 1), S.COMPLETED)
    figures = figures_for_a3(world, as_of=D(2027, 1, 1))
    assert figures["dashboard"] == figures["pow"] == {S.COMPLETED: 3}
    assert figures["behind"] is False
    # a state's own report decides its cell, however old, and the activity is then not complete
    entry_for(world, world.a3, world.alpha, D(2024, 5, 1), S.DELAYED)
    figures = figures_for_a3(world, as_of=D(2027, 1, 1))
    assert figures["dashboard"] == figures["pow"] == {S.COMPLETED: 2, S.DELAYED: 1}
    assert figures["behind"] is True
    assert figures["matrix"][0] == (S.DELAYED, False) and figures["matrix"][1] == (S.COMPLETED, True)


def test_each_counting_report_says_how_a_range_wide_status_counts(client, world):
    for name in ["dashboard", "timeline", "pow", "actors", "matrix"]:
        html = client.get(f"{reverse(f'reporting:{name}')}?strategy={world.strategy.slug}").content.decode()
        assert "range-wide status" in html, name
    html = client.get(
        f"{reverse('reporting:national')}?strategy={world.strategy.slug}&range_state=QA&reporting_round={world.round.pk}"
    ).content.decode()
    assert "a range-wide entry is not a state&#x27;s report" in html


# --- behind the plan's timeline ----------------------------------------------------------------------------


def home_due_list(client) -> list:
    """The activities of the due list on the signed-in focal point's home (one round and state)."""
    due = client.get(reverse("activities:home")).context["due"]
    return [a for theme in due["groups"] for group in theme["objectives"] for a in group["activities"]]


def flagged_on_home(client, user):
    """What the home flags as behind the plan's timeline, among the activities not yet reported."""
    client.force_login(user)
    return {a.code: a.is_behind for a in home_due_list(client) if a.round_standing != "reported"}


def behind_in_timeline(world, state):
    report = reports.timeline_report(reports.Scope(world.strategy, range_state=state))
    recurring = {row[0] for row in report.table("recurring").rows if row[6] == "Behind the plan's timeline"}
    return {row[0] for row in report.table("behind").rows} | recurring


@pytest.mark.parametrize("year", [timezone.localdate().year])
def test_the_home_and_the_timeline_report_agree_on_what_is_behind_the_plans_timeline(client, world, year):
    assert year >= 2026  # the world's due years are 2024-2026 and A4 recurs every three years from 2023
    focal = FocalPointFactory(user=UserFactory(username="focal-gamma"), range_state=world.gamma).user
    # Gamma has not submitted A1 (a draft) nor A4: A1, due 2024, is behind; A4's report is due by 2026
    home = flagged_on_home(client, focal)
    assert home == {"1.1.1": True, "2.1.1": year > 2026}
    assert {code for code, behind in home.items() if behind} == behind_in_timeline(
        world, world.gamma
    ) & home.keys()
    # A1 completed range-wide: Gamma, with no status of its own, is no longer behind on either surface
    entry_for(world, world.a1, None, D(2026, 2, 1), S.COMPLETED)
    home = flagged_on_home(client, focal)
    assert home["1.1.1"] is False and "1.1.1" not in behind_in_timeline(world, world.gamma)
    # ... but Beta, whose own latest status is "delayed", still is
    assert "1.1.1" in behind_in_timeline(world, world.beta)


LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_amount_reads_the_same_on_the_activity_page_the_budget_report_and_the_admin(
    client, world, language, django_user_model
):
    """The pages wrote amounts with Babel, the reports with Django's formats: in Persian the activity page
    said "USD 1,234,567.50" and the budget report "1234567.50" for the same estimate."""
    Activity.objects.filter(pk=world.a3.pk).update(cost_usd="1234567.50", cost_text="about 1.2 million")
    written = {"en": "1,234,567.50", "ru": "1\xa0234\xa0567,50", "fa": "1,234,567.50"}[language]
    activity_page = client.get(
        reverse("activities:activity-detail", args=[world.strategy.slug, world.a3.code]),
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    budget = client.get(
        reverse("reporting:budget") + f"?strategy={world.strategy.slug}", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert f"USD {written}" in activity_page
    assert written in budget
    client.force_login(django_user_model.objects.create_superuser("admin-reader", "a@example.org", "pw"))
    admin_list = client.get(reverse("admin:activities_activity_changelist"), HTTP_ACCEPT_LANGUAGE=language)
    assert written in admin_list.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_amounts_are_grouped_as_cldr_groups_them_in_every_language_of_the_site(language):
    """Django's format modules are the one rule (activities.numbers); where they disagree with CLDR
    (Persian: no grouping) activities/formats/ corrects them, so that a language added later is checked."""
    with translation.override(language):
        for amount in ("0", "999", "1000", "1234567", "-2500000.25", "1234.5"):
            pattern = "#,##0" if "." not in amount else "#,##0.00"
            cldr = format_decimal(
                amount, format=pattern, locale=babel_locale(language), numbering_system="latn"
            )
            assert Numbers().usd(amount) == cldr, amount
