"""The reporting rate: per round and Range State, how many due activities were reported, and how many on time."""

from django.utils.translation import gettext as _

from activities.models import ReportingRound
from activities.selectors import REPORTING_RATE_RULE, reporting_rates

from .core import APPROVED_ONLY, Column, Report, Scope, Table, long_date


def reporting_rate(scope: Scope, *, reporting_round=None) -> Report:
    """Per reporting round and Range State: activities due, how many have an approved entry in the round,
    how many of those were first submitted by the deadline (activities.selectors.reporting_rates). Three
    queries: Range States, rounds with their due counts, entries counted per round and state."""
    strategy = scope.strategy
    rounds = ReportingRound.objects.filter(strategy=strategy).order_by("-deadline")
    if reporting_round:
        rounds = rounds.filter(pk=reporting_round.pk)
    if scope.as_of:
        rounds = rounds.filter(deadline__lte=scope.as_of)
    states = (
        [scope.range_state] if scope.range_state else list(strategy.range_states.order_by("name"))
    )  # query 1
    table = Table(
        "rates",
        _("Reporting rate per round and Range State"),
        [
            Column("round", _("Reporting round")),
            Column("deadline", _("Deadline"), "date"),
            Column("range_state", _("Range State")),
            Column("due", _("Activities due"), "int"),
            Column("reported", _("Reported (approved)"), "int"),
            # Translators: a column heading: how many activities were first submitted by the deadline.
            Column("on_time", _("On time"), "int"),
            # Translators: a column heading: how many activities were first submitted after the deadline.
            Column("late", _("Late"), "int"),
            Column("not_reported", _("Not reported"), "int"),
            Column("rate", _("Reported share"), "percent"),
            Column("on_time_rate", _("On-time share"), "percent"),
        ],
    )
    for rate in reporting_rates(rounds, states):  # queries 2 and 3
        table.rows.append(
            [
                rate.reporting_round.name,
                rate.reporting_round.deadline,
                rate.range_state.name,
                rate.due,
                rate.reported,
                rate.on_time,
                rate.late,
                rate.not_reported,
                rate.rate,
                rate.on_time_rate,
            ]
        )
    return Report(
        title=_("Reporting rate"),
        strategy=strategy,
        filters=scope.filter_labels()[:2]
        + ([(_("Rounds with a deadline up to"), long_date(scope.as_of))] if scope.as_of else [])
        + ([(_("Reporting round"), reporting_round.name)] if reporting_round else []),
        tables=[table],
        notes=[APPROVED_ONLY, REPORTING_RATE_RULE, _("The round's own page counts the same way.")],
    )
