"""Deadline reminders: activities.reminders and `manage.py send_reporting_reminders`."""

import datetime
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from activities.models import ReminderSent
from activities.reminders import reporting_reminders_due, reporting_reminders_send
from notifications.models import Kind, Notice, NoticePreference
from tests.factories import (
    ActivityFactory,
    FocalPointFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    ReportingRoundFactory,
    ResultFactory,
    StrategyFactory,
    UserFactory,
)

TODAY = datetime.date(2025, 6, 20)
DEADLINE = datetime.date(2025, 6, 30)  # 10 days after TODAY


@pytest.fixture
def w(db, settings):
    settings.SITE_URL = "https://tracker.example.org"
    strategy = StrategyFactory(title="Range-wide Strategy for the Conservation of the Persian Leopard")
    armenia = RangeStateFactory(name="Armenia")
    georgia = RangeStateFactory(name="Georgia")
    iran = RangeStateFactory(name="Iran")
    strategy.range_states.add(armenia, georgia, iran)
    reporting_round = ReportingRoundFactory(
        strategy=strategy, name="2025 annual", opens_on=datetime.date(2025, 1, 1), deadline=DEADLINE
    )
    result = ResultFactory(objective__strategy=strategy)
    patrols = ActivityFactory(result=result, code=f"{result.code}.1", text="Train anti-poaching patrols.")
    survey = ActivityFactory(result=result, code=f"{result.code}.2", text="Survey prey populations.")
    ActivityFactory(result=result, code=f"{result.code}.3", text="Not due yet.", due_year=2030)

    def reported(activity, state):
        ProgressEntryFactory(
            activity=activity,
            range_state=state,
            reporting_round=reporting_round,
            review_state="submitted",
            first_submitted_at=timezone.now(),
        )

    reported(patrols, armenia)  # Armenia still owes the survey
    reported(patrols, georgia)
    reported(survey, georgia)  # Georgia has reported everything
    # Iran has only a draft: drafts do not count as reported.
    ProgressEntryFactory(activity=patrols, range_state=iran, reporting_round=reporting_round)

    armenia_fp = UserFactory(username="fp-armenia", first_name="Ani", last_name="Hakobyan")
    FocalPointFactory(user=armenia_fp, range_state=armenia)
    FocalPointFactory(user=UserFactory(username="fp-georgia"), range_state=georgia)
    iran_fp = UserFactory(username="fp-iran")
    FocalPointFactory(user=iran_fp, range_state=iran)
    return SimpleNamespace(
        strategy=strategy,
        round=reporting_round,
        armenia=armenia,
        georgia=georgia,
        iran=iran,
        patrols=patrols,
        survey=survey,
        armenia_fp=armenia_fp,
        iran_fp=iran_fp,
    )


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_each_focal_point_with_something_due_gets_one_email(w):
    sent = reporting_reminders_send(today=TODAY)

    assert sent == 2
    assert recipients() == ["fp-armenia@example.org", "fp-iran@example.org"]
    assert set(ReminderSent.objects.values_list("user__username", "reporting_round", "sent_on")) == {
        ("fp-armenia", w.round.pk, TODAY),
        ("fp-iran", w.round.pk, TODAY),
    }


def test_the_email_names_the_round_deadline_days_left_and_what_is_not_reported(w):
    reporting_reminders_send(today=TODAY)

    [message] = [m for m in mail.outbox if m.to == ["fp-armenia@example.org"]]
    assert message.subject == f"{w.strategy.short_name}: 1 activity to report by 30 June 2025"
    body = message.body
    assert "Dear Ani Hakobyan," in body
    assert '"2025 annual"' in body
    assert "Monday 30 June 2025" in body
    assert "in 10 days" in body
    assert "1 activity has not been reported yet" in body
    assert "Armenia (1):" in body
    assert f"Activity {w.survey.code}: Survey prey populations." in body
    assert w.patrols.code not in body  # submitted already
    assert "Not due yet" not in body
    assert f"https://tracker.example.org{reverse('activities:home')}" in body
    assert message.content_subtype == "plain"


def test_a_focal_point_of_several_states_gets_one_email_listing_each(w):
    FocalPointFactory(user=w.armenia_fp, range_state=w.iran)

    reporting_reminders_send(today=TODAY)

    [message] = [m for m in mail.outbox if m.to == ["fp-armenia@example.org"]]
    assert "3 activities have not been reported yet" in message.body
    assert "Armenia (1):" in message.body and "Iran (2):" in message.body
    assert message.body.index("Armenia (1):") < message.body.index("Iran (2):")


def test_running_again_the_same_day_sends_nothing(w):
    assert reporting_reminders_send(today=TODAY) == 2
    mail.outbox.clear()

    assert reporting_reminders_send(today=TODAY) == 0
    assert mail.outbox == []
    assert reporting_reminders_send(today=TODAY + datetime.timedelta(days=1)) == 2
    assert ReminderSent.objects.count() == 4


@pytest.mark.parametrize(
    ("today", "days_before", "expected"),
    [
        (DEADLINE - datetime.timedelta(days=14), 14, 2),  # exactly N days before: included
        (DEADLINE - datetime.timedelta(days=15), 14, 0),  # too early
        (DEADLINE - datetime.timedelta(days=3), 2, 0),
        (DEADLINE, 14, 2),  # the deadline day itself
        (DEADLINE + datetime.timedelta(days=1), 14, 0),  # passed
        (datetime.date(2024, 12, 31), 365, 0),  # the round has not opened yet
    ],
)
def test_only_rounds_whose_deadline_is_within_the_window_remind(w, today, days_before, expected):
    assert reporting_reminders_send(today=today, days_before=days_before) == expected


def test_days_left_reads_naturally_on_the_last_days(w):
    reporting_reminders_send(today=DEADLINE)
    reporting_reminders_send(today=DEADLINE - datetime.timedelta(days=1))

    bodies = [m.body for m in mail.outbox if m.to == ["fp-armenia@example.org"]]
    assert "Monday 30 June 2025: today." in bodies[0]
    assert "tomorrow, in 1 day" in bodies[1]


def test_a_closed_round_reminds_nobody(w):
    w.round.closed_at = timezone.now()
    w.round.save()

    assert reporting_reminders_send(today=TODAY) == 0


def test_other_strategies_states_and_inactive_focal_points_are_not_reminded(w):
    elsewhere = RangeStateFactory(name="Elsewhere")
    FocalPointFactory(user=UserFactory(username="fp-elsewhere"), range_state=elsewhere)
    FocalPointFactory(user=UserFactory(username="fp-disabled", is_active=False), range_state=w.armenia)

    reporting_reminders_send(today=TODAY)

    assert recipients() == ["fp-armenia@example.org", "fp-iran@example.org"]


def test_every_focal_point_of_a_state_is_reminded(w):
    FocalPointFactory(user=UserFactory(username="fp-armenia-2"), range_state=w.armenia)

    assert reporting_reminders_send(today=TODAY) == 3
    assert "fp-armenia-2@example.org" in recipients()


def test_a_state_that_reported_everything_is_not_reminded(w):
    ProgressEntryFactory(
        activity=w.survey,
        range_state=w.armenia,
        reporting_round=w.round,
        review_state="approved",
        first_submitted_at=timezone.now(),
    )

    reporting_reminders_send(today=TODAY)

    assert recipients() == ["fp-iran@example.org"]


def test_due_reminders_leave_out_those_already_sent_and_keep_users_without_email(w):
    w.iran_fp.email = ""
    w.iran_fp.save()

    due = reporting_reminders_due(today=TODAY)

    assert [(r.user.username, r.has_email, r.count, r.days_left) for r in due] == [
        ("fp-armenia", True, 1, 10),
        ("fp-iran", False, 2, 10),
    ]
    reporting_reminders_send(today=TODAY)
    assert [r.user.username for r in reporting_reminders_due(today=TODAY)] == ["fp-iran"]


# --- the management command -------------------------------------------------------------------------


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("send_reporting_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_sends_and_prints_a_summary(w):
    out, err = run("--today", TODAY.isoformat())

    assert len(mail.outbox) == 2
    assert "fp-armenia <fp-armenia@example.org> – 1 not reported in Armenia (1); 10 days left" in out
    assert "2025-06-20: 2 reminder(s) sent." in out
    assert err == ""


def test_command_lists_focal_points_without_an_email_address(w):
    w.iran_fp.email = ""
    w.iran_fp.save()

    out, err = run("--today", TODAY.isoformat())

    assert recipients() == ["fp-armenia@example.org"]
    assert "Not reminded: fp-iran has no e-mail address (2025 annual" in err
    assert "1 reminder(s) sent, 1 focal point(s) without an e-mail address." in out
    assert not ReminderSent.objects.filter(user=w.iran_fp).exists()


def test_command_dry_run_sends_and_records_nothing(w):
    out, _ = run("--today", TODAY.isoformat(), "--dry-run")

    assert mail.outbox == []
    assert not ReminderSent.objects.exists()
    assert "fp-armenia" in out and "fp-iran" in out
    assert "Dry run for 2025-06-20: 2 reminder(s) would be sent; nothing was sent." in out


def test_command_days_option_widens_the_window(w):
    early = (DEADLINE - datetime.timedelta(days=20)).isoformat()

    out, _ = run("--today", early)
    assert "0 reminder(s) sent" in out
    out, _ = run("--today", early, "--days", "20")
    assert "2 reminder(s) sent" in out


def test_command_run_twice_a_day_sends_once(w):
    run("--today", TODAY.isoformat())
    out, _ = run("--today", TODAY.isoformat())

    assert len(mail.outbox) == 2
    assert "0 reminder(s) sent" in out


@pytest.mark.parametrize("args", [["--today", "20/06/2025"], ["--days", "-1"]])
def test_command_refuses_bad_options(w, args):
    with pytest.raises(CommandError):
        run(*args)


def test_command_defaults_to_the_local_date(w, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)

    out, _ = run()

    assert "2025-06-20: 2 reminder(s) sent." in out


def test_command_says_who_chose_not_to_be_reminded_by_email(w):
    NoticePreference.objects.create(user=w.armenia_fp, kind=Kind.DEADLINE_NEAR, email=False, on_home=True)

    out, _ = run("--today", TODAY.isoformat(), "--dry-run")
    assert "Not e-mailed: fp-armenia chose not to receive reminders by e-mail." in out
    assert "1 reminder(s) would be sent" in out

    out, _ = run("--today", TODAY.isoformat())
    assert recipients() == ["fp-iran@example.org"]
    assert "1 reminder(s) sent" in out
    assert Notice.objects.on_home_of(w.armenia_fp).get().text == (
        f"1 activity is still to be reported for the round “2025 annual” ({w.strategy.short_name}) by "
        "30 June 2025. 10 days left."
    )


def test_a_focal_point_without_an_email_address_sees_the_reminder_on_their_home_page(w):
    w.iran_fp.email = ""
    w.iran_fp.save()

    reporting_reminders_send(today=TODAY)
    reporting_reminders_send(today=TODAY)

    assert Notice.objects.filter(recipient=w.iran_fp, kind=Kind.DEADLINE_NEAR).count() == 1
    assert "2 activities are still to be reported" in Notice.objects.get(recipient=w.iran_fp).text
