"""Where each Range State stands: its activity cells by status under the one cell rule, for the Range State
map (dashboard, strategy page), its figures table and the API's JSON of the map."""

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, RangeState, ReportingRound, cells_by_status
from activities.names import range_state_name
from reporting.maps import MapGroup, StateFigures, metapopulation_groups

from .core import Scope, StatusCounts


@dataclass
class StateCounts:
    """One Range State's cells (one per activity of the strategy) by status, and its latest national
    report's address."""

    state: RangeState
    counts: StatusCounts
    national_report_url: str

    def figures(self) -> StateFigures:
        """The map's view of these counts: the reports' completed share, never one of the map's own."""
        counts = self.counts
        return StateFigures(
            iso_code=self.state.iso_code,
            name=range_state_name(self.state),
            url=self.national_report_url,
            total=counts.cells,
            completed=counts.count("completed"),
            in_progress=counts.count("in_progress"),
            delayed=counts.count("delayed"),
            not_reported=counts.not_reported,
            share_completed=counts.completion,
        )


@dataclass
class RangeMap:
    """What a strategy's Range State map shows: each state's counts, the metapopulations to outline, and
    the reporting round the states' links open (None: the strategy has no round yet)."""

    states: list[StateCounts]
    groups: list[MapGroup]
    reporting_round: ReportingRound | None

    @property
    def n_activities(self) -> int:
        return self.states[0].counts.activities if self.states else 0

    @property
    def figures(self) -> list[StateFigures]:
        return [s.figures() for s in self.states]


def range_state_counts(scope: Scope) -> RangeMap:
    """Every Range State of the strategy with its activity cells by status, whatever Range State the scope
    names (the map shows the whole range), at the scope's date. A state's cell is its own latest approved
    status, else the activity's range-wide one, else not reported (CELL_RULE, through cells_by_status), so
    the states' cells add up to the dashboard's. Six queries, whatever the number of states, activities or
    entries: the Range States, the activities' count, the cells (one row per activity and state, bounded by
    the logframe), the latest round, the metapopulations and their states."""
    strategy = scope.strategy
    states = list(strategy.range_states.order_by("name"))  # query 1
    n_activities = Activity.objects.for_strategy(strategy).count()  # query 2
    state_ids = {state.pk for state in states}
    own, wide = defaultdict(dict), {}  # own[state][activity] = status; wide[activity] = status
    for row in (
        Scope(strategy=strategy, as_of=scope.as_of)
        .cells(range_wide=True)
        .values(  # query 3
            "activity_id", "range_state_id", "status"
        )
    ):
        if row["range_state_id"] is None:
            wide[row["activity_id"]] = row["status"]
        elif row["range_state_id"] in state_ids:
            own[row["range_state_id"]][row["activity_id"]] = row["status"]
    reporting_round = (  # query 4: the newest round that has opened, as of the scope's date
        strategy.reporting_rounds.filter(opens_on__lte=scope.as_of or timezone.localdate())
        .order_by("-deadline", "-pk")
        .first()
    )
    out = []
    for state in states:
        statuses = own[state.pk]
        counts = StatusCounts(activities=n_activities, cells=n_activities)
        for activity in statuses.keys() | wide.keys():  # the others are not reported
            mine = {statuses[activity]: 1} if activity in statuses else {}
            for status, n in cells_by_status(mine, wide.get(activity), 1).items():
                counts.add(status, n)
        out.append(StateCounts(state, counts, national_report_url(strategy, state, reporting_round)))
    return RangeMap(out, metapopulation_groups(strategy), reporting_round)  # queries 5 and 6


def national_report_url(strategy, state, reporting_round) -> str:
    """The national report of `state` for the round; without a round, the report's page for the state,
    which asks for one."""
    query = {"strategy": strategy.slug, "range_state": state.iso_code}
    if reporting_round:
        query["reporting_round"] = reporting_round.pk
    return f"{reverse('reporting:national')}?{urlencode(query)}"
