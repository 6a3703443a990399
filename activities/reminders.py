"""Deadline reminders: e-mail each focal point what their Range States have not yet reported in an
open reporting round, in the days before its deadline.

`reporting_reminders_due` works out who would be reminded of what (a read); `reporting_reminders_send`
sends and records them. A ReminderSent row per round, user and day means a scheduler may run the
command as often as it likes: nobody gets the same reminder twice in a day."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Activity, FocalPoint, ReminderSent, ReportingRound


@dataclass
class StateDue:
    """A Range State's activities that are due in the round and not yet reported."""

    range_state: object
    activities: list


@dataclass
class Reminder:
    """One e-mail: one focal point, one round, every one of their states with something still due."""

    reporting_round: ReportingRound
    user: object
    days_left: int
    states: list[StateDue] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(state.activities) for state in self.states)

    @property
    def has_email(self) -> bool:
        return bool(self.user.email)


def rounds_needing_reminders(*, today: datetime.date, days_before: int):
    """Open rounds (opened, not closed) whose deadline is today or within `days_before` days."""
    return (
        ReportingRound.objects.filter(
            closed_at__isnull=True,
            opens_on__lte=today,
            deadline__gte=today,
            deadline__lte=today + datetime.timedelta(days=days_before),
        )
        .select_related("strategy")
        .order_by("deadline", "pk")
    )


def reporting_reminders_due(*, today: datetime.date, days_before: int = 14) -> list[Reminder]:
    """Who is to be reminded today of what, leaving out reminders already sent today.

    Only active focal points are reminded (a disabled account cannot report). Users without an
    e-mail address are included, so that the caller can list them."""
    reminders = []
    for reporting_round in rounds_needing_reminders(today=today, days_before=days_before):
        already = set(
            ReminderSent.objects.filter(reporting_round=reporting_round, sent_on=today).values_list(
                "user_id", flat=True
            )
        )
        focal_points = (
            FocalPoint.objects.filter(
                range_state__strategies=reporting_round.strategy_id, user__is_active=True
            )
            .exclude(user_id__in=already)
            .select_related("user", "range_state")
            .order_by("user__username", "range_state__name")
        )
        by_user: dict[int, Reminder] = {}
        not_reported: dict[int, list] = {}  # per Range State, asked once whatever its number of focal points
        for focal_point in focal_points:
            state = focal_point.range_state
            if state.pk not in not_reported:
                not_reported[state.pk] = list(
                    Activity.objects.not_reported_in_round(reporting_round, state).order_by("sort_key")
                )
            if not not_reported[state.pk]:
                continue
            reminder = by_user.setdefault(
                focal_point.user_id,
                Reminder(reporting_round, focal_point.user, (reporting_round.deadline - today).days),
            )
            reminder.states.append(StateDue(state, not_reported[state.pk]))
        reminders.extend(by_user.values())
    return reminders


def reminder_message(reminder: Reminder, *, connection=None) -> EmailMessage:
    context = {
        "reminder": reminder,
        "reporting_round": reminder.reporting_round,
        "strategy": reminder.reporting_round.strategy,
        "user": reminder.user,
        "home_url": settings.SITE_URL + reverse("activities:home"),
    }
    subject = " ".join(render_to_string("activities/email/reporting_reminder_subject.txt", context).split())
    body = render_to_string("activities/email/reporting_reminder.txt", context)
    return EmailMessage(subject, body, to=[reminder.user.email], connection=connection)


def reporting_reminders_send(*, today: datetime.date, days_before: int = 14) -> int:
    """E-mail today's deadline reminders (one per focal point and round) and record each one sent.
    Returns how many were sent; users without an e-mail address are skipped (see reporting_reminders_due)."""
    sent = 0
    connection = get_connection()
    for reminder in reporting_reminders_due(today=today, days_before=days_before):
        if not reminder.has_email:
            continue
        message = reminder_message(reminder, connection=connection)
        try:
            # Recorded first, in the same transaction as the sending: a failed send leaves no record
            # (the next run retries), and a concurrent run of the command hits the unique constraint.
            with transaction.atomic():
                ReminderSent.objects.create(
                    reporting_round=reminder.reporting_round, user=reminder.user, sent_on=today
                )
                message.send()
        except IntegrityError:
            continue  # another run sent it meanwhile
        sent += 1
    return sent
