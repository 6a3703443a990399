"""The budget overview: estimated costs up the logframe, and what the latest approved entries say was spent."""

from dataclasses import dataclass, fields
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from activities.funding_gap import FundingRow, funding_gap
from activities.models import Activity

from .core import APPROVED_ONLY, Column, Report, Scope, Table
from .rollup import logframe_results, logframe_rollup

COST = Activity.CostKind
ZERO = Decimal(0)


@dataclass
class CostTotals:
    """Costs of a node of the logframe (an activity's result, up to the whole strategy)."""

    activities: int = 0
    amount: int = 0  # activities with an amount
    tbd: int = 0
    na: int = 0
    whole: Decimal = ZERO  # whole-strategy amounts
    per_country: Decimal = ZERO  # per-country amounts × Range States in scope
    estimate: Decimal = ZERO
    spent: Decimal = ZERO
    spent_reports: int = 0

    def merge(self, other: "CostTotals") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def values(self) -> list:
        return [
            self.activities,
            self.amount,
            self.tbd,
            self.na,
            self.whole,
            self.per_country,
            self.estimate,
            self.spent,
        ]


def budget_overview(scope: Scope) -> Report:
    """Estimated cost by theme / objective / result and per activity, TBD counted apart, per-country
    amounts multiplied by the Range States in scope, and the amounts reported as spent beside them.
    Four queries: Range States counted, results, costs per activity, spent per activity."""
    strategy = scope.strategy
    n_states = scope.n_states  # query 1
    results = logframe_results(strategy)  # query 2
    activities = list(  # query 3
        Activity.objects.for_strategy(strategy)
        .order_by("sort_key")
        .values("pk", "code", "text", "result_id", "cost_text", "cost_kind", "cost_usd", "cost_per_country")
    )
    spent_path = scope.source.entry_path("amount_spent_usd")
    spent = {  # query 4: what the latest approved entries say was spent (range-wide ones only for all states)
        row["activity_id"]: row
        for row in scope.cells(range_wide=scope.range_state is None)
        .values("activity_id")
        .annotate(
            spent=Sum(spent_path), spent_reports=Count("pk", filter=Q(**{f"{spent_path}__isnull": False}))
        )
        .order_by()
    }
    per_activity = Table(
        "activities",
        _("Estimated cost and reported spending per activity"),
        [
            Column("activity", _("Activity"), "activity"),
            Column("text", _("Activity text")),
            Column("cost_text", _("Cost (source text)")),
            # Translators: a column heading: the kind of cost (an amount, to be determined, not applicable).
            Column("cost_kind", pgettext("cost", "Kind")),
            Column("amount", _("Amount in the source (USD)"), "usd"),
            # Translators: a column heading: Yes when the amount is per Range State.
            Column("per_country", _("Per country")),
            Column("estimate", _("Estimated cost (USD)"), "usd"),
            Column("spent", _("Reported spent (USD)"), "usd"),
            Column("spent_reports", _("Cells reporting spending"), "int"),
        ],
    )
    cost_kinds = {value: str(label) for value, label in COST.choices}
    yes, no = _("Yes"), _("No")
    by_result = {}
    for a in activities:
        kind, amount, estimate = a["cost_kind"], a["cost_usd"], None
        row = spent.get(a["pk"], {"spent": None, "spent_reports": 0})
        costs = CostTotals(activities=1, spent=row["spent"] or ZERO, spent_reports=row["spent_reports"])
        if kind == COST.AMOUNT and amount is not None:
            costs.amount = 1
            if a["cost_per_country"]:
                estimate = costs.per_country = amount * n_states
            else:
                estimate = costs.whole = amount
            costs.estimate = estimate
        elif kind == COST.NOT_APPLICABLE:
            costs.na = 1
        else:
            costs.tbd = 1
        by_result.setdefault(a["result_id"], CostTotals()).merge(costs)
        per_activity.rows.append(
            [
                a["code"],
                a["text"],
                a["cost_text"],
                cost_kinds[kind],
                amount,
                yes if a["cost_per_country"] else no,
                estimate,
                row["spent"],
                row["spent_reports"],
            ]
        )
    rollup = logframe_rollup(
        results,
        by_result,
        CostTotals,
        title=_("Estimated cost by theme, objective and result"),
        columns=[
            Column("activities", _("Activities"), "int"),
            Column("amount", _("With an amount"), "int"),
            Column("tbd", _("Cost TBD"), "int"),
            Column("na", _("Cost not applicable"), "int"),
            Column("whole", _("Whole-strategy amounts (USD)"), "usd"),
            # Translators: a column heading; %(states)s is the number of Range States the amounts are multiplied by.
            Column("per_country", _("Per-country amounts × %(states)s (USD)") % {"states": n_states}, "usd"),
            Column("estimate", _("Estimated total, TBD excluded (USD)"), "usd"),
            Column("spent", _("Reported spent (USD)"), "usd"),
        ],
        values=CostTotals.values,
    )
    funding = funding_gap(strategy)  # queries 5-8: objectives, Range States, activities' costs, grant lines
    by_objective, by_state = funding_tables(funding, scope)
    return Report(
        title=_("Budget overview"),
        strategy=strategy,
        filters=scope.filter_labels(),
        tables=[rollup.table, per_activity, by_objective, by_state],
        notes=[
            APPROVED_ONLY,
            _(
                "Estimated totals add up the amounts the strategy gives. Activities whose cost is “TBD” have no "
                "amount and are counted in their own column, never as zero: every total is therefore a lower "
                "bound while any TBD remains. “Not applicable” costs are counted apart too."
            ),
            (
                _(
                    "Amounts given “per country” are multiplied by the number of Range States in scope "
                    "(%(states)s: the chosen state), assuming each of them carries the activity out. "
                    "Whole-strategy amounts are not split between countries."
                )
                if scope.range_state
                else _(
                    "Amounts given “per country” are multiplied by the number of Range States in scope "
                    "(%(states)s, every Range State of the strategy), assuming each of them carries the "
                    "activity out. Whole-strategy amounts are not split between countries."
                )
            )
            % {"states": n_states},
            _(
                "Spent = the sum of “amount spent” of the latest approved entry per activity and Range State "
                "(and range-wide, unless one Range State is chosen), each taken as the cumulative amount spent "
                "so far; earlier entries are not added again, and entries that leave the amount empty add "
                "nothing. A range-wide amount is money spent for the whole range, added once beside the states' "
                "own: it does not stand for the states that report none, as a range-wide status does in the "
                "status reports."
            ),
            *funding_notes(funding, scope),
        ],
        page={"n_states": n_states, "total": rollup.total.totals, "funding": funding},
    )


def _money_columns() -> list[Column]:
    return [
        Column("cells", _("Cost cells with an estimate"), "int"),
        Column("estimated", _("Estimated cost, TBD excluded (USD)"), "usd"),
        Column("committed", _("Committed funding (USD)"), "usd"),
        Column("gap", _("Funding gap (USD)"), "usd"),
        Column("beyond", _("Committed beyond the estimate (USD)"), "usd"),
        Column("without_estimate", _("Committed to activities costed TBD or N/A (USD)"), "usd"),
        Column("lines_without_amount", _("Grant lines without an amount"), "int"),
    ]


def _money_values(row: FundingRow) -> list:
    return [
        row.cells,
        row.estimated_usd,
        row.committed_usd,
        row.gap_usd,
        row.beyond_estimate_usd,
        row.committed_without_estimate_usd,
        row.lines_without_amount,
    ]


def funding_tables(funding, scope: Scope) -> tuple[Table, Table]:
    """Committed funding beside the estimate, and the gap, by objective and by Range State (Activity
    12.2.1), laid out from activities.funding_gap.funding_gap, the one definition. TBD and N/A costs are
    counted by objective (they have no estimate, so no state's cell); a Range State table has no such
    column rather than a zero."""
    by_objective = Table(
        "funding_objectives",
        _("Committed funding and funding gap by objective"),
        [
            Column("objective", _("Objective")),
            *_money_columns()[:2],
            Column("tbd", _("Cost TBD"), "int"),
            Column("na", _("Cost not applicable"), "int"),
            *_money_columns()[2:],
        ],
    )
    for row in [*funding.by_objective, funding.total]:
        label = _("Objective %(number)s") % {"number": row.objective.number} if row.objective else _("Total")
        values = _money_values(row)
        by_objective.rows.append([label, *values[:2], row.tbd, row.not_applicable, *values[2:]])
        by_objective.row_classes.append("" if row.objective else "level-total")
    by_state = Table(
        "funding_states",
        _("Committed funding and funding gap by Range State"),
        [Column("range_state", _("Range State")), *_money_columns()],
    )
    chosen = scope.range_state
    for row in funding.by_range_state:
        if chosen and row.range_state is not None and row.range_state.pk != chosen.pk:
            continue
        name = row.range_state.name if row.range_state else _("Whole strategy (not per country)")
        by_state.rows.append([name, *_money_values(row)])
    return by_objective, by_state


def funding_notes(funding, scope: Scope) -> list[str]:
    notes = [
        _(
            "Committed funding is what grants commit to the strategy's activities (grant lines). A “cost "
            "cell” is an activity in one Range State when its cost is given per country, or the activity for "
            "the whole strategy otherwise. Funding gap = the part of each cell's estimate that no grant "
            "covers; money above a cell's estimate is shown as “beyond the estimate”, never set against "
            "another cell. Activities costed TBD or N/A have no estimate and so no gap: they are counted, "
            "never as zero, and money committed to them is shown apart."
        ),
        _(
            "The funding tables count every Range State of the strategy (%(states)s), whatever Range State "
            "is chosen above; with one chosen, the Range State table shows that state and the "
            "whole-strategy cells."
        )
        % {"states": funding.range_state_count},
    ]
    if not funding.total.committed_usd and not funding.total.committed_without_estimate_usd:
        notes.append(
            _(
                "No grant recorded so far commits an amount to this strategy's activities: nothing is committed."
            )
        )
    if funding.total.lines_without_amount:
        notes.append(
            ngettext(
                "%(lines)s grant line gives no amount for its activity: that funding is not in the figures.",
                "%(lines)s grant lines give no amount for their activity: that funding is not in the figures.",
                funding.total.lines_without_amount,
            )
            % {"lines": funding.total.lines_without_amount}
        )
    if funding.unplaced_lines:
        notes.append(
            ngettext(
                "%(lines)s grant line (USD %(amount)s) could not be placed in a cost cell (a per-country "
                "activity without a Range State, or a state outside the strategy) and is left out.",
                "%(lines)s grant lines (USD %(amount)s) could not be placed in a cost cell (a per-country "
                "activity without a Range State, or a state outside the strategy) and are left out.",
                funding.unplaced_lines,
            )
            % {"lines": funding.unplaced_lines, "amount": funding.unplaced_usd}
        )
    return notes
