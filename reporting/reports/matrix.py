"""The Range State matrix: activities × Range States, each cell its latest approved status."""

from collections.abc import Sequence

from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _

from activities.models import Activity, ProgressEntry, cell_status

from .core import APPROVED_ONLY, NOT_REPORTED, STATUS_LABELS, Column, Report, Scope, Table


def range_state_matrix(scope: Scope, *, objective=None, priority=None, metapopulation=None) -> Report:
    """Activities × Range States (+ range-wide), each cell the latest approved status and its date; a state
    without a status of its own shows the range-wide one, marked as such (the cell rule of every count).
    Two queries, Range States and activities; the cells are read when the rows are (rows: MatrixRows),
    one query for the page's activities or for all of them."""
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
    columns = [*states, None]  # None: the range-wide column
    # labels in the language of the request that builds the report, whenever the rows are read
    confidence_labels = {value: str(label) for value, label in ProgressEntry.Confidence.choices}
    rows = MatrixRows(
        activities, lambda some: _rows(scope, strategy, states, columns, confidence_labels, some)
    )
    table = Table(
        "matrix",
        _("Latest approved status per activity and Range State"),
        [
            Column("activity", _("Activity"), "activity"),
            Column("text", _("Activity text")),
            Column("priority", _("Priority"), "int"),
        ]
        + [column for state in columns for column in _state_columns(state)],
        _ExportRows(rows),
    )
    filters = scope.filter_labels()
    if objective:
        filters.append((_("Objective"), _("Objective %(number)s") % {"number": objective.number}))
    if priority:
        filters.append((_("Priority"), dict(Activity.Priority.choices)[int(priority)]))
    if metapopulation:
        filters.append((_("Metapopulation"), metapopulation.name))
    return Report(
        title=_("Range State matrix"),
        strategy=strategy,
        filters=filters,
        tables=[table],
        notes=[
            APPROVED_ONLY,
            _(
                "Each cell shows the status of the latest approved entry for that activity and Range State, "
                "and the date that status refers to. The last column holds range-wide entries, which cover no "
                "single state."
            ),
            _(
                "A Range State without an approved entry of its own shows the activity's range-wide status, "
                "marked “range-wide”: that is how the dashboard and the other reports count it. A state's own "
                "report always decides its cell."
            ),
        ],
        page={"states": states, "rows": rows},
    )


def _rows(scope, strategy, states, columns, confidence_labels, activities) -> list[dict]:
    """The rows of `activities` (values() dicts), each with its cells: one query."""
    if not activities:
        return []
    cells = (
        scope.source.cells(strategy)
        .filter(activity__in=[a["pk"] for a in activities])
        .filter(Q(range_state__in=states) | Q(range_state__isnull=True))
        # the confidence of the entry behind each status, so a claim is weighed by its evidence
        .annotate(entry_confidence=F(scope.source.entry_path("confidence")))
        .values("activity_id", "range_state_id", "status", "reporting_date", "entry_confidence")
    )
    grid = {(c["activity_id"], c["range_state_id"]): c for c in cells}
    rows = []
    for activity in activities:
        wide = grid.get((activity["pk"], None))
        row_cells = []
        for state in columns:
            own = grid.get((activity["pk"], state.pk if state else None))
            cell = own if state is None else cell_status(own, wide)
            row_cells.append(
                {
                    "status": cell["status"],
                    "date": cell["reporting_date"],
                    "confidence": confidence_labels.get(cell["entry_confidence"], ""),
                }
                | ({"from_range_wide": True} if cell is not own else {})
                if cell
                else {"status": NOT_REPORTED, "date": None, "confidence": ""}
            )
        rows.append({"activity": activity, "cells": row_cells})
    return rows


class MatrixRows(Sequence):
    """The matrix's rows, their cells read when first needed: a slice (one page of the matrix page, as
    Paginator takes it) reads the cells of its own activities only, so the page does not grow with the
    strategy; iterating (the exports) reads every row's cells at once. Same rows either way."""

    def __init__(self, activities: list[dict], build):
        self._activities, self._all = activities, None
        language = translation.get_language()  # the language of the request that builds the report

        def in_language(some):
            with translation.override(language):
                return build(some)

        self._build = in_language

    def __len__(self) -> int:
        return len(self._activities)

    def _every_row(self) -> list[dict]:
        if self._all is None:
            self._all = self._build(self._activities)
        return self._all

    def __getitem__(self, index):
        if isinstance(index, slice) and self._all is None:
            return _Slice(self._build, self._activities[index])
        return self._every_row()[index]

    def __iter__(self):
        return iter(self._every_row())


class _Slice(Sequence):
    """Some of the matrix's rows, their cells read when first used: the page's paginator slices the rows
    in the view, and the cells are only needed when its cached tables are not there."""

    def __init__(self, build, activities: list[dict]):
        self._build, self._activities, self._rows = build, activities, None

    def __len__(self) -> int:
        return len(self._activities)

    def __getitem__(self, index):
        if self._rows is None:
            self._rows = self._build(self._activities)
        return self._rows[index]


class _ExportRows(Sequence):
    """The export table's rows (code, text, priority, then status, date, confidence per column), made
    from the matrix rows when an export reads them."""

    def __init__(self, rows: MatrixRows):
        self._rows, self._values, self._language = rows, None, translation.get_language()

    def _every_row(self) -> list[list]:
        if self._values is None:
            with translation.override(self._language):
                self._values = self._export_values()
        return self._values

    def _export_values(self) -> list[list]:
        return [
            [row["activity"]["code"], row["activity"]["text"], row["activity"]["priority"]]
            + [
                value
                for cell in row["cells"]
                for value in (_export_status(cell), cell["date"], cell["confidence"])
            ]
            for row in self._rows
        ]

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):
        return self._every_row()[index]

    def __iter__(self):
        return iter(self._every_row())


def _state_columns(state) -> tuple[Column, Column, Column]:
    """The three columns of one Range State (None: the range-wide column): status, date, confidence."""
    key = state.iso_code if state else "RW"
    if state is None:
        return (
            Column(f"{key}_status", _("Range-wide status"), "status"),
            Column(f"{key}_date", _("Range-wide reported on"), "date"),
            Column(f"{key}_confidence", _("Range-wide confidence")),
        )
    return (
        # Translators: a column heading of the matrix export: the status in one Range State, e.g. "Iran status".
        Column(f"{key}_status", _("%(state)s status") % {"state": state.name}, "status"),
        # Translators: a column heading of the matrix export: the date the state's status refers to.
        Column(f"{key}_date", _("%(state)s reported on") % {"state": state.name}, "date"),
        # Translators: a column heading of the matrix export: how well the state's status is supported.
        Column(f"{key}_confidence", _("%(state)s confidence") % {"state": state.name}),
    )


def _export_status(cell) -> str:
    """A status code for the exports to write as its label; a status taken from the range-wide entry says so."""
    if cell.get("from_range_wide"):
        return _("%(status)s (range-wide)") % {"status": STATUS_LABELS[cell["status"]]}
    return cell["status"]
