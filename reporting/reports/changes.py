"""Cells whose status differs between two status sources: the dashboard's "changed since" and the meeting
snapshots' comparison."""

from django.db.models import F, Q
from django.utils.translation import gettext as _

from .core import NOT_REPORTED, RANGE_WIDE, Column, Scope, StatusSource, Table


def status_changes(scope: Scope, before: StatusSource, after: StatusSource, *, title: str) -> Table:
    """Cells whose status differs between two sources, with the entry behind each side. Range-wide cells are
    rows of their own: a change is a change in what was reported, and where. Two queries: cells of `after`
    with the matching `before` status looked up in a correlated subquery (new or changed), and cells of
    `before` that `after` no longer has."""
    columns = [
        Column("activity", _("Activity"), "activity"),
        Column("activity_text", _("Activity text")),
        Column("range_state", _("Range State")),
        Column("before", before.status_heading, "status"),
        # Translators: the date the earlier of two compared statuses refers to.
        Column("before_date", _("Reported on (before)"), "date"),
        Column("after", after.status_heading, "status"),
        # Translators: the date the later of two compared statuses refers to.
        Column("after_date", _("Reported on (after)"), "date"),
        Column("narrative", _("Narrative of the entry behind the change")),
    ]
    fields = ["activity__code", "activity__sort_key", "activity__text", "range_state__name"]
    changed = (
        scope.restrict(after.cells(scope.strategy))
        .annotate(before_status=before.pair("status"), before_date=before.pair("reporting_date"))
        .filter(Q(before_status__isnull=True) | ~Q(before_status=F("status")))
        .values(
            *fields,
            "before_status",
            "before_date",
            "status",
            "reporting_date",
            entry_narrative=F(after.entry_path("narrative")),
        )
    )
    gone = (
        scope.restrict(before.cells(scope.strategy))
        .annotate(after_status=after.pair("status"))
        .filter(after_status__isnull=True)
        .values(*fields, "status", "reporting_date")
    )

    def row(r, before_status, before_date, after_status, after_date, narrative):
        where = r["range_state__name"]
        values = [r["activity__code"], r["activity__text"], where or str(RANGE_WIDE)]
        return (
            r["activity__sort_key"],
            where or "",
            [*values, before_status, before_date, after_status, after_date, narrative],
        )

    rows = [
        row(
            r,
            r["before_status"] or NOT_REPORTED,
            r["before_date"],
            r["status"],
            r["reporting_date"],
            r["entry_narrative"],
        )
        for r in changed
    ] + [row(r, r["status"], r["reporting_date"], NOT_REPORTED, None, "") for r in gone]
    rows.sort(key=lambda r: (r[0], r[1]))
    return Table("changes", title, columns, [r[2] for r in rows])
