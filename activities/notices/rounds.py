"""The notices about a reporting round: it opened, its deadline passed with activities unreported; and
the daily run that sends those (and the reminders) as they fall due by date."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import ngettext

from notifications import delivery
from notifications.models import Kind, Notice

from .. import reminders
from ..models import ReminderSent, ReportingRound

# The missed-deadline notice goes out in the days after the deadline, not for a round that passed long
# before (e.g. when notices were first switched on, or after the scheduler was down for weeks).
DEADLINE_PASSED_WITHIN_DAYS = 7


# --- reporting rounds ----------------------------------------------------------------------------


def _round_words(owing: reminders.Reminder) -> dict:
    reporting_round = owing.reporting_round
    strategy = reporting_round.strategy
    return {
        "strategy": strategy.short_name or strategy.title,
        "strategy_title": strategy.title,
        "round": reporting_round.name,
        "deadline": date_format(reporting_round.deadline, "j F Y"),
        "count": owing.count,
        "states": [{"name": s.range_state.name, "count": len(s.activities)} for s in owing.states],
    }


def _opened_message(owing) -> delivery.Message:
    words = _round_words(owing)
    subject = ngettext(
        "%(strategy)s: the reporting round “%(round)s” is open, %(count)s activity due by %(deadline)s",
        "%(strategy)s: the reporting round “%(round)s” is open, %(count)s activities due by %(deadline)s",
        owing.count,
    )
    text = ngettext(
        "The reporting round “%(round)s” (%(strategy)s) is open: %(count)s activity to report by %(deadline)s.",
        "The reporting round “%(round)s” (%(strategy)s) is open: %(count)s activities to report by "
        "%(deadline)s.",
        owing.count,
    )
    return delivery.Message(subject % words, text % words, "activities/email/round_opened", words)


def _passed_message(owing) -> delivery.Message:
    words = _round_words(owing)
    subject = ngettext(
        "%(strategy)s: the deadline of “%(round)s” has passed, %(count)s activity not reported",
        "%(strategy)s: the deadline of “%(round)s” has passed, %(count)s activities not reported",
        owing.count,
    )
    text = ngettext(
        "The deadline of the round “%(round)s” (%(strategy)s) passed on %(deadline)s with %(count)s activity "
        "not reported.",
        "The deadline of the round “%(round)s” (%(strategy)s) passed on %(deadline)s with %(count)s "
        "activities not reported.",
        owing.count,
    )
    return delivery.Message(subject % words, text % words, "activities/email/deadline_passed", words)


def _send_about_round(reporting_round, *, today, kind, event, message) -> int:
    """One notice per focal point whose states still owe something in the round, once per round."""
    key = f"round:{reporting_round.pk}:{event}"
    told = Notice.objects.filter(kind=kind, key=key).values_list("recipient_id", flat=True)
    home = reverse("activities:home")
    sent = 0
    for owing in reminders.focal_points_owing(reporting_round, today=today, exclude_user_ids=told):
        with transaction.atomic():
            notice = delivery.send(
                recipient=owing.user, kind=kind, key=key, url=home, compose=lambda owing=owing: message(owing)
            )
            if notice is not None and kind == Kind.ROUND_OPENED:
                # It says what is due and by when: it is also the day's deadline reminder.
                ReminderSent.objects.get_or_create(
                    reporting_round=reporting_round, user=owing.user, sent_on=today
                )
        sent += notice is not None
    return sent


def send_round_opened(reporting_round, *, today: datetime.date) -> int:
    """Tell the focal points of the round's Range States that it is open: what is due per state (the
    count, and a link to the list on their home page) and the deadline. Only while the round is open and
    its deadline not passed; a focal point assigned later is told on the next daily run. Whoever is told
    is not also reminded of the deadline that day."""
    if reporting_round.is_closed or not reporting_round.opens_on <= today <= reporting_round.deadline:
        return 0
    return _send_about_round(
        reporting_round, today=today, kind=Kind.ROUND_OPENED, event="opened", message=_opened_message
    )


def send_round_opened_by_id(round_id: int, *, today: datetime.date) -> int:
    reporting_round = ReportingRound.objects.select_related("strategy").filter(pk=round_id).first()
    return send_round_opened(reporting_round, today=today) if reporting_round else 0


def send_rounds_opened(*, today: datetime.date) -> int:
    """The opening notices due today: rounds that opened today or earlier and are still open, to the focal
    points not yet told."""
    rounds = ReportingRound.objects.open().filter(opens_on__lte=today, deadline__gte=today)
    return sum(send_round_opened(r, today=today) for r in rounds.select_related("strategy").order_by("pk"))


def send_deadlines_passed(*, today: datetime.date) -> int:
    """Tell the focal points of Range States that still owe activities in a round whose deadline passed
    (in the last DEADLINE_PASSED_WITHIN_DAYS days) and that is not closed: once per round."""
    earliest = today - datetime.timedelta(days=DEADLINE_PASSED_WITHIN_DAYS)
    rounds = ReportingRound.objects.open().filter(deadline__lt=today, deadline__gte=earliest)
    return sum(
        _send_about_round(r, today=today, kind=Kind.DEADLINE_PASSED, event="passed", message=_passed_message)
        for r in rounds.select_related("strategy").order_by("pk")
    )


# --- the daily run -------------------------------------------------------------------------------


def reporting_notices_send(*, today: datetime.date) -> dict[str, int]:
    """The notices that fall due by date: rounds that opened, deadlines near (the reminders), deadlines
    passed. Idempotent: each is sent once per person and event, a reminder once a day. In this order, so
    that whoever is told today that a round is open is not also reminded of it today."""
    return {
        "opened": send_rounds_opened(today=today),
        "reminded": reminders.reporting_reminders_send(today=today),
        "passed": send_deadlines_passed(today=today),
    }
