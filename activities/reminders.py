"""Deadline reminders: tell each focal point what their Range States have not yet reported in an open
reporting round, each day of the two weeks before its deadline. They are the "deadline near" notice
(notifications.Kind.DEADLINE_NEAR): e-mailed and shown on the home page, in the focal point's language,
unless they chose otherwise.

`focal_points_owing` works out, for one round, which focal points' states still owe what (the reminder,
the round's opening notice and its missed-deadline notice all read it); `reporting_reminders_due` is
today's reminders (a read); `reporting_reminders_send` sends and records them. A ReminderSent row per
round, user and day means a scheduler may run the command as often as it likes: nobody gets the same
reminder twice in a day. The home page keeps one reminder per round, brought up to date each day."""

import datetime
from dataclasses import dataclass, field

from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from notifications import delivery
from notifications.models import Kind

from .models import Activity, FocalPoint, ReminderSent, ReportingRound


@dataclass
class StateDue:
    """A Range State's activities that are due in the round and not yet reported."""

    range_state: object
    activities: list


@dataclass
class Reminder:
    """One notice: one focal point, one round, every one of their states with something still due."""

    reporting_round: ReportingRound
    user: object
    days_left: int
    states: list[StateDue] = field(default_factory=list)
    wants_email: bool = True  # their choice for deadline reminders (reporting_reminders_due fills it in)

    @property
    def count(self) -> int:
        return sum(len(state.activities) for state in self.states)

    @property
    def has_email(self) -> bool:
        return bool(self.user.email)

    @property
    def emailed(self) -> bool:
        return self.has_email and self.wants_email


def focal_points_owing(reporting_round, *, today: datetime.date, exclude_user_ids=()) -> list[Reminder]:
    """The round's active focal points (a disabled account cannot report) whose Range States still owe
    due activities (Activity.not_reported_in_round), one Reminder each with every such state of theirs,
    by username. One query for the focal points, one per Range State."""
    focal_points = (
        FocalPoint.objects.filter(range_state__strategies=reporting_round.strategy_id, user__is_active=True)
        .exclude(user_id__in=exclude_user_ids)
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
    return list(by_user.values())


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
    """Who is to be reminded today of what, leaving out reminders already sent today (a round's opening
    notice counts as that day's reminder: activities.notices records it so).

    Users without an e-mail address, or who chose not to be reminded by e-mail, are included (their home
    page still shows the reminder), so that the caller can list them."""
    reminders = []
    for reporting_round in rounds_needing_reminders(today=today, days_before=days_before):
        already = ReminderSent.objects.filter(reporting_round=reporting_round, sent_on=today).values_list(
            "user_id", flat=True
        )
        reminders.extend(focal_points_owing(reporting_round, today=today, exclude_user_ids=already))
    for reminder in reminders:
        reminder.wants_email = delivery.channels(reminder.user, Kind.DEADLINE_NEAR)[0]
    return reminders


def reminder_message(reminder: Reminder) -> delivery.Message:
    """The reminder's words, in the active language (notifications.delivery calls this in the
    recipient's)."""
    reporting_round = reminder.reporting_round
    strategy = reporting_round.strategy
    names = {
        "strategy": strategy.short_name or strategy.title,
        "round": reporting_round.name,
        "count": reminder.count,
        "deadline": date_format(reporting_round.deadline, "j F Y"),
    }
    subject = ngettext(
        "%(strategy)s: %(count)s activity to report by %(deadline)s",
        "%(strategy)s: %(count)s activities to report by %(deadline)s",
        reminder.count,
    )
    text = ngettext(
        "%(count)s activity is still to be reported for the round “%(round)s” (%(strategy)s) by %(deadline)s.",
        "%(count)s activities are still to be reported for the round “%(round)s” (%(strategy)s) by "
        "%(deadline)s.",
        reminder.count,
    )
    if reminder.days_left == 0:
        left = gettext("The deadline is today.")
    else:
        left = ngettext("%(days)s day left.", "%(days)s days left.", reminder.days_left) % {
            "days": reminder.days_left
        }
    context = {"reminder": reminder, "reporting_round": reporting_round, "strategy": strategy}
    # Its text changes each day: the home page's one reminder per round comes back, unread, every day.
    return delivery.Message(
        subject % names, f"{text % names} {left}", "activities/email/deadline_near", context
    )


def reporting_reminders_send(*, today: datetime.date, days_before: int = 14) -> int:
    """Send today's deadline reminders (one per focal point and round) and record each one e-mailed.
    Returns how many were e-mailed; a user without an e-mail address, or who chose not to have them by
    e-mail, sees the reminder on their home page only (see reporting_reminders_due)."""
    sent = 0
    connection = get_connection()
    home = reverse("activities:home")
    for reminder in reporting_reminders_due(today=today, days_before=days_before):
        try:
            # Recorded first, in the same transaction as the sending: a failed send leaves no record
            # (the next run retries), and a concurrent run of the command hits the unique constraint.
            with transaction.atomic():
                if reminder.has_email:
                    ReminderSent.objects.create(
                        reporting_round=reminder.reporting_round, user=reminder.user, sent_on=today
                    )
                notice = delivery.send(
                    recipient=reminder.user,
                    kind=Kind.DEADLINE_NEAR,
                    key=f"round:{reminder.reporting_round.pk}:near",
                    url=home,
                    compose=lambda reminder=reminder: reminder_message(reminder),
                    refresh=True,
                    connection=connection,
                )
        except IntegrityError:
            continue  # another run sent it meanwhile
        sent += bool(notice and notice.emailed_now)
    return sent
