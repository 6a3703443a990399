"""The figures the public pages show: each strategy's headline (home page), each activity's cells across its
Range States (strategy page) and each Range State's status of one activity (activity page).

They count as every report counts (core.py: approved progress only, the one cell rule, the completed
share) and as the reporting-rate report counts (activities.selectors.reporting_rates); nothing here is a
second definition, only the same ones asked for a page."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from activities.models import Activity, ActivityStateStatus, RangeState, ReportingRound, cell_status
from activities.selectors import StateReportingRate, reporting_rates

from .core import (
    NOT_REPORTED,
    ActivityCells,
    Scope,
    StatusCounts,
    fold_activity_cells,
    grouped_cells,
)


@dataclass
class StrategyProgress:
    """One strategy's cells today: per activity (`activities`, ActivityCells by activity id), per objective
    (`objectives`, StatusCounts by objective id) and in all (`total`)."""

    activities: dict[int, ActivityCells]
    objectives: dict[int, StatusCounts]
    total: StatusCounts
    n_states: int


def strategy_progress(strategy) -> StrategyProgress:
    """Every activity's cells of the strategy today (Scope.activity_counts), rolled up per objective. Two
    queries, whatever the number of activities, states and entries: the cells grouped by activity and
    status, the activities' objectives (and one counting the Range States, unless they are prefetched)."""
    scope = Scope(strategy)
    cells = scope.activity_counts()
    objectives, total = defaultdict(StatusCounts), StatusCounts()
    for row in Activity.objects.for_strategy(strategy).order_by().values("pk", "result__objective_id"):
        counts = cells[row["pk"]]
        objectives[row["result__objective_id"]].merge(counts)
        total.merge(counts)
    return StrategyProgress(cells, dict(objectives), total, scope.n_states)


@dataclass
class StateStatus:
    """One Range State's cell of one activity: its latest approved status and that entry's reporting date;
    `from_range_wide` when the state has none of its own and the range-wide status stands for it."""

    range_state: RangeState | None
    status: str
    date: datetime.date | None
    from_range_wide: bool = False


def activity_state_statuses(activity) -> list[StateStatus]:
    """The activity's cell in each Range State of its strategy (by name), then its range-wide status, under
    the one cell rule (activities.models.cell_status), as the matrix shows them. Two queries."""
    return activities_state_statuses([activity])[activity.pk]


def activities_state_statuses(activities) -> dict[int, list[StateStatus]]:
    """activity_state_statuses for several activities, possibly of several strategies (a landscape's): per
    activity id, its cell in each Range State of its strategy (by name), then its range-wide status. Two
    queries, whatever the number of activities, strategies and states: the strategies' Range States, and
    the latest approved statuses (ActivityStateStatus, the table Current reads)."""
    activities = list(activities)
    links = RangeState.strategies.through.objects.filter(
        strategy__in={activity.strategy_id for activity in activities}
    ).select_related("rangestate")
    states = defaultdict(list)
    for link in sorted(links, key=lambda link: link.rangestate.name):
        states[link.strategy_id].append(link.rangestate)
    rows = {
        (row.activity_id, row.range_state_id): row
        for row in ActivityStateStatus.objects.filter(activity__in=[a.pk for a in activities]).only(
            "activity_id", "range_state_id", "status", "reporting_date"
        )
    }
    out = {}
    for activity in activities:
        wide = rows.get((activity.pk, None))
        cells = []
        for state in states[activity.strategy_id]:
            own = rows.get((activity.pk, state.pk))
            cell = cell_status(own, wide)
            if cell is None:
                cells.append(StateStatus(state, NOT_REPORTED, None))
            else:
                cells.append(StateStatus(state, cell.status, cell.reporting_date, cell is not own))
        cells.append(
            StateStatus(None, wide.status if wide else NOT_REPORTED, wide.reporting_date if wide else None)
        )
        out[activity.pk] = cells
    return out


@dataclass
class StrategyHeadline:
    """What the home page says of one strategy: its completed share today (`progress.completion`), how
    many of its Range States reported in its last reporting round (at least one due activity reported,
    i.e. approved, StateReportingRate), and the next deadline of its open rounds."""

    progress: StatusCounts
    n_states: int
    last_round: ReportingRound | None
    states_reported: int
    next_round: ReportingRound | None


def strategy_headlines(strategies) -> dict[int, StrategyHeadline]:
    """StrategyHeadline per strategy of `strategies` (a list, with their `range_states` prefetched). The
    last round is the one with the latest deadline among those already opened; the next deadline is the
    nearest one today or later of the rounds not closed. Five queries, whatever the number of strategies,
    activities, states, rounds and entries: the activities counted, the cells grouped, the rounds, and
    the reporting rates' two."""
    today = timezone.localdate()
    ids = [strategy.pk for strategy in strategies]
    n_states = {strategy.pk: len(strategy.range_states.all()) for strategy in strategies}
    strategy_of = dict(Activity.objects.filter(strategy__in=ids).order_by().values_list("pk", "strategy_id"))
    cells = fold_activity_cells(
        grouped_cells(ActivityStateStatus.objects.filter(activity__strategy__in=ids)),
        lambda activity: n_states[strategy_of[activity]],
    )
    progress = defaultdict(StatusCounts)
    for activity, strategy_id in strategy_of.items():
        progress[strategy_id].merge(cells[activity])
    rounds = list(
        ReportingRound.objects.filter(strategy__in=ids, opens_on__lte=today).order_by("deadline", "pk")
    )
    last = {r.strategy_id: r for r in rounds}  # the latest deadline wins
    upcoming = ReportingRound.objects.open().filter(strategy__in=ids, deadline__gte=today)
    nearest = {}
    for reporting_round in upcoming.order_by("-deadline", "-pk"):
        nearest[reporting_round.strategy_id] = reporting_round  # the nearest deadline wins
    states = {state.pk: state for strategy in strategies for state in strategy.range_states.all()}
    reported = defaultdict(int)
    if last:
        members = {
            (strategy.pk, state.pk) for strategy in strategies for state in strategy.range_states.all()
        }
        rates: list[StateReportingRate] = reporting_rates(
            ReportingRound.objects.filter(pk__in=[r.pk for r in last.values()]), list(states.values())
        )
        for rate in rates:
            key = (rate.reporting_round.strategy_id, rate.range_state.pk)
            if key in members and rate.reported:
                reported[rate.reporting_round.strategy_id] += 1
    return {
        strategy.pk: StrategyHeadline(
            progress=progress[strategy.pk],
            n_states=n_states[strategy.pk],
            last_round=last.get(strategy.pk),
            states_reported=reported[strategy.pk],
            next_round=nearest.get(strategy.pk),
        )
        for strategy in strategies
    }
