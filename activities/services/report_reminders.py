"""The Secretariat's reminders, from a round's overview, to the focal points of the Range States whose
national report is not yet submitted: all of them, or one. At most one reminder per state within
settings.NATIONAL_REPORT_REMINDER_INTERVAL_HOURS; each is recorded (ReportReminder) and e-mailed after
the transaction commits (activities.notices.send_report_reminder)."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ops.tasks import enqueue_on_commit

from .. import permissions, tasks
from ..models import FocalPoint, NationalReport, RangeState, ReportingRound, ReportReminder
from ..permissions import Action

NRS = NationalReport.Status
# A report in these states is with the Secretariat (or done): nothing to remind of.
NOT_OWING = (NRS.SUBMITTED, NRS.ACCEPTED)


def reminder_interval() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.NATIONAL_REPORT_REMINDER_INTERVAL_HOURS)


@dataclass
class RemindOutcome:
    """What a click on "remind" did, per Range State, for the confirmation: reminded (with whom), not
    reminded again so soon (with when it last was, and from when it may be), or nobody to remind."""

    reminded: list = field(default_factory=list)  # (state, [users])
    too_soon: list = field(default_factory=list)  # (state, last sent_at, next possible at)
    no_focal_point: list = field(default_factory=list)  # states
    submitted: list = field(default_factory=list)  # states (only when one state was asked for)


@transaction.atomic
def national_reports_remind(*, user, reporting_round, range_state=None) -> RemindOutcome:
    """Remind the focal points of the round's Range States (or of `range_state` only) whose national
    report is not yet submitted. A state reminded less than reminder_interval() ago is not reminded
    again (two clicks at once: the round's row is locked, so the second finds the first's record)."""
    permissions.require(user, Action.REPORT_REMIND)
    # Two Secretariat members clicking at once queue here (on SQLite, the IMMEDIATE transaction does).
    reporting_round = (
        ReportingRound.objects.select_for_update().select_related("strategy").get(pk=reporting_round.pk)
    )
    if reporting_round.is_closed:
        raise ValidationError(
            _("The reporting round “%(round)s” is closed: its Range States are not reminded.")
            % {"round": reporting_round.name}
        )
    states = RangeState.objects.filter(strategies=reporting_round.strategy_id).order_by("name")
    if range_state is not None:
        states = states.filter(pk=range_state.pk)
        if not states.exists():
            raise ValidationError(
                _("%(state)s is not a Range State of %(strategy)s.")
                % {"state": range_state.name, "strategy": reporting_round.strategy}
            )
    done = set(
        NationalReport.objects.filter(reporting_round=reporting_round, status__in=NOT_OWING).values_list(
            "range_state_id", flat=True
        )
    )
    last = last_reminders(reporting_round)
    focal = {}
    for focal_point in (
        FocalPoint.objects.filter(range_state__in=states, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    ):
        focal.setdefault(focal_point.range_state_id, []).append(focal_point.user)
    now = timezone.now()
    outcome = RemindOutcome()
    for state in states:
        if state.pk in done:
            outcome.submitted.append(state)
            continue
        previous = last.get(state.pk)
        if previous is not None and now - previous.sent_at < reminder_interval():
            outcome.too_soon.append((state, previous.sent_at, previous.sent_at + reminder_interval()))
            continue
        users = focal.get(state.pk, [])
        if not users:
            outcome.no_focal_point.append(state)
            continue
        reminder = ReportReminder.objects.create(
            reporting_round=reporting_round, range_state=state, sent_by=user, sent_at=now
        )
        reminder.recipients.set(users)
        enqueue_on_commit(tasks.notify_report_reminder, reminder.pk)
        outcome.reminded.append((state, users))
    if range_state is None:
        outcome.submitted = []  # reminding all: the states that submitted are simply not concerned
    return outcome


def last_reminders(reporting_round) -> dict[int, ReportReminder]:
    """The latest reminder per Range State in the round, by state id. One query."""
    latest = {}
    for reminder in ReportReminder.objects.filter(reporting_round=reporting_round).select_related("sent_by"):
        latest.setdefault(reminder.range_state_id, reminder)  # ordered newest first
    return latest
