"""Reminders from a round's national-report overview: the Secretariat reminds the focal points of the
Range States whose national report is not yet submitted (all, or one), sees who was reminded and when
each state last was, and cannot remind a state twice within the interval (two clicks at once neither);
nobody else may; the reminder says what is due, how many of how many activities are reported, and the
deadline, in the focal point's language."""

import datetime
import threading

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from activities import services
from activities.models import ReportReminder
from notifications.models import Kind, Notice
from tests.activities.views.pages import World, signed_in
from tests.factories import FocalPointFactory, RangeStateFactory, UserFactory
from tests.ops.conftest import run_worker

COMPLETE = {
    "prepared_by": "A. Malkhasyan",
    "contacts": "focal@example.am",
    "achievements": "Survey.",
    "challenges": "Poaching.",
    "needs": "Funding.",
    "way_forward": "Extend.",
    "nap_status": "Drafted.",
}


@pytest.fixture
def world(db, settings):
    settings.SITE_URL = "https://tracker.example.org"
    settings.NATIONAL_REPORT_REMINDER_INTERVAL_HOURS = 24
    w = World()
    w.second_am = FocalPointFactory(
        user=UserFactory(username="focal-am-2", first_name="Ani", last_name="Hakobyan"), range_state=w.am
    ).user
    w.ge = RangeStateFactory(iso_code="GE", name="Georgia")  # no focal point
    w.strategy.range_states.add(w.ge)
    return w


def overview(w):
    return reverse("activities:national-report-list", kwargs={"pk": w.round.pk})


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def submit_iran(w):
    report = services.national_report_save(
        user=w.focal_ir, reporting_round=w.round, range_state=w.ir, expected_version=0, **COMPLETE
    )
    return services.national_report_submit(user=w.focal_ir, report=report, confirmed=True)


def test_the_secretariat_reminds_every_state_not_yet_submitted_and_is_told_who_was_reminded(client, world):
    submit_iran(world)
    run_worker()
    mail.outbox.clear()

    response = signed_in(client, world.secretariat).post(overview(world), follow=True)

    assert response.status_code == 200
    assert said(response) == [
        "Armenia reminded: focal-am, Ani Hakobyan.",
        "Georgia has no focal point to remind.",
    ]
    assert list(ReportReminder.objects.values_list("range_state__name", flat=True)) == ["Armenia"]
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["focal-am-2@example.org", "focal-am@example.org"]
    message = mail.outbox[0]
    deadline = world.round.deadline.strftime("%-d %B %Y")
    assert (
        message.subject == f"Reminder: the national report of Armenia for “2025 annual” is due by {deadline}"
    )
    assert "Status of the report: Not started" in message.body
    assert "Activities reported: 0 of 1" in message.body
    assert f"Deadline: {deadline}" in message.body
    assert "/national-reports/am/" in message.body
    notice = Notice.objects.get(recipient=world.focal_am, kind=Kind.REPORT_REMINDER)
    assert "0 of 1 activities reported so far" in notice.text
    # the overview shows when Armenia was last reminded
    page = response.content.decode()
    assert page.count("Remind Armenia") == 1 and "Remind Iran" not in page


def test_completeness_in_the_reminder_is_the_rounds_reporting_rate(client, world):
    world.approved()  # Armenia: the one due activity approved in the round
    run_worker()
    mail.outbox.clear()
    signed_in(client, world.secretariat).post(overview(world), {"state": "am"})
    run_worker()
    assert all("Activities reported: 1 of 1" in m.body for m in mail.outbox)
    assert len(mail.outbox) == 2


def test_a_second_reminder_within_the_interval_is_refused_with_when_the_first_was(client, world):
    signed_in(client, world.secretariat).post(overview(world), {"state": "am"}, follow=True)
    run_worker()
    mail.outbox.clear()

    response = client.post(overview(world), {"state": "AM"}, follow=True)
    [line] = said(response)
    assert line.startswith("Armenia was already reminded on ") and "not reminded again before" in line
    assert ReportReminder.objects.count() == 1
    run_worker()
    assert mail.outbox == []


def test_after_the_interval_the_state_may_be_reminded_again(client, world, settings):
    signed_in(client, world.secretariat).post(overview(world), {"state": "am"}, follow=True)
    ReportReminder.objects.update(sent_at=timezone.now() - datetime.timedelta(hours=25))
    response = client.post(overview(world), {"state": "am"}, follow=True)
    assert said(response) == ["Armenia reminded: focal-am, Ani Hakobyan."]
    assert ReportReminder.objects.count() == 2
    run_worker()
    assert len(mail.outbox) == 4  # two reminders, each to two focal points


def test_a_state_that_submitted_is_not_reminded(client, world):
    submit_iran(world)
    response = signed_in(client, world.secretariat).post(overview(world), {"state": "ir"}, follow=True)
    assert said(response) == [
        "Iran (Islamic Republic of) has submitted its national report: nothing to remind of."
    ]
    assert not ReportReminder.objects.exists()


@pytest.mark.parametrize("state", ["xx", "'; DROP TABLE x;--", "a" * 5000, "ir\x00", "１"])
def test_a_state_that_is_not_of_the_round_is_refused_and_nothing_sent(client, world, state):
    other = RangeStateFactory(iso_code="XX", name="Elsewhere")
    FocalPointFactory(user=UserFactory(username="focal-xx"), range_state=other)
    response = signed_in(client, world.secretariat).post(overview(world), {"state": state}, follow=True)
    assert said(response) == ["Choose a Range State of this round's strategy."]
    assert not ReportReminder.objects.exists()


@pytest.mark.parametrize("who", ["focal_am", "focal_ir", "someone"])  # someone: signed in, no role
def test_only_the_secretariat_may_remind(client, world, who):
    user = getattr(world, who, None) or UserFactory(username="someone")
    response = signed_in(client, user).post(overview(world))
    assert response.status_code == 403
    assert not ReportReminder.objects.exists()
    page = signed_in(client, world.focal_am).get(overview(world)).content.decode()
    assert "Remind" not in page


def test_a_visitor_is_sent_to_sign_in_and_nothing_is_sent(client, world):
    response = client.post(overview(world))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not ReportReminder.objects.exists()


def test_a_reminder_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.secretariat)
    response = client.post(overview(world))
    assert response.status_code == 403
    assert not ReportReminder.objects.exists()


def test_no_reminders_in_a_closed_round(client, world):
    services.reporting_round_close(user=world.secretariat, reporting_round=world.round)
    response = signed_in(client, world.secretariat).post(overview(world), follow=True)
    assert said(response) == [
        "The reporting round “2025 annual” is closed: its Range States are not reminded."
    ]
    assert "Remind every state" not in response.content.decode()
    assert not ReportReminder.objects.exists()


def test_the_overview_shows_the_last_reminder_per_state(client, world):
    signed_in(client, world.secretariat).post(overview(world), {"state": "am"})
    sent = ReportReminder.objects.get().sent_at
    page = client.get(overview(world)).content.decode()
    from django.utils.formats import date_format

    assert date_format(timezone.localtime(sent), "DATETIME_FORMAT") in page


def test_the_reminder_is_written_in_the_focal_points_language(client, world):
    Profile.objects.create(user=world.focal_am, language="ru")
    signed_in(client, world.secretariat).post(overview(world), {"state": "am"})
    run_worker()
    [ru] = [m for m in mail.outbox if m.to == [world.focal_am.email]]
    assert ru.subject.startswith("Напоминание: национальный доклад")
    assert "Отчитались по мероприятиям: 0 из 1" in ru.body


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_send_one_reminder(settings):
    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory test database is one connection; on SQLite the IMMEDIATE transaction serialises"
        )
    settings.NATIONAL_REPORT_REMINDER_INTERVAL_HOURS = 24
    w = World()
    barrier = threading.Barrier(2)
    outcomes = []

    def click():
        from django.db import connections

        try:
            barrier.wait()
            outcomes.append(
                services.national_reports_remind(
                    user=w.secretariat, reporting_round=w.round, range_state=w.am
                )
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ReportReminder.objects.filter(range_state=w.am).count() == 1
    assert sorted((len(o.reminded), len(o.too_soon)) for o in outcomes) == [(0, 1), (1, 0)]
