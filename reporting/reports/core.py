"""What every report is made of: plain-data tables, the scope a report is asked for, and the sources of
"the latest approved status" per activity and Range State.

Every number counts **approved** progress only. The latest approved status of an activity in a Range State
(or range-wide) comes from one of three sources, all read the same way (`StatusSource`):

- today: `ActivityStateStatus`, the row the approval service keeps pointing at the latest approved entry;
- as of a date: the latest approved entry whose reporting date is on or before that date, found with an
  indexed, correlated subquery per (activity, Range State) pair — not a window over the whole history,
  which would sort every entry of the strategy (a million, later) to keep about a thousand;
- a meeting snapshot: its frozen `SnapshotStatus` rows.

Aggregation happens in the database (GROUP BY with conditional counts). The little Python in the reports
only folds already-aggregated rows (one per activity, result, priority or actor: bounded by the logframe,
never by the number of entries) and lays them out for the page.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Case, Count, Max, OuterRef, Q, Subquery, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.models import (
    ActivityStateStatus,
    MeetingSnapshot,
    ProgressEntry,
    RangeState,
    SnapshotStatus,
    Strategy,
    cells_all_done,
    cells_by_status,
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
# Lazy labels: each is translated when a page or an export reads it, in that request's language.
STATUS_LABELS = {**{value: label for value, label in S.choices}, NOT_REPORTED: _("Not reported")}
# Translators: where a status was reported for the whole range of the species, not for one Range State.
RANGE_WIDE = _("Range-wide")

APPROVED_ONLY = _(
    "Only approved progress counts: drafts, entries awaiting review and entries returned for changes are "
    "left out."
)
CELL_RULE = _(
    "Each activity is counted once per Range State in scope (an “activity × Range State” cell). A cell has the "
    "status of the latest approved entry for that state; where the state has none, the activity's latest "
    "approved range-wide status stands for it; a cell with neither is “not reported”. A state's own report "
    "always decides its cell: a range-wide entry never overrides it."
)
COMPLETION_RULE = _(
    "Completed share = completed cells ÷ all cells, leaving out cells reported “not applicable”."
)


def long_date(value: datetime.date) -> str:
    """A date as '1 March 2024', with the month named in the active language."""
    return date_format(value, "j E Y")


# --- plain data --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a report table. `kind` decides formatting on the page and the cell type in exports:
    text, int, usd (Decimal), percent (a share 0–1), date, year (int), status (a status code), activity (code)."""

    key: str
    label: str
    kind: str = "text"

    def __post_init__(self):
        # Labels may be lazy translations: fix them in the language of the request that builds the report.
        object.__setattr__(self, "label", str(self.label))


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    # Per row, a CSS hook for the page (e.g. "level-theme"); never exported.
    row_classes: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.title = str(self.title)


@dataclass
class Report:
    title: str
    strategy: Strategy
    filters: list[tuple[str, str]]  # (label, value) of the filters applied, for the page header and exports
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    page: dict = field(default_factory=dict)  # what only the HTML page draws (charts, grids, sections)

    def __post_init__(self):
        # The title, filters and notes may be lazy translations; the exports write plain text, in the
        # language of the request that builds the report.
        self.title = str(self.title)
        self.filters = [(str(label), str(value)) for label, value in self.filters]
        self.notes = [str(note) for note in self.notes]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


@dataclass
class StatusCounts:
    """Activities and their cells by status for one node (an activity, a result, a theme, a priority, an
    actor…); `cells` includes the not-reported ones."""

    activities: int = 0
    cells: int = 0
    by_status: dict = field(default_factory=dict)

    def add(self, status: str, n: int) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + n

    def merge(self, other: "StatusCounts") -> None:
        self.activities += other.activities
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
    def is_complete(self) -> bool:
        """Every cell completed or not applicable (activities.models.cells_all_done)."""
        return cells_all_done(self.by_status, self.cells)

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


@dataclass
class ActivityCells(StatusCounts):
    """One activity's cells in scope by status, with its range-wide status (None: none) and the reporting
    date of its latest approved status in scope, range-wide included (None: none)."""

    range_wide: str | None = None
    latest: datetime.date | None = None


def status_columns() -> list[Column]:
    return [Column(status, STATUS_LABELS[status], "int") for status in STATUS_ORDER]


def count_columns(activities_label: str | None = None) -> list[Column]:
    """Activities, cells, cells per status and the completed share: the columns of every status count."""
    return [
        Column("activities", activities_label or _("Activities"), "int"),
        # Translators: a column counting "activity × Range State" cells (one activity in one Range State).
        Column("cells", _("Cells"), "int"),
        *status_columns(),
        Column("completion", _("Completed share"), "percent"),
    ]


def count_values(counts: StatusCounts) -> list:
    """A row's values for `count_columns()`."""
    return [counts.activities, counts.cells, *counts.values(), counts.completion]


# --- sources -----------------------------------------------------------------------------------------------


def _pair(queryset, field_name):
    """The first row of `queryset` (already filtered on activity=OuterRef("activity_id") and ordered) for the
    outer row's Range State. Range-wide rows have none, and NULL never equals NULL in SQL, so they are
    matched by their own subquery."""
    wide = queryset.filter(range_state__isnull=True).values(field_name)[:1]
    state = queryset.filter(range_state=OuterRef("range_state_id")).values(field_name)[:1]
    return Case(When(range_state__isnull=True, then=Subquery(wide)), default=Subquery(state))


class StatusSource:
    """Where "the latest approved status" per (activity, Range State) is read from. `label` says when the
    status is from, as a phrase of its own ("today", "as of 1 March 2024"); `status_heading` heads a column
    of its statuses ("Status today")."""

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

    @property
    def label(self) -> str:
        raise NotImplementedError

    @property
    def status_heading(self) -> str:
        raise NotImplementedError


class Current(StatusSource):
    @property
    def label(self) -> str:
        # Translators: when a status is from, e.g. in "From: today".
        return gettext("today")

    @property
    def status_heading(self) -> str:
        return gettext("Status today")

    def cells(self, strategy):
        return ActivityStateStatus.objects.filter(activity__strategy=strategy)

    def pair(self, field_name):
        return _pair(ActivityStateStatus.objects.filter(activity=OuterRef("activity_id")), field_name)


class AsOf(StatusSource):
    entry_prefix = ""

    def __init__(self, date: datetime.date):
        self.date = date

    @property
    def label(self) -> str:
        # Translators: when a status is from, e.g. in "From: as of 1 March 2024".
        return gettext("as of %(date)s") % {"date": long_date(self.date)}

    @property
    def status_heading(self) -> str:
        return gettext("Status as of %(date)s") % {"date": long_date(self.date)}

    def _entries(self):
        # "The latest" is ordered as the approval service orders it (ProgressEntryQuerySet.latest_first).
        return (
            ProgressEntry.objects.approved()
            .filter(activity=OuterRef("activity_id"), reporting_date__lte=self.date)
            .latest_first()
        )

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
    def __init__(self, snapshot: MeetingSnapshot):
        self.snapshot = snapshot

    @property
    def label(self) -> str:
        # Translators: when a status is from: a meeting snapshot, e.g. "From: as presented to CAMI-TW".
        return gettext("as presented to %(meeting)s") % {"meeting": self.snapshot.meeting}

    @property
    def status_heading(self) -> str:
        return gettext("Status as presented to %(meeting)s") % {"meeting": self.snapshot.meeting}

    def cells(self, strategy):
        return SnapshotStatus.objects.filter(snapshot=self.snapshot)

    def pair(self, field_name):
        return _pair(
            SnapshotStatus.objects.filter(snapshot=self.snapshot, activity=OuterRef("activity_id")),
            field_name,
        )


def grouped_cells(cells):
    """Cells (of any source) grouped by activity and status, as fold_activity_cells reads them."""
    return (
        cells.values("activity_id", "status")
        .annotate(
            own=Count("pk", filter=Q(range_state__isnull=False)),
            wide=Count("pk", filter=Q(range_state__isnull=True)),
            latest=Max("reporting_date"),
        )
        .order_by()
    )


def fold_activity_cells(rows, n_states_of) -> dict[int, ActivityCells]:
    """Fold rows grouped by activity and status (`activity_id`, `status`, `own`: how many Range States have
    it, `wide`: whether it is the range-wide one, `latest`: the latest reporting date) into each activity's
    cells under the one cell rule (cells_by_status); `n_states_of(activity_id)` says how many Range States
    the activity's cells span. Activities without a row read as all cells not reported."""
    own, wide, latest = defaultdict(dict), {}, {}
    for row in rows:
        activity = row["activity_id"]
        if row["own"]:
            own[activity][row["status"]] = row["own"]
        if row["wide"]:
            wide[activity] = row["status"]
        latest[activity] = max(filter(None, [latest.get(activity), row["latest"]]))
    counts = _AllNotReported(n_states_of)
    for activity in latest:
        n = n_states_of(activity)
        counts[activity] = ActivityCells(
            activities=1,
            cells=n,
            by_status=cells_by_status(own[activity], wide.get(activity), n),
            range_wide=wide.get(activity),
            latest=latest[activity],
        )
    return counts


class _AllNotReported(dict):
    """Activity id → ActivityCells; an activity without any status reads as all its cells not reported."""

    def __init__(self, n_states_of):
        super().__init__()
        self.n_states_of = n_states_of

    def __missing__(self, activity):
        self[activity] = cells = ActivityCells(activities=1, cells=self.n_states_of(activity))
        return cells


# --- scope -------------------------------------------------------------------------------------------------


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

    @cached_property
    def n_states(self) -> int:
        """How many Range States the cells span: one when a state is chosen (no query), else the strategy's
        (one query, asked once per scope)."""
        return 1 if self.range_state else self.strategy.range_states.count()

    def restrict(self, cells):
        """Cells of the chosen Range State (if any) and range-wide ones."""
        if self.range_state:
            return cells.filter(Q(range_state=self.range_state) | Q(range_state__isnull=True))
        return cells

    def cells(self, *, range_wide: bool = False):
        """The scope's cells: those of the chosen state (or every state), plus range-wide ones if asked."""
        cells = self.restrict(self.source.cells(self.strategy))
        return cells if range_wide else cells.filter(range_state__isnull=False)

    def activity_counts(self) -> dict[int, ActivityCells]:
        """Per activity of the strategy, its cells in scope by status under the one cell rule (CELL_RULE,
        applied by activities.models.cells_by_status): a state's own latest approved status, or else the
        activity's range-wide one. One query, grouped by activity and status (and the count of Range
        States, once per scope); an activity without any status reads as all cells not reported."""
        n = self.n_states
        return fold_activity_cells(grouped_cells(self.cells(range_wide=True)), lambda activity: n)

    def filter_labels(self) -> list[tuple[str, str]]:
        return [
            (gettext("Strategy"), str(self.strategy)),
            (
                gettext("Range State"),
                self.range_state.name if self.range_state else gettext("All Range States"),
            ),
            (
                gettext("Status as of"),
                long_date(self.as_of) if self.as_of else gettext("Today (latest approved)"),
            ),
        ]
