"""A reporting round's reporting rates: the one count behind every on-time figure (the round page, the
reporting-rate report, the focal point's home, the national reports), and the rule in words."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..models import (
    Activity,
    ProgressEntry,
    RangeState,
    ReportingRound,
    due_by_year,
)

RS = ProgressEntry.ReviewState


def round_deadline_end(reporting_round) -> datetime.datetime:
    """The first moment after the deadline day, in the site's time zone (settings.TIME_ZONE, whatever time
    zone a request may have activated): an entry first submitted before it is on time."""
    next_day = reporting_round.deadline + datetime.timedelta(days=1)
    return datetime.datetime.combine(next_day, datetime.time.min, tzinfo=timezone.get_default_timezone())


REPORTING_RATE_RULE = gettext_lazy(
    "Due: the activities a round asks about (due by the round's year, already started, recurring or wanted "
    "as soon as possible). Reported: due activities with an approved entry filed in the round for the state. "
    "On time: of those, the ones whose entry was first submitted by the end of the deadline day, in the "
    "site's time zone (a later correction, return or resubmission does not make an entry late); late: the "
    "others. An entry counts once it is approved: until then its activity is not reported. Range-wide "
    "entries are not a state's report."
)


@dataclass(frozen=True)
class StateReportingRate:
    """How one Range State answered one reporting round. Of the activities due in the round (`due`), an
    activity is *reported* once an entry for it, filed in the round for the state, is approved; it was
    reported *on time* if that entry was first submitted by the end of the deadline day (a later
    correction, return or resubmission does not make it late), otherwise *late*. Entries submitted but
    not yet approved count as not reported (`awaiting`: how many of those activities have an entry
    awaiting review)."""

    reporting_round: object
    range_state: object
    due: int
    on_time: int
    late: int
    awaiting: int = 0

    @property
    def reported(self) -> int:
        return self.on_time + self.late

    @property
    def not_reported(self) -> int:
        return self.due - self.reported

    @property
    def rate(self) -> float | None:
        """Share of due activities reported (approved), on time or late; None when nothing is due."""
        return self.reported / self.due if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        """Share of due activities reported on time (None when nothing is due)."""
        return self.on_time / self.due if self.due else None


def reporting_rates(rounds, states) -> list[StateReportingRate]:
    """The one count behind every on-time figure (the round page, the reporting-rate report): per round of
    `rounds` (a queryset) and Range State of `states` (a list), as StateReportingRate explains. Two
    queries, whatever the number of rounds, states and entries: the rounds with their due counts, and the
    entries counted per round and state."""
    due = (  # Activity.objects.due_in_round, for every round at once
        Activity.objects.filter(strategy=OuterRef("strategy_id"))
        .filter(due_by_year(ExtractYear(OuterRef("deadline"))))
        .order_by()
        .values("strategy")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rounds = list(rounds.annotate(due=Coalesce(Subquery(due, output_field=IntegerField()), 0)))
    if not rounds:
        return []
    on_time = Q()
    for reporting_round in rounds:
        on_time |= Q(
            reporting_round=reporting_round, first_submitted_at__lt=round_deadline_end(reporting_round)
        )
    approved = Q(review_state=RS.APPROVED)
    counts = {
        (row["reporting_round_id"], row["range_state_id"]): row
        for row in ProgressEntry.objects.filter(
            reporting_round__in=rounds, range_state__in=states, first_submitted_at__isnull=False
        )
        .filter(due_by_year(ExtractYear("reporting_round__deadline"), prefix="activity__"))
        .values("reporting_round_id", "range_state_id")
        .annotate(
            # activities with an entry approved or awaiting review (a returned one is back with its reporter)
            submitted=Count("activity", distinct=True, filter=approved | Q(review_state=RS.SUBMITTED)),
            reported=Count("activity", distinct=True, filter=approved),
            on_time=Count("activity", distinct=True, filter=approved & on_time),
        )
        .order_by()
    }
    rates = []
    for reporting_round in rounds:
        for state in states:
            row = counts.get((reporting_round.pk, state.pk), {"submitted": 0, "reported": 0, "on_time": 0})
            rates.append(
                StateReportingRate(
                    reporting_round,
                    state,
                    due=reporting_round.due,
                    on_time=row["on_time"],
                    late=row["reported"] - row["on_time"],
                    awaiting=row["submitted"] - row["reported"],
                )
            )
    return rates


def round_reporting_rates(reporting_round) -> list[StateReportingRate]:
    """reporting_rates for one round and every Range State of its strategy. Three queries."""
    states = list(RangeState.objects.filter(strategies=reporting_round.strategy_id).order_by("name"))
    return reporting_rates(ReportingRound.objects.filter(pk=reporting_round.pk), states)
