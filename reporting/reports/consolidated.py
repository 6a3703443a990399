"""The range-wide consolidated report for a Range State meeting (issue 14): the status across Range
States per theme, objective and result, what changed since the previous meeting's snapshot, the budget
with committed funding and the gap, the National Action Plans' standing, and the Range States that did
not report in the round. Each part is the table of the report that defines it (dashboard, snapshots,
budget, plans, reporting rate), so the consolidated report can never disagree with them; as a document
(reporting/documents.py) it carries the symbol and date the Secretariat gives it."""

from django.utils.translation import gettext as _

from activities.models import MeetingSnapshot, ReportingRound

from .budget import budget_overview
from .core import Column, Report, Scope, Table
from .dashboard import strategy_dashboard
from .plans import national_plan_report
from .rate import reporting_rate
from .snapshots import snapshot_comparison


def consolidated_report(
    scope: Scope,
    *,
    reporting_round: ReportingRound | None = None,
    before: MeetingSnapshot | None = None,
    after: MeetingSnapshot | None = None,
) -> Report:
    """`reporting_round` defaults to the strategy's latest round; the changes are those between the
    snapshots `before` and `after` (two meetings), `after` defaulting to today and `before` to the latest
    snapshot (taken before `after`, when it is given). Without a round or a snapshot, its part says so
    instead of being left out silently."""
    strategy = scope.strategy
    reporting_round = reporting_round or strategy.reporting_rounds.order_by("-deadline", "-pk").first()
    if before is None:
        earlier = strategy.snapshots.select_related("meeting").order_by("-taken_at", "-pk")
        if after is not None:
            earlier = earlier.filter(taken_at__lt=after.taken_at)
        before = earlier.first()
    dashboard = strategy_dashboard(scope)
    budget = budget_overview(scope)
    plans = national_plan_report(scope)
    tables = [dashboard.table("rollup"), dashboard.table("rangewide")]
    notes = list(dashboard.notes)
    if before:
        changes = snapshot_comparison(scope, before, after)
        tables.append(changes.tables[0])
        notes += changes.notes[1:]
    else:
        notes.append(_("No meeting snapshot has been taken for this strategy: no changes can be shown."))
    tables += [budget.table("funding_objectives"), budget.table("funding_states"), plans.table("standing")]
    notes += [note for note in budget.notes[1:] + plans.notes if note not in notes]
    if reporting_round:
        tables.append(_not_reported(scope, reporting_round))
    else:
        notes.append(_("No reporting round has been opened for this strategy."))
    filters = scope.filter_labels()[:2]
    if reporting_round:
        filters.append((_("Reporting round"), reporting_round.name))
    if before:
        filters.append((_("Changes since the snapshot"), str(before.meeting)))
        if after:
            filters.append((_("Changes up to the snapshot"), str(after.meeting)))
    return Report(
        title=_("Range-wide consolidated report"),
        strategy=strategy,
        filters=filters,
        tables=tables,
        notes=notes,
    )


def _not_reported(scope: Scope, reporting_round: ReportingRound) -> Table:
    """The Range States with no approved entry for the round, from the reporting-rate report's rows."""
    rates = reporting_rate(scope, reporting_round=reporting_round).table("rates")
    position = {column.key: index for index, column in enumerate(rates.columns)}
    table = Table(
        "not_reported",
        _("Range States that did not report in the round “%(round)s”") % {"round": reporting_round.name},
        [
            Column("range_state", _("Range State")),
            Column("due", _("Activities due"), "int"),
            Column("deadline", _("Deadline"), "date"),
        ],
    )
    for row in rates.rows:
        if row[position["reported"]] == 0 and row[position["due"]]:
            table.rows.append([row[position["range_state"]], row[position["due"]], row[position["deadline"]]])
    return table
