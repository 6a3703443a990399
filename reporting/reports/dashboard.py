"""The strategy dashboard: where the strategy stands, in activity × Range State cells."""

import datetime
from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from activities.models import Activity

from .changes import status_changes
from .core import (
    APPROVED_ONLY,
    CELL_RULE,
    COMPLETION_RULE,
    STATUS_ORDER,
    AsOf,
    Column,
    Report,
    Scope,
    StatusCounts,
    Table,
    count_columns,
    count_values,
    long_date,
)
from .rollup import logframe_results, logframe_rollup

PRIORITY_ORDER = (Activity.Priority.HIGH, Activity.Priority.MEDIUM, Activity.Priority.LOW, None)


def strategy_dashboard(scope: Scope, *, since: datetime.date | None = None) -> Report:
    """Cells by status rolled up result → objective → theme, completion by priority, range-wide statuses
    and (with `since`) what changed since a date. Four queries, six with `since`."""
    strategy = scope.strategy
    results = logframe_results(strategy)  # query 1
    activities = list(  # query 2
        Activity.objects.for_strategy(strategy).order_by().values("pk", "result_id", "priority")
    )
    cells = scope.activity_counts()  # queries 3 (the Range States, when none is chosen) and 4
    by_result, by_priority = defaultdict(StatusCounts), defaultdict(StatusCounts)
    wide = StatusCounts(cells=len(activities))
    for activity in activities:
        counts = cells[activity["pk"]]
        by_result[activity["result_id"]].merge(counts)
        by_priority[activity["priority"]].merge(counts)
        if counts.range_wide:
            wide.add(counts.range_wide, 1)
    rollup = logframe_rollup(
        results,
        by_result,
        StatusCounts,
        title=_("Status by theme, objective and result (activity × Range State cells)"),
        columns=count_columns(),
        values=count_values,
    )
    total = rollup.total.totals
    labels = {value: str(label) for value, label in Activity.Priority.choices}
    priority = Table(
        "priority", _("Completion by priority"), [Column("priority", _("Priority")), *count_columns()]
    )
    priority_rows = []
    for value in PRIORITY_ORDER:
        if value in by_priority:
            counts = by_priority[value]
            # Translators: an activity's priority, where the strategy gives none.
            label = labels[value] if value else _("Not given in the source")
            priority.rows.append([label, *count_values(counts)])
            priority_rows.append({"label": label, "counts": counts, "activities": counts.activities})
    rangewide = Table(
        "rangewide",
        _(
            "Range-wide statuses (activities reported for the whole range; each stands for the Range States "
            "without a report of their own)"
        ),
        [
            # Translators: a column heading: the status reported (completed, in progress…).
            Column("status", pgettext("column", "Status"), "status"),
            Column("activities", _("Activities"), "int"),
        ],
        [[status, wide.count(status)] for status in STATUS_ORDER],
    )
    tables = [rollup.table, priority, rangewide]
    if since:
        tables.append(  # queries 5 and 6
            status_changes(
                scope,
                AsOf(since),
                scope.source,
                title=_("Changed since %(date)s") % {"date": long_date(since)},
            )
        )
    return Report(
        title=_("Strategy dashboard"),
        strategy=strategy,
        filters=scope.filter_labels() + ([(_("Changes since"), long_date(since))] if since else []),
        tables=tables,
        notes=[APPROVED_ONLY, CELL_RULE, COMPLETION_RULE],
        page={
            "tree": rollup.tree,
            "total": total,
            "total_activities": total.activities,
            "n_states": scope.n_states,
            "priority_rows": priority_rows,
            "wide": wide,
            "since": since,
        },
    )
