"""Committed funding beside the estimated cost, and the funding gap, by objective and by Range State: the
overview Activity 12.2.1 of the Persian Leopard strategy asks for ("a realistic timeline and budget for
the implementation of this Conservation Strategy").

The estimate is the strategy's own cost column, read as the budget report reads it: an amount given "per
country" is the cost in each Range State of the strategy, any other amount the cost for the whole
strategy. An activity whose cost is TBD (or not applicable) has no estimate: it is counted apart and never
as zero, and money committed to it is shown apart too, since no gap can be told for it.

The unit of the computation is a *cost cell*: an activity in one Range State (per-country costs) or an
activity for the whole strategy (other amounts). Grant lines (GrantActivity) commit money to cells: a line
on a per-country activity to its Range State's cell; a line on a whole-strategy activity to that activity's
one cell, whichever Range State it names, because that estimate is not split between countries. Each
cell's gap is what its estimate exceeds the money committed to it, never below zero; money beyond a cell's
estimate is shown as such, not netted against other cells. So gap = estimated − committed + beyond, in
every row, and both tables add up to the same totals.

Lines without an amount (a grant that does not split its amount by activity) fill no cell: they are
counted, so a page can say that some funding is not in the figures. Lines GrantActivity.clean would refuse
(a per-country activity without a Range State, or a state outside the strategy) are counted as unplaced."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .models import Activity, GrantActivity, Objective, RangeState, Strategy

ZERO = Decimal(0)
COST = Activity.CostKind


@dataclass
class FundingRow:
    """One row: an objective, a Range State, the range-wide cells, or the total."""

    objective: Objective | None = None
    range_state: RangeState | None = None
    cells: int = 0  # cost cells with an estimate
    tbd: int | None = 0  # activities whose cost is TBD (None in Range State rows: they have no state)
    not_applicable: int | None = 0
    estimated_usd: Decimal = ZERO
    committed_usd: Decimal = ZERO  # to cells with an estimate
    committed_without_estimate_usd: Decimal = ZERO  # to activities whose cost is TBD or not applicable
    gap_usd: Decimal = ZERO
    beyond_estimate_usd: Decimal = ZERO
    lines_without_amount: int = 0

    def add(self, other: "FundingRow") -> None:
        for name in (
            "cells", "estimated_usd", "committed_usd", "committed_without_estimate_usd", "gap_usd",
            "beyond_estimate_usd", "lines_without_amount",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if self.tbd is not None and other.tbd is not None:
            self.tbd += other.tbd
            self.not_applicable += other.not_applicable


@dataclass
class FundingGap:
    strategy: Strategy
    range_state_count: int
    by_objective: list[FundingRow] = field(default_factory=list)
    # The strategy's Range States by name, then the range-wide row (range_state None).
    by_range_state: list[FundingRow] = field(default_factory=list)
    total: FundingRow = field(default_factory=FundingRow)
    unplaced_lines: int = 0
    unplaced_usd: Decimal = ZERO


def funding_gap(strategy: Strategy) -> FundingGap:
    """The funding gap of a strategy by objective and by Range State. Four queries, however many
    activities, grants and states: objectives, Range States, activities' costs, grant lines."""
    objectives = list(Objective.objects.filter(strategy=strategy).order_by("number"))
    states = list(strategy.range_states.order_by("name"))
    state_ids = {state.pk for state in states}
    activities = {
        a["pk"]: a
        for a in Activity.objects.for_strategy(strategy).values(
            "pk", "result__objective_id", "cost_kind", "cost_usd", "cost_per_country"
        )
    }
    # Money per cell: (activity, state or None) → committed; lines without amount per activity and state.
    committed: defaultdict[tuple, Decimal] = defaultdict(lambda: ZERO)
    result = FundingGap(strategy=strategy, range_state_count=len(states))
    by_objective = {o.pk: FundingRow(objective=o) for o in objectives}
    by_state = {s.pk: FundingRow(range_state=s, tbd=None, not_applicable=None) for s in states}
    range_wide = FundingRow(tbd=None, not_applicable=None)
    by_state[None] = range_wide

    lines = GrantActivity.objects.filter(activity__strategy=strategy).values_list(
        "activity_id", "range_state_id", "amount_usd"
    )
    for activity_id, state_id, amount in lines:
        a = activities[activity_id]
        costed = a["cost_kind"] == COST.AMOUNT and a["cost_usd"] is not None
        if (a["cost_per_country"] and costed and state_id is None) or (
            state_id is not None and state_id not in state_ids
        ):
            result.unplaced_lines += 1
            result.unplaced_usd += amount or ZERO
            continue
        objective_row = by_objective[a["result__objective_id"]]
        state_row = by_state[state_id if (not costed or a["cost_per_country"]) else None]
        if amount is None:
            objective_row.lines_without_amount += 1
            state_row.lines_without_amount += 1
        elif not costed:
            objective_row.committed_without_estimate_usd += amount
            state_row.committed_without_estimate_usd += amount
        else:
            committed[(activity_id, state_id if a["cost_per_country"] else None)] += amount

    for activity_id, a in activities.items():
        objective_row = by_objective[a["result__objective_id"]]
        if a["cost_kind"] != COST.AMOUNT or a["cost_usd"] is None:
            if a["cost_kind"] == COST.NOT_APPLICABLE:
                objective_row.not_applicable += 1
            else:
                objective_row.tbd += 1
            continue
        cells = [(s.pk, by_state[s.pk]) for s in states] if a["cost_per_country"] else [(None, range_wide)]
        for state_id, state_row in cells:
            cost, money = a["cost_usd"], committed[(activity_id, state_id)]
            cell = FundingRow(
                cells=1,
                estimated_usd=cost,
                committed_usd=money,
                gap_usd=max(cost - money, ZERO),
                beyond_estimate_usd=max(money - cost, ZERO),
            )
            objective_row.add(cell)
            state_row.add(cell)

    result.by_objective = list(by_objective.values())
    result.by_range_state = [by_state[s.pk] for s in states] + [range_wide]
    for row in result.by_objective:
        result.total.add(row)
    return result
