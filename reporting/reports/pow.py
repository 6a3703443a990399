"""The CAMI Programme of Work crosswalk: each POW measure, the activities implementing it, their status."""

from django.utils.translation import gettext as _

from activities.models import Activity

from .core import APPROVED_ONLY, CELL_RULE, Column, Report, Scope, Table, status_columns


def pow_crosswalk(scope: Scope) -> Report:
    """For each CAMI POW measure, the activities that implement it and their cells by status.
    Three queries: measure–activity links, Range States counted, cells per activity and status."""
    strategy = scope.strategy
    links = list(  # query 1
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
    cells = scope.activity_counts()  # queries 2 and 3
    table = Table(
        "pow",
        _("CAMI Programme of Work measures and the activities implementing them"),
        [
            Column("measure", _("POW measure")),
            Column("measure_title", _("Measure (where the sources quote it)")),
            Column("activity", _("Activity"), "activity"),
            Column("text", _("Activity text")),
            Column("priority", _("Priority"), "int"),
            Column("cells", _("Cells"), "int"),
            *status_columns(),
            Column("completion", _("Completed share"), "percent"),
        ],
    )
    measures = []
    for link in links:
        counts = cells[link["activity_id"]]
        code = link["workprogrammemeasure__code"]
        if not measures or measures[-1]["code"] != code:
            measures.append({"code": code, "title": link["workprogrammemeasure__title"], "activities": []})
        measures[-1]["activities"].append(
            {"code": link["activity__code"], "text": link["activity__text"], "counts": counts}
        )
        table.rows.append(
            [
                code,
                link["workprogrammemeasure__title"],
                link["activity__code"],
                link["activity__text"],
                link["activity__priority"],
                counts.cells,
                *counts.values(),
                counts.completion,
            ]
        )
    return Report(
        title=_("CAMI Programme of Work crosswalk"),
        strategy=strategy,
        filters=scope.filter_labels(),
        tables=[table],
        notes=[
            APPROVED_ONLY,
            CELL_RULE,
            _(
                "Ranges in the source's CAMI POW column (e.g. “4.1 – 4.15”) are expanded into the measures "
                "they span."
            ),
        ],
        page={"measures": measures},
    )
