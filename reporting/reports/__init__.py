"""Report builders: each runs a fixed handful of queries and returns plain data (a `Report` of `Table`s plus
whatever its page draws), used alike by the HTML page, the CSV and the XLSX export.

core.py holds what every report is made of (tables, the scope, the status sources and the cell rule);
rollup.py the theme → objective → result roll-up; one module per report; registry.py the one list of
reports that the URLs, the index page, the report navigation and the exports read."""

from .actors import actor_progress
from .budget import budget_overview
from .core import (
    NOT_REPORTED,
    RANGE_WIDE,
    STATUS_LABELS,
    STATUS_ORDER,
    AsOf,
    Column,
    Current,
    Report,
    Scope,
    Snapshot,
    StatusCounts,
    Table,
)
from .dashboard import strategy_dashboard
from .matrix import range_state_matrix
from .national import national_report
from .plans import national_plan_report
from .pow import pow_crosswalk
from .rate import reporting_rate
from .snapshots import snapshot_comparison, snapshot_list
from .timeline import timeline_report

__all__ = [
    "NOT_REPORTED",
    "RANGE_WIDE",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "AsOf",
    "Column",
    "Current",
    "Report",
    "Scope",
    "Snapshot",
    "StatusCounts",
    "Table",
    "actor_progress",
    "budget_overview",
    "national_plan_report",
    "national_report",
    "pow_crosswalk",
    "range_state_matrix",
    "reporting_rate",
    "snapshot_comparison",
    "snapshot_list",
    "strategy_dashboard",
    "timeline_report",
]
