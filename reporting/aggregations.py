"""Report builders: each runs a fixed handful of queries and returns plain data (a `Report` of `Table`s plus
whatever its page draws), used alike by the HTML page, the CSV and the XLSX export.

Every number counts **approved** progress only. "The latest approved status" of an activity in a Range State
(or range-wide) comes from one of three sources, all read the same way (`StatusSource`):

- today: `ActivityStateStatus`, the row the approval service keeps pointing at the latest approved entry;
- as of a date: the latest approved entry whose reporting date is on or before that date, found with an
  indexed, correlated subquery per (activity, Range State) pair — not a window over the whole history,
  which would sort every entry of the strategy (a million, later) to keep about a thousand;
- a meeting snapshot: its frozen `SnapshotStatus` rows.

Aggregation happens in the database (GROUP BY with conditional counts and sums). The little Python below
only folds already-aggregated rows (one per result, priority or actor: bounded by the logframe, never by
the number of entries) into the theme → objective → result tree, and lays rows out for the page.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import ExtractYear
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityStateStatus,
    Actor,
    Evidence,
    MeetingSnapshot,
    ProgressEntry,
    RangeState,
    ReportingRound,
    Result,
    SnapshotStatus,
    Strategy,
)

APPROVED = ProgressEntry.ReviewState.APPROVED
S = ProgressEntry.Status
NOT_REPORTED = "not_reported"
# The order statuses are shown in, from done to not yet known.
STATUS_ORDER = [
    S.COMPLETED,
    S.IN_PROGRESS,
    S.DELAYED,
    S.NOT_STARTED,
    S.CANCELLED,
    S.NOT_APPLICABLE,
    NOT_REPORTED,
]
STATUS_LABELS = {**{value: label for value, label in S.choices}, NOT_REPORTED: "Not reported"}
RANGE_WIDE = "Range-wide"

APPROVED_ONLY = "Only approved progress counts: drafts, entries awaiting review and entries returned for changes are left out."
CELL_RULE = (
    "Each activity is counted once per Range State of the strategy (an “activity × Range State” cell), with the "
    "status of the latest approved entry for that state; a cell with no approved entry is “not reported”. "
    "Range-wide entries are counted apart, in their own row or column, never in a state's cell."
)
COMPLETION_RULE = (
    "Completed share = completed cells ÷ all cells, leaving out cells reported “not applicable”."
)


# --- plain data --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a report table. `kind` decides formatting on the page and the cell type in exports:
    text, int, usd (Decimal), percent (a share 0–1), date, year (int), status (a status code), activity (code)."""

    key: str
    label: str
    kind: str = "text"


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    # Per row, a CSS hook for the page (e.g. "level-theme"); never exported.
    row_classes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.rows


@dataclass
class Report:
    title: str
    strategy: Strategy
    filters: list[tuple[str, str]]  # (label, value) of the filters applied, for the page header and exports
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    page: dict = field(default_factory=dict)  # what only the HTML page draws (charts, grids, sections)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


@dataclass
class StatusCounts:
    """Cells by status for one node (theme, objective, result, priority, actor…); `cells` includes the
    not-reported ones."""

    cells: int = 0
    by_status: dict = field(default_factory=dict)

    def add(self, status: str, n: int) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + n

    def merge(self, other: "StatusCounts") -> None:
        self.cells += other.cells
        for status, n in other.by_status.items():
            self.add(status, n)

    @property
    def not_reported(self) -> int:
        return max(self.cells - sum(self.by_status.values()), 0)

    def count(self, status: str) -> int:
        return self.not_reported if status == NOT_REPORTED else self.by_status.get(status, 0)

    @property
    def completion(self) -> float | None:
        relevant = self.cells - self.count(S.NOT_APPLICABLE)
        return self.count(S.COMPLETED) / relevant if relevant > 0 else None

    @property
    def segments(self) -> list[dict]:
        """The stacked bar: each status's share of all cells and where its segment starts (both 0–100)."""
        out, offset = [], 0.0
        for status in STATUS_ORDER:
            n = self.count(status)
            if n and self.cells:
                width = 100.0 * n / self.cells
                out.append(
                    {
                        "status": status,
                        "label": STATUS_LABELS[status],
                        "n": n,
                        "offset": offset,
                        "width": width,
                    }
                )
                offset += width
        return out

    def values(self) -> list:
        return [self.count(status) for status in STATUS_ORDER]


def status_columns() -> list[Column]:
    return [Column(status, STATUS_LABELS[status], "int") for status in STATUS_ORDER]


# --- scope and sources -------------------------------------------------------------------------------------


def _pair(queryset, field_name):
    """The first row of `queryset` (already filtered on activity=OuterRef("activity_id") and ordered) for the
    outer row's Range State. Range-wide rows have none, and NULL never equals NULL in SQL, so they are
    matched by their own subquery."""
    wide = queryset.filter(range_state__isnull=True).values(field_name)[:1]
    state = queryset.filter(range_state=OuterRef("range_state_id")).values(field_name)[:1]
    return Case(When(range_state__isnull=True, then=Subquery(wide)), default=Subquery(state))


class StatusSource:
    """Where "the latest approved status" per (activity, Range State) is read from."""

    label = ""
    model = ActivityStateStatus
    entry_prefix = "entry__"  # path from a cell to its ProgressEntry

    def cells(self, strategy):
        """One row per (activity, Range State or range-wide) that has a status: fields activity, range_state,
        status, reporting_date, and `entry_path("…")` for the entry behind it."""
        raise NotImplementedError

    def pair(self, field_name):
        """A correlated expression: this source's `field_name` for the outer row's activity and Range State."""
        raise NotImplementedError

    def entry_path(self, name: str) -> str:
        return f"{self.entry_prefix}{name}"


class Current(StatusSource):
    label = "today"

    def cells(self, strategy):
        return ActivityStateStatus.objects.filter(activity__strategy=strategy)

    def pair(self, field_name):
        return _pair(ActivityStateStatus.objects.filter(activity=OuterRef("activity_id")), field_name)


class AsOf(StatusSource):
    model = ProgressEntry
    entry_prefix = ""

    def __init__(self, date: datetime.date):
        self.date = date
        self.label = f"as of {date:%-d %B %Y}"

    def _entries(self):
        # The approval service's own tie-break: newest reporting date, then latest approval, then newest row.
        return ProgressEntry.objects.filter(
            activity=OuterRef("activity_id"), review_state=APPROVED, reporting_date__lte=self.date
        ).order_by("-reporting_date", "-reviewed_at", "-pk")

    def cells(self, strategy):
        # Every pair that has ever had an approved entry has an ActivityStateStatus row: start from those
        # (about a thousand) and look up each one's latest entry up to the date through the
        # (activity, range_state, -reporting_date) index.
        latest = Current().cells(strategy).annotate(as_of_entry=_pair(self._entries(), "pk"))
        return ProgressEntry.objects.filter(pk__in=latest.values("as_of_entry"))

    def pair(self, field_name):
        return _pair(self._entries(), field_name if field_name != "entry_id" else "pk")

    def entry_path(self, name: str) -> str:
        return "pk" if name == "pk" else name


class Snapshot(StatusSource):
    model = SnapshotStatus

    def __init__(self, snapshot: MeetingSnapshot):
        self.snapshot = snapshot
        self.label = f"as presented to {snapshot.meeting}"

    def cells(self, strategy):
        return SnapshotStatus.objects.filter(snapshot=self.snapshot)

    def pair(self, field_name):
        return _pair(
            SnapshotStatus.objects.filter(snapshot=self.snapshot, activity=OuterRef("activity_id")),
            field_name,
        )


@dataclass
class Scope:
    """The filters every report takes: strategy, optionally one Range State, optionally an as-of date."""

    strategy: Strategy
    range_state: RangeState | None = None
    as_of: datetime.date | None = None

    @property
    def source(self) -> StatusSource:
        return AsOf(self.as_of) if self.as_of else Current()

    @property
    def year(self) -> int:
        return (self.as_of or timezone.localdate()).year

    def state_count(self) -> int:
        """How many Range States the cells span: one when a state is chosen (no query), else the strategy's."""
        return 1 if self.range_state else self.strategy.range_states.count()

    def cells(self, *, range_wide: bool = False):
        """The scope's cells: those of the chosen state (or every state), plus range-wide ones if asked."""
        cells = self.source.cells(self.strategy)
        if self.range_state:
            condition = Q(range_state=self.range_state)
            return cells.filter(condition | Q(range_state__isnull=True) if range_wide else condition)
        return cells if range_wide else cells.filter(range_state__isnull=False)

    def filter_labels(self) -> list[tuple[str, str]]:
        return [
            ("Strategy", str(self.strategy)),
            ("Range State", self.range_state.name if self.range_state else "All Range States"),
            ("Status as of", f"{self.as_of:%-d %B %Y}" if self.as_of else "Today (latest approved)"),
        ]


def _by(rows, key):
    out = defaultdict(StatusCounts)
    for row in rows:
        out[row[key]].add(row["status"], row["n"])
    return out


# --- 1. strategy dashboard ---------------------------------------------------------------------------------


def strategy_dashboard(scope: Scope, *, since: datetime.date | None = None) -> Report:
    """Cells by status rolled up result → objective → theme, completion by priority, range-wide statuses
    and (with `since`) what changed since a date. Four queries, six with `since`."""
    strategy = scope.strategy
    n_states = scope.state_count()  # query 1 (none with a state chosen)
    results = list(  # query 2: the logframe down to results
        Result.objects.filter(strategy=strategy)
        .select_related("objective__theme")
        .order_by("objective__number", "sort_key")
    )
    activity_counts = (  # query 3: activities per result and priority
        Activity.objects.for_strategy(strategy)
        .values("result_id", "priority")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cell_counts = (  # query 4: cells per result, priority, status, split state / range-wide
        scope.cells(range_wide=True)
        .values("activity__result_id", "activity__priority", "status")
        .annotate(
            n=Count("pk", filter=Q(range_state__isnull=False)),
            wide=Count("pk", filter=Q(range_state__isnull=True)),
        )
        .order_by()
    )
    by_result, by_priority = defaultdict(StatusCounts), defaultdict(StatusCounts)
    activities_by_result, activities_by_priority = defaultdict(int), defaultdict(int)
    wide = StatusCounts()
    for row in activity_counts:
        activities_by_result[row["result_id"]] += row["n"]
        activities_by_priority[row["priority"]] += row["n"]
        by_result[row["result_id"]].cells += row["n"] * n_states
        by_priority[row["priority"]].cells += row["n"] * n_states
    for row in cell_counts:
        by_result[row["activity__result_id"]].add(row["status"], row["n"])
        by_priority[row["activity__priority"]].add(row["status"], row["n"])
        wide.add(row["status"], row["wide"])
    total_activities = sum(activities_by_result.values())
    wide.cells = total_activities

    # Fold results into objectives and themes (bounded by the logframe: 31 results for the Persian Leopard).
    tree, themes, objectives = [], {}, {}
    total = StatusCounts()
    for result in results:
        objective = result.objective
        theme = objective.theme
        theme_key = theme.pk if theme else None
        if theme_key not in themes:
            label = f"Theme {theme.number}" if theme else "No theme"
            themes[theme_key] = node = {
                "level": "theme",
                "code": label,
                "title": theme.title if theme else "Objectives the source assigns to no theme",
                "activities": 0,
                "counts": StatusCounts(),
                "children": [],
            }
            tree.append(node)
        if objective.pk not in objectives:
            objectives[objective.pk] = node = {
                "level": "objective",
                "code": f"Objective {objective.number}",
                "title": objective.text,
                "activities": 0,
                "counts": StatusCounts(),
                "children": [],
            }
            themes[theme_key]["children"].append(node)
        counts = by_result[result.pk]
        n = activities_by_result[result.pk]
        objectives[objective.pk]["children"].append(
            {
                "level": "result",
                "code": f"Result {result.code}",
                "title": result.text,
                "activities": n,
                "counts": counts,
            }
        )
        for node in (objectives[objective.pk], themes[theme_key]):
            node["activities"] += n
            node["counts"].merge(counts)
        total.merge(counts)

    rollup = Table(
        "rollup",
        "Status by theme, objective and result (activity × Range State cells)",
        [
            Column("level", "Level"),
            Column("code", "Code"),
            Column("title", "Title"),
            Column("activities", "Activities", "int"),
            Column("cells", "Cells", "int"),
            *status_columns(),
            Column("completion", "Completed share", "percent"),
        ],
    )

    def add_row(node):
        counts = node["counts"]
        rollup.rows.append(
            [
                node["level"].title(),
                node["code"],
                node["title"],
                node["activities"],
                counts.cells,
                *counts.values(),
                counts.completion,
            ]
        )
        rollup.row_classes.append(f"level-{node['level']}")

    for theme_node in tree:
        add_row(theme_node)
        for objective_node in theme_node["children"]:
            add_row(objective_node)
            for result_node in objective_node["children"]:
                add_row(result_node)
    rollup.rows.append(
        ["Total", "", "Whole strategy", total_activities, total.cells, *total.values(), total.completion]
    )
    rollup.row_classes.append("level-total")

    priority = Table(
        "priority",
        "Completion by priority",
        [
            Column("priority", "Priority"),
            Column("activities", "Activities", "int"),
            Column("cells", "Cells", "int"),
            *status_columns(),
            Column("completion", "Completed share", "percent"),
        ],
    )
    labels = dict(Activity.Priority.choices)
    priority_rows = []
    for value in (3, 2, 1, None):
        if activities_by_priority.get(value):
            counts = by_priority[value]
            label = labels[value] if value else "Not given in the source"
            row = [label, activities_by_priority[value], counts.cells, *counts.values(), counts.completion]
            priority.rows.append(row)
            priority_rows.append(
                {"label": label, "counts": counts, "activities": activities_by_priority[value]}
            )

    rangewide = Table(
        "rangewide",
        "Range-wide statuses (activities reported for the whole range, not per state)",
        [Column("status", "Status", "status"), Column("activities", "Activities", "int")],
        [[status, wide.count(status)] for status in STATUS_ORDER],
    )
    tables = [rollup, priority, rangewide]
    changes = None
    if since:
        after = scope.source
        changes = status_changes(scope, AsOf(since), after, title=f"Changed since {since:%-d %B %Y}")
        tables.append(changes)
    return Report(
        title="Strategy dashboard",
        strategy=strategy,
        filters=scope.filter_labels() + ([("Changes since", f"{since:%-d %B %Y}")] if since else []),
        tables=tables,
        notes=[APPROVED_ONLY, CELL_RULE, COMPLETION_RULE],
        page={
            "tree": tree,
            "total": total,
            "total_activities": total_activities,
            "n_states": n_states,
            "priority_rows": priority_rows,
            "wide": wide,
            "since": since,
        },
    )


# --- changes between two sources (dashboard "since", meeting snapshots) -------------------------------------


def status_changes(scope: Scope, before: StatusSource, after: StatusSource, *, title: str) -> Table:
    """Cells whose status differs between two sources, with the entry behind each side. Two queries:
    cells of `after` with the matching `before` status looked up in a correlated subquery (new or changed),
    and cells of `before` that `after` no longer has."""
    columns = [
        Column("activity", "Activity", "activity"),
        Column("activity_text", "Activity text"),
        Column("range_state", "Range State"),
        Column("before", f"Status {before.label}", "status"),
        Column("before_date", "Reported on (before)", "date"),
        Column("after", f"Status {after.label}", "status"),
        Column("after_date", "Reported on (after)", "date"),
        Column("narrative", "Narrative of the entry behind the change"),
    ]

    def restrict(cells):
        if scope.range_state:
            cells = cells.filter(Q(range_state=scope.range_state) | Q(range_state__isnull=True))
        return cells

    changed = (
        restrict(after.cells(scope.strategy))
        .annotate(
            before_status=before.pair("status"),
            before_date=before.pair("reporting_date"),
        )
        .filter(Q(before_status__isnull=True) | ~Q(before_status=F("status")))
        .values(
            "activity__code",
            "activity__sort_key",
            "activity__text",
            "range_state__name",
            "before_status",
            "before_date",
            "status",
            "reporting_date",
            entry_narrative=F(after.entry_path("narrative")),
        )
    )
    gone = (
        restrict(before.cells(scope.strategy))
        .annotate(after_status=after.pair("status"))
        .filter(after_status__isnull=True)
        .values(
            "activity__code",
            "activity__sort_key",
            "activity__text",
            "range_state__name",
            "status",
            "reporting_date",
        )
    )
    rows = [
        (
            r["activity__sort_key"],
            r["range_state__name"] or "",
            [
                r["activity__code"],
                r["activity__text"],
                r["range_state__name"] or RANGE_WIDE,
                r["before_status"] or NOT_REPORTED,
                r["before_date"],
                r["status"],
                r["reporting_date"],
                r["entry_narrative"],
            ],
        )
        for r in changed
    ] + [
        (
            r["activity__sort_key"],
            r["range_state__name"] or "",
            [
                r["activity__code"],
                r["activity__text"],
                r["range_state__name"] or RANGE_WIDE,
                r["status"],
                r["reporting_date"],
                NOT_REPORTED,
                None,
                "",
            ],
        )
        for r in gone
    ]
    rows.sort(key=lambda r: (r[0], r[1]))
    return Table("changes", title, columns, [r[2] for r in rows])


# --- 2. Range State matrix ---------------------------------------------------------------------------------


def range_state_matrix(scope: Scope, *, objective=None, priority=None, metapopulation=None) -> Report:
    """Activities × Range States (+ range-wide), each cell the latest approved status and its date.
    Three queries: Range States, activities, cells."""
    strategy = scope.strategy
    states = strategy.range_states.order_by("name")
    if metapopulation:
        states = states.filter(metapopulations=metapopulation)
    if scope.range_state:
        states = states.filter(pk=scope.range_state.pk)
    states = list(states)  # query 1
    activities = Activity.objects.for_strategy(strategy)
    if objective:
        activities = activities.filter(result__objective=objective)
    if priority:
        activities = activities.filter(priority=priority)
    activities = list(  # query 2
        activities.order_by("sort_key").values("pk", "code", "text", "priority", "result__objective__number")
    )
    cells = (  # query 3
        scope.source.cells(strategy)
        .filter(activity__in=[a["pk"] for a in activities])
        .filter(Q(range_state__in=states) | Q(range_state__isnull=True))
        # the confidence of the entry behind each status, so a claim is weighed by its evidence
        .annotate(entry_confidence=F(scope.source.entry_path("confidence")))
        .values("activity_id", "range_state_id", "status", "reporting_date", "entry_confidence")
    )
    grid = {(c["activity_id"], c["range_state_id"]): c for c in cells}
    confidence_labels = dict(ProgressEntry.Confidence.choices)
    columns = [*states, None]  # None: the range-wide column
    rows = []
    for activity in activities:
        row_cells = []
        for state in columns:
            cell = grid.get((activity["pk"], state.pk if state else None))
            row_cells.append(
                {
                    "status": cell["status"],
                    "date": cell["reporting_date"],
                    "confidence": confidence_labels.get(cell["entry_confidence"], ""),
                }
                if cell
                else {"status": NOT_REPORTED, "date": None, "confidence": ""}
            )
        rows.append({"activity": activity, "cells": row_cells})
    table = Table(
        "matrix",
        "Latest approved status per activity and Range State",
        [
            Column("activity", "Activity", "activity"),
            Column("text", "Activity text"),
            Column("priority", "Priority", "int"),
        ]
        + [
            column
            for state in columns
            for column in (
                Column(
                    f"{state.iso_code if state else 'RW'}_status",
                    f"{state.name if state else RANGE_WIDE} status",
                    "status",
                ),
                Column(
                    f"{state.iso_code if state else 'RW'}_date",
                    f"{state.name if state else RANGE_WIDE} reported on",
                    "date",
                ),
                Column(
                    f"{state.iso_code if state else 'RW'}_confidence",
                    f"{state.name if state else RANGE_WIDE} confidence",
                ),
            )
        ],
        [
            [row["activity"]["code"], row["activity"]["text"], row["activity"]["priority"]]
            + [value for cell in row["cells"] for value in (cell["status"], cell["date"], cell["confidence"])]
            for row in rows
        ],
    )
    filters = scope.filter_labels()
    if objective:
        filters.append(("Objective", f"Objective {objective.number}"))
    if priority:
        filters.append(("Priority", dict(Activity.Priority.choices)[int(priority)]))
    if metapopulation:
        filters.append(("Metapopulation", metapopulation.name))
    return Report(
        title="Range State matrix",
        strategy=strategy,
        filters=filters,
        tables=[table],
        notes=[
            APPROVED_ONLY,
            "Each cell shows the status of the latest approved entry for that activity and Range State, and the "
            "date that status refers to. The last column holds range-wide entries, which cover no single state.",
        ],
        page={"states": states, "rows": rows},
    )


# --- 3. timeline and overdue -------------------------------------------------------------------------------

DONE = [S.COMPLETED, S.NOT_APPLICABLE]


def timeline(scope: Scope) -> Report:
    """Overdue activities, those due this year and next, and recurring activities against their last
    completed report. Four queries: Range States counted, activities, cells per activity, last completions."""
    strategy, year = scope.strategy, scope.year
    n_states = scope.state_count()  # query 1
    activities = list(  # query 2
        Activity.objects.for_strategy(strategy)
        .filter(Q(due_year__lte=year + 1) | Q(timeline_kind=Activity.TimelineKind.RECURRING))
        .order_by("sort_key")
        .values(
            "pk",
            "code",
            "text",
            "priority",
            "timeline_text",
            "timeline_kind",
            "start_year",
            "due_year",
            "recurrence_years",
        )
    )
    progress = {  # query 3: per activity, states done (completed or not applicable) and a range-wide completion
        row["activity_id"]: row
        for row in scope.cells(range_wide=True)
        .values("activity_id")
        .annotate(
            done=Count("pk", filter=Q(status__in=DONE, range_state__isnull=False)),
            wide_done=Count("pk", filter=Q(status=S.COMPLETED, range_state__isnull=True)),
            latest=Max("reporting_date"),
        )
        .order_by()
    }
    completed = ProgressEntry.objects.filter(
        activity__strategy=strategy,
        activity__timeline_kind=Activity.TimelineKind.RECURRING,
        review_state=APPROVED,
        status=S.COMPLETED,
    )
    if scope.as_of:
        completed = completed.filter(reporting_date__lte=scope.as_of)
    if scope.range_state:
        completed = completed.filter(Q(range_state=scope.range_state) | Q(range_state__isnull=True))
    last_completed = {  # query 4
        row["activity_id"]: row["last"]
        for row in completed.values("activity_id").annotate(last=Max("reporting_date")).order_by()
    }
    base = [
        Column("activity", "Activity", "activity"),
        Column("text", "Activity text"),
        Column("priority", "Priority", "int"),
        Column("timeline", "Timeline (source)"),
        Column("due_year", "Due year", "year"),
        Column("done", "Range States done", "int"),
        Column("states", "Range States", "int"),
        Column("latest", "Latest approved report", "date"),
    ]
    overdue = Table("overdue", f"Overdue: due before {year} and not complete", list(base))
    due_soon = Table("due", f"Due in {year} or {year + 1}", [*base, Column("complete", "Complete")])
    recurring = Table(
        "recurring",
        "Recurring activities against their last completed report",
        [
            Column("activity", "Activity", "activity"),
            Column("text", "Activity text"),
            Column("timeline", "Timeline (source)"),
            Column("every", "Every (years)", "int"),
            Column("last_completed", "Last completed report", "date"),
            Column("next_due", "Next report due by", "year"),
            Column("state", "Check"),
        ],
    )
    for activity in activities:
        row = progress.get(activity["pk"], {"done": 0, "wide_done": 0, "latest": None})
        complete = bool(row["wide_done"]) or (n_states > 0 and row["done"] >= n_states)
        values = [
            activity["code"],
            activity["text"],
            activity["priority"],
            activity["timeline_text"],
            activity["due_year"],
            row["done"],
            n_states,
            row["latest"],
        ]
        if activity["timeline_kind"] == Activity.TimelineKind.RECURRING:
            every = activity["recurrence_years"]
            last = last_completed.get(activity["pk"])
            if every is None:
                next_due, check = None, "No interval in the source"
            else:
                next_due = (
                    last.year if last else (activity["start_year"] or strategy.period_start or year)
                ) + every
                check = (
                    "Overdue" if next_due < year else ("Due this year" if next_due == year else "On schedule")
                )
            recurring.rows.append(
                [activity["code"], activity["text"], activity["timeline_text"], every, last, next_due, check]
            )
            recurring.row_classes.append("overdue" if check == "Overdue" else "")
        elif activity["due_year"] is not None and activity["due_year"] < year:
            if not complete:
                overdue.rows.append(values)
        elif activity["due_year"] is not None:
            due_soon.rows.append([*values, "Yes" if complete else "No"])
    return Report(
        title="Timeline and overdue activities",
        strategy=strategy,
        filters=scope.filter_labels(),
        tables=[overdue, due_soon, recurring],
        notes=[
            APPROVED_ONLY,
            f"The year checked is {year} ({'the year of the “as of” date' if scope.as_of else 'the current year'}).",
            "An activity is complete when a range-wide entry reports it completed, or when every Range State in "
            f"scope ({n_states}) reports it completed or not applicable. Activities whose timeline is TBD, ASAP "
            "or has no due year are not listed as overdue.",
            "A recurring activity's next report is due its interval after the year of its last approved "
            "“completed” entry; before any, its interval after the activity's start year (or the strategy's "
            "first year). “Regularly” gives no interval, so it cannot be late.",
        ],
        page={"year": year},
    )


# --- 4. budget ---------------------------------------------------------------------------------------------

COST = Activity.CostKind


def budget(scope: Scope) -> Report:
    """Estimated cost by theme / objective / result and per activity, TBD counted apart, per-country
    amounts multiplied by the Range States in scope, and the amounts reported as spent beside them.
    Five queries: Range States counted, results, costs per activity, spent per activity."""
    strategy = scope.strategy
    n_states = scope.state_count()  # query 1
    results = list(  # query 2
        Result.objects.filter(strategy=strategy)
        .select_related("objective__theme")
        .order_by("objective__number", "sort_key")
    )
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
        "Estimated cost and reported spending per activity",
        [
            Column("activity", "Activity", "activity"),
            Column("text", "Activity text"),
            Column("cost_text", "Cost (source text)"),
            Column("cost_kind", "Kind"),
            Column("amount", "Amount in the source (USD)", "usd"),
            Column("per_country", "Per country"),
            Column("estimate", "Estimated cost (USD)", "usd"),
            Column("spent", "Reported spent (USD)", "usd"),
            Column("spent_reports", "Cells reporting spending", "int"),
        ],
    )
    zero = Decimal(0)

    def blank():
        return {
            "activities": 0,
            "amount": 0,
            "tbd": 0,
            "na": 0,
            "whole": zero,
            "per_country": zero,
            "estimate": zero,
            "spent": zero,
            "spent_reports": 0,
        }

    by_result = defaultdict(blank)
    for a in activities:
        kind, amount = a["cost_kind"], a["cost_usd"]
        estimate = None
        node = by_result[a["result_id"]]
        node["activities"] += 1
        if kind == COST.AMOUNT and amount is not None:
            node["amount"] += 1
            if a["cost_per_country"]:
                estimate = amount * n_states
                node["per_country"] += estimate
            else:
                estimate = amount
                node["whole"] += estimate
            node["estimate"] += estimate
        elif kind == COST.NOT_APPLICABLE:
            node["na"] += 1
        else:
            node["tbd"] += 1
        row = spent.get(a["pk"], {"spent": None, "spent_reports": 0})
        node["spent"] += row["spent"] or zero
        node["spent_reports"] += row["spent_reports"]
        per_activity.rows.append(
            [
                a["code"],
                a["text"],
                a["cost_text"],
                dict(COST.choices)[kind],
                amount,
                "Yes" if a["cost_per_country"] else "No",
                estimate,
                row["spent"],
                row["spent_reports"],
            ]
        )

    rollup = Table(
        "rollup",
        "Estimated cost by theme, objective and result",
        [
            Column("level", "Level"),
            Column("code", "Code"),
            Column("title", "Title"),
            Column("activities", "Activities", "int"),
            Column("amount", "With an amount", "int"),
            Column("tbd", "Cost TBD", "int"),
            Column("na", "Cost not applicable", "int"),
            Column("whole", "Whole-strategy amounts (USD)", "usd"),
            Column("per_country", f"Per-country amounts × {n_states} (USD)", "usd"),
            Column("estimate", "Estimated total, TBD excluded (USD)", "usd"),
            Column("spent", "Reported spent (USD)", "usd"),
        ],
    )
    keys = ["activities", "amount", "tbd", "na", "whole", "per_country", "estimate", "spent"]

    def merge(into, node):
        for key in [*keys, "spent_reports"]:
            into[key] += node[key]

    themes, objectives, order = {}, {}, []
    total = blank()
    for result in results:
        objective, theme = result.objective, result.objective.theme
        tkey = theme.pk if theme else None
        if tkey not in themes:
            themes[tkey] = blank() | {
                "level": "theme",
                "code": f"Theme {theme.number}" if theme else "No theme",
                "title": theme.title if theme else "Objectives the source assigns to no theme",
            }
            order.append(themes[tkey])
        if objective.pk not in objectives:
            objectives[objective.pk] = blank() | {
                "level": "objective",
                "code": f"Objective {objective.number}",
                "title": objective.text,
            }
            order.append(objectives[objective.pk])
        node = by_result[result.pk] | {
            "level": "result",
            "code": f"Result {result.code}",
            "title": result.text,
        }
        order.append(node)
        merge(objectives[objective.pk], node)
        merge(themes[tkey], node)
        merge(total, node)
    total |= {"level": "total", "code": "", "title": "Whole strategy"}
    for node in [*order, total]:
        rollup.rows.append([node["level"].title(), node["code"], node["title"], *[node[k] for k in keys]])
        rollup.row_classes.append(f"level-{node['level']}")
    return Report(
        title="Budget overview",
        strategy=strategy,
        filters=scope.filter_labels(),
        tables=[rollup, per_activity],
        notes=[
            APPROVED_ONLY,
            "Estimated totals add up the amounts the strategy gives. Activities whose cost is “TBD” have no "
            "amount and are counted in their own column, never as zero: every total is therefore a lower bound "
            "while any TBD remains. “Not applicable” costs are counted apart too.",
            f"Amounts given “per country” are multiplied by the number of Range States in scope ({n_states}"
            f"{': the chosen state' if scope.range_state else ', every Range State of the strategy'}), assuming "
            "each of them carries the activity out. Whole-strategy amounts are not split between countries.",
            "Spent = the sum of “amount spent” of the latest approved entry per activity and Range State (and "
            "range-wide, unless one Range State is chosen), each taken as the cumulative amount spent so far; earlier entries are not added again, "
            "and entries that leave the amount empty add nothing.",
        ],
        page={"n_states": n_states, "total": total},
    )


# --- 5. CAMI Programme of Work crosswalk -------------------------------------------------------------------


def pow_crosswalk(scope: Scope) -> Report:
    """For each CAMI POW measure, the activities that implement it and their cells by status.
    Three queries: Range States counted, measure–activity links, cells per activity and status."""
    strategy = scope.strategy
    n_states = scope.state_count()  # query 1
    links = list(  # query 2
        Activity.cami_pow_measures.through.objects.filter(activity__strategy=strategy)
        .order_by("workprogrammemeasure__sort_key", "activity__sort_key")
        .values(
            "workprogrammemeasure__code",
            "workprogrammemeasure__title",
            "activity_id",
            "activity__code",
            "activity__text",
            "activity__priority",
        )
    )
    counts = _by(  # query 3
        scope.cells().values("activity_id", "status").annotate(n=Count("pk")).order_by(), "activity_id"
    )
    table = Table(
        "pow",
        "CAMI Programme of Work measures and the activities implementing them",
        [
            Column("measure", "POW measure"),
            Column("measure_title", "Measure (where the sources quote it)"),
            Column("activity", "Activity", "activity"),
            Column("text", "Activity text"),
            Column("priority", "Priority", "int"),
            Column("cells", "Cells", "int"),
            *status_columns(),
            Column("completion", "Completed share", "percent"),
        ],
    )
    measures = []
    for link in links:
        c = counts[link["activity_id"]]
        c.cells = n_states
        code = link["workprogrammemeasure__code"]
        if not measures or measures[-1]["code"] != code:
            measures.append({"code": code, "title": link["workprogrammemeasure__title"], "activities": []})
        measures[-1]["activities"].append(
            {"code": link["activity__code"], "text": link["activity__text"], "counts": c}
        )
        table.rows.append(
            [
                code,
                link["workprogrammemeasure__title"],
                link["activity__code"],
                link["activity__text"],
                link["activity__priority"],
                c.cells,
                *c.values(),
                c.completion,
            ]
        )
    return Report(
        title="CAMI Programme of Work crosswalk",
        strategy=strategy,
        filters=scope.filter_labels(),
        tables=[table],
        notes=[
            APPROVED_ONLY,
            CELL_RULE,
            "Ranges in the source's CAMI POW column (e.g. “4.1 – 4.15”) are expanded into the measures they span.",
        ],
        page={"measures": measures},
    )


# --- 6. national report ------------------------------------------------------------------------------------


def national_report(scope: Scope, reporting_round: ReportingRound) -> Report:
    """Every activity the round asks about, for one Range State: the approved entry chosen by the rule
    below, its narrative and its public evidence. Three queries: activities with the chosen entry's id,
    the entries, their public evidence."""
    strategy, state = scope.strategy, scope.range_state
    cutoff = min(reporting_round.deadline, scope.as_of) if scope.as_of else reporting_round.deadline
    candidates = (
        ProgressEntry.objects.filter(activity=OuterRef("pk"), range_state=state, review_state=APPROVED)
        .filter(Q(reporting_round=reporting_round) | Q(reporting_date__lte=cutoff))
        .annotate(
            in_round=Case(
                When(reporting_round=reporting_round, then=1), default=0, output_field=IntegerField()
            )
        )
        .order_by("-in_round", "-reporting_date", "-reviewed_at", "-pk")
    )
    activities = list(  # query 1
        Activity.objects.due_in_round(reporting_round)
        .select_related("result__objective__theme")
        .annotate(entry_id=Subquery(candidates.values("pk")[:1]))
        .order_by("sort_key")
    )
    entries = {  # query 2 (query 3: public evidence only — restricted evidence is never in a report)
        e.pk: e
        for e in ProgressEntry.objects.filter(
            pk__in=[a.entry_id for a in activities if a.entry_id]
        ).prefetch_related(_public_evidence())
    }
    table = Table(
        "national",
        f"{state.name}: {reporting_round.name}",
        [
            Column("activity", "Activity", "activity"),
            Column("text", "Activity text"),
            Column("objective", "Objective", "int"),
            Column("priority", "Priority", "int"),
            Column("status", "Status", "status"),
            Column("reporting_date", "Status as of", "date"),
            Column("basis", "Basis"),
            Column("narrative", "Narrative"),
            Column("source", "Source of the information"),
            Column("confidence", "Confidence"),
            Column("spent", "Amount spent (USD)", "usd"),
            Column("evidence", "Evidence (public)"),
        ],
    )
    sections, counts = [], StatusCounts(cells=len(activities))
    for activity in activities:
        entry = entries.get(activity.entry_id)
        objective = activity.result.objective
        if not sections or sections[-1]["objective"].pk != objective.pk:
            sections.append({"objective": objective, "items": []})
        basis = (
            "Not reported"
            if entry is None
            else (
                "Reported in this round"
                if entry.reporting_round_id == reporting_round.pk
                else "Carried forward"
            )
        )
        sections[-1]["items"].append({"activity": activity, "entry": entry, "basis": basis})
        if entry:
            counts.add(entry.status, 1)
        table.rows.append(
            [
                activity.code,
                activity.text,
                objective.number,
                activity.priority,
                entry.status if entry else NOT_REPORTED,
                entry.reporting_date if entry else None,
                basis,
                entry.narrative if entry else "",
                entry.source if entry else "",
                entry.get_confidence_display() if entry else "",
                entry.amount_spent_usd if entry else None,
                "; ".join(
                    f"{e.title or e.url or 'file'}{' <' + e.url + '>' if e.url else ' (file held by the Secretariat)'}"
                    for e in entry.public_evidence
                )
                if entry
                else "",
            ]
        )
    summary = Table(
        "summary",
        "Summary",
        [Column("status", "Status", "status"), Column("activities", "Activities", "int")],
        [[s, counts.count(s)] for s in STATUS_ORDER],
    )
    return Report(
        title=f"National report: {state.name}",
        strategy=strategy,
        filters=[
            ("Strategy", str(strategy)),
            ("Range State", state.name),
            (
                "Reporting round",
                f"{reporting_round.name} ({reporting_round.get_kind_display()}), deadline {reporting_round.deadline:%-d %B %Y}",
            ),
        ]
        + ([("Entries up to", f"{scope.as_of:%-d %B %Y}")] if scope.as_of else []),
        tables=[table, summary],
        notes=[
            APPROVED_ONLY,
            "Activities listed: those the round asks about — due by the round's year, already started, recurring "
            "or wanted as soon as possible. Activities whose timeline is TBD or that start later are not yet due.",
            f"For each activity: the latest approved entry of {state.name} filed in this round; if there is none, "
            f"the latest approved entry with a reporting date up to the round's deadline ({cutoff:%-d %B %Y}), marked "
            "“carried forward”; otherwise “not reported”. Restricted details and restricted evidence are never "
            "included.",
        ],
        page={"sections": sections, "counts": counts, "round": reporting_round, "state": state},
    )


def _public_evidence():
    from django.db.models import Prefetch

    return Prefetch(
        "evidence",
        queryset=Evidence.objects.filter(restricted=False).order_by("pk"),
        to_attr="public_evidence",
    )


# --- 7. actors ---------------------------------------------------------------------------------------------


def actor_view(scope: Scope) -> Report:
    """Per actor category and per actor: the activities it is named on and their cells by status.
    Five queries: Range States counted, activities per category, cells per category, the same per actor."""
    strategy = scope.strategy
    n_states = scope.state_count()  # query 1
    links = Activity.actors.through.objects.filter(activity__strategy=strategy)
    categories = dict(Actor.Category.choices)

    def tables_for(key, label_fields, title, first_columns):
        named = {  # activities each actor (category) is named on; DISTINCT: an activity may name two actors of one category
            tuple(row[f] for f in label_fields): row["n"]
            for row in links.values(*label_fields).annotate(n=Count("activity", distinct=True)).order_by()
        }
        cell_paths = [f"activity__actors__{f.removeprefix('actor__')}" for f in label_fields]
        counts = defaultdict(StatusCounts)
        for row in (  # a cell is counted once per actor (category), however many of its actors match
            scope.cells()
            .filter(activity__actors__isnull=False)
            .values(*cell_paths, "status")
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        ):
            counts[tuple(row[p] for p in cell_paths)].add(row["status"], row["n"])
        table = Table(
            key,
            title,
            [
                *first_columns,
                Column("activities", "Activities named on", "int"),
                Column("cells", "Cells", "int"),
                *status_columns(),
                Column("completion", "Completed share", "percent"),
            ],
        )
        chart = []
        for ident in sorted(
            named,
            key=lambda k: (categories.get(k[-1], k[-1]) if len(k) > 1 else categories.get(k[0], k[0]), k),
        ):
            c = counts[ident]
            c.cells = named[ident] * n_states
            labels = (
                [categories.get(ident[0], ident[0])]
                if len(ident) == 1
                else [ident[0], categories.get(ident[1], ident[1])]
            )
            table.rows.append([*labels, named[ident], c.cells, *c.values(), c.completion])
            chart.append({"label": labels[0], "activities": named[ident], "counts": c})
        return table, chart

    by_category, chart = tables_for(
        "categories", ["actor__category"], "By actor type", [Column("category", "Actor type")]
    )  # queries 2–3
    by_actor, _ = tables_for(
        "actors",
        ["actor__name", "actor__category"],
        "By actor",
        [Column("actor", "Actor"), Column("category", "Actor type")],
    )  # queries 4–5
    return Report(
        title="Actors: what each is named on, and how far it has got",
        strategy=strategy,
        filters=scope.filter_labels(),
        tables=[by_category, by_actor],
        notes=[
            APPROVED_ONLY,
            CELL_RULE,
            "An activity naming several actors counts for each of them (and once per actor type).",
        ],
        page={"chart": chart},
    )


# --- 8. meeting snapshots ----------------------------------------------------------------------------------


def snapshot_comparison(scope: Scope, before: MeetingSnapshot, after: MeetingSnapshot | None) -> Report:
    """Which cells changed status between a snapshot and another one (or today, or the as-of date), with the
    entries behind each change. Two queries."""
    after_source = Snapshot(after) if after else scope.source
    table = status_changes(scope, Snapshot(before), after_source, title="Changes")
    activities = len({row[0] for row in table.rows})
    return Report(
        title="Meeting snapshots",
        strategy=scope.strategy,
        filters=[
            ("Strategy", str(scope.strategy)),
            ("Range State", scope.range_state.name if scope.range_state else "All Range States"),
            ("From", Snapshot(before).label),
            ("To", after_source.label),
        ],
        tables=[table],
        notes=[
            APPROVED_ONLY,
            "A snapshot freezes the latest approved status of every activity and Range State when the Secretariat "
            "takes it. A change is a cell whose status differs between the two sides, including cells reported "
            "for the first time; the entry behind the newer status is quoted.",
        ],
        page={"changed_activities": activities},
    )


def snapshot_list(strategy):
    return list(
        MeetingSnapshot.objects.filter(strategy=strategy)
        .select_related("meeting")
        .annotate(cells=Count("statuses"))
        .order_by("-taken_at")
    )


# --- 9. reporting rate -------------------------------------------------------------------------------------


def reporting_rate(scope: Scope, *, reporting_round=None) -> Report:
    """Per reporting round and Range State: activities due, how many have an approved entry in the round,
    how many of those were first submitted by the deadline. Three queries: rounds with their due counts,
    Range States, entries counted per round and state."""
    strategy = scope.strategy
    rounds = ReportingRound.objects.filter(strategy=strategy)
    if reporting_round:
        rounds = rounds.filter(pk=reporting_round.pk)
    if scope.as_of:
        rounds = rounds.filter(deadline__lte=scope.as_of)
    # The same rule as Activity.objects.due_in_round, for every round at once.
    round_year = ExtractYear(OuterRef("deadline"))
    due = (
        Activity.objects.filter(strategy=OuterRef("strategy_id"))
        .filter(
            Q(due_year__lte=round_year)
            | Q(start_year__lte=round_year)
            | Q(timeline_kind__in=["recurring", "asap"])
        )
        .order_by()
        .values("strategy")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rounds = list(
        rounds.annotate(due=Subquery(due, output_field=IntegerField())).order_by("-deadline")
    )  # query 1
    states = (
        [scope.range_state] if scope.range_state else list(strategy.range_states.order_by("name"))
    )  # query 2
    entry_year = ExtractYear("reporting_round__deadline")
    counts = {  # query 3
        (row["reporting_round_id"], row["range_state_id"]): row
        for row in ProgressEntry.objects.filter(
            reporting_round__in=[r.pk for r in rounds], review_state=APPROVED, range_state__in=states
        )
        .filter(
            Q(activity__due_year__lte=entry_year)
            | Q(activity__start_year__lte=entry_year)
            | Q(activity__timeline_kind__in=["recurring", "asap"])
        )
        .values("reporting_round_id", "range_state_id")
        .annotate(
            reported=Count("activity", distinct=True),
            # On time: first submitted on or before the deadline day, in the site's time zone.
            on_time=Count(
                "activity",
                distinct=True,
                filter=Q(first_submitted_at__date__lte=F("reporting_round__deadline")),
            ),
        )
        .order_by()
    }
    table = Table(
        "rates",
        "Reporting rate per round and Range State",
        [
            Column("round", "Reporting round"),
            Column("deadline", "Deadline", "date"),
            Column("range_state", "Range State"),
            Column("due", "Activities due", "int"),
            Column("reported", "Reported (approved)", "int"),
            Column("on_time", "On time", "int"),
            Column("late", "Late", "int"),
            Column("not_reported", "Not reported", "int"),
            Column("rate", "Reported share", "percent"),
            Column("on_time_rate", "On-time share", "percent"),
        ],
    )
    for r in rounds:
        due_n = r.due or 0
        for state in states:
            row = counts.get((r.pk, state.pk), {"reported": 0, "on_time": 0})
            reported, on_time = row["reported"], row["on_time"]
            table.rows.append(
                [
                    r.name,
                    r.deadline,
                    state.name,
                    due_n,
                    reported,
                    on_time,
                    reported - on_time,
                    due_n - reported,
                    reported / due_n if due_n else None,
                    on_time / due_n if due_n else None,
                ]
            )
    return Report(
        title="Reporting rate",
        strategy=strategy,
        filters=scope.filter_labels()[:2]
        + ([("Rounds with a deadline up to", f"{scope.as_of:%-d %B %Y}")] if scope.as_of else [])
        + ([("Reporting round", reporting_round.name)] if reporting_round else []),
        tables=[table],
        notes=[
            APPROVED_ONLY,
            "Due: the activities a round asks about (due by the round's year, already started, recurring or wanted "
            "as soon as possible). Reported: due activities with an approved entry filed in the round for the state. "
            "On time: of those, the ones first submitted on or before the deadline day (a later correction does not "
            "make an entry late). Range-wide entries are not a state's report.",
        ],
        page={"rounds": rounds},
    )
