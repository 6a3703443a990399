"""Actors: per actor type and per actor, the activities it is named on and how far they have got."""

from collections import defaultdict

from django.utils.translation import gettext as _

from activities.models import Activity, Actor

from .core import (
    APPROVED_ONLY,
    CELL_RULE,
    Column,
    Report,
    Scope,
    StatusCounts,
    Table,
    count_columns,
    count_values,
)


def actor_progress(scope: Scope) -> Report:
    """Per actor category and per actor: the activities it is named on and their cells by status (each
    activity once per category, however many of its actors belong to it). Three queries: the
    activity–actor links, Range States counted, cells per activity and status."""
    categories = {value: str(label) for value, label in Actor.Category.choices}
    links = list(  # query 1
        Activity.actors.through.objects.filter(activity__strategy=scope.strategy)
        .order_by()
        .values_list("activity_id", "actor__name", "actor__category")
    )
    cells = scope.activity_counts()  # queries 2 and 3
    by_category, by_actor = defaultdict(set), defaultdict(set)
    for activity, name, category in links:
        by_category[categories.get(category, category)].add(activity)
        by_actor[(name, categories.get(category, category))].add(activity)

    def summed(activities) -> StatusCounts:
        total = StatusCounts()
        for activity in activities:
            total.merge(cells[activity])
        return total

    category_table = Table(
        "categories",
        _("By actor type"),
        [Column("category", _("Actor type")), *count_columns(_("Activities named on"))],
    )
    chart = []
    for label in sorted(by_category):
        counts = summed(by_category[label])
        category_table.rows.append([label, *count_values(counts)])
        chart.append({"label": label, "activities": counts.activities, "counts": counts})
    actor_table = Table(
        "actors",
        _("By actor"),
        [
            Column("actor", _("Actor")),
            Column("category", _("Actor type")),
            *count_columns(_("Activities named on")),
        ],
    )
    for name, label in sorted(by_actor, key=lambda key: (key[1], key[0])):
        actor_table.rows.append([name, label, *count_values(summed(by_actor[(name, label)]))])
    return Report(
        title=_("Actors: what each is named on, and how far it has got"),
        strategy=scope.strategy,
        filters=scope.filter_labels(),
        tables=[category_table, actor_table],
        notes=[
            APPROVED_ONLY,
            CELL_RULE,
            _("An activity naming several actors counts for each of them (and once per actor type)."),
        ],
        page={"chart": chart},
    )
