"""The theme → objective → result roll-up: results' totals summed up the logframe, written once for every
report that needs it (the dashboard's cells by status, the budget's costs)."""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from activities.models import Result

from .core import Column, Table

# The level of a row in the roll-up table, as its first column names it (the level itself is a CSS hook).
LEVEL_LABELS = {
    "theme": pgettext_lazy("logframe level", "Theme"),
    "objective": pgettext_lazy("logframe level", "Objective"),
    "result": pgettext_lazy("logframe level", "Result"),
    # Translators: the row adding up the whole strategy in a roll-up table.
    "total": pgettext_lazy("logframe level", "Total"),
}


@dataclass
class Node:
    """A theme, objective or result (or the whole strategy), with its `totals`: anything with `merge()`."""

    level: str  # theme, objective, result, total
    code: str
    title: str
    totals: object
    children: list["Node"] = field(default_factory=list)


def logframe_results(strategy) -> list[Result]:
    """The strategy's results with their objective and theme, in logframe order. One query."""
    return list(
        Result.objects.filter(strategy=strategy)
        .select_related("objective__theme")
        .order_by("objective__number", "sort_key")
    )


@dataclass
class Rollup:
    tree: list[Node]  # the themes, each with its objectives, each with its results
    total: Node  # the whole strategy
    table: Table  # every node, as the page's table and the exports list them


def logframe_rollup(results, totals_by_result: Mapping, new: Callable, *, title, columns, values) -> Rollup:
    """Themes → objectives → results, in the order of `results` (logframe_results), each node's totals the
    merge of its results' `totals_by_result` (`new()` for a result with none), and the whole strategy's;
    with the table "rollup": level, code and title, then `values(totals)` under `columns`. No query:
    bounded by the logframe (31 results for the Persian Leopard)."""
    tree, themes, objectives = [], {}, {}
    total = Node("total", "", _("Whole strategy"), new())
    for result in results:
        objective, theme = result.objective, result.objective.theme
        theme_key = theme.pk if theme else None
        if theme_key not in themes:
            themes[theme_key] = Node(
                "theme",
                _("Theme %(number)s") % {"number": theme.number} if theme else _("No theme"),
                theme.title if theme else _("Objectives the source assigns to no theme"),
                new(),
            )
            tree.append(themes[theme_key])
        if objective.pk not in objectives:
            objectives[objective.pk] = Node(
                "objective", _("Objective %(number)s") % {"number": objective.number}, objective.text, new()
            )
            themes[theme_key].children.append(objectives[objective.pk])
        totals = totals_by_result.get(result.pk) or new()
        code = _("Result %(code)s") % {"code": result.code}
        objectives[objective.pk].children.append(Node("result", code, result.text, totals))
        for node in (objectives[objective.pk], themes[theme_key], total):
            node.totals.merge(totals)
    fixed = [
        Column("level", pgettext("column", "Level")),
        Column("code", pgettext("column", "Code")),
        Column("title", pgettext("column", "Title")),
    ]
    table = Table("rollup", title, [*fixed, *columns])
    for node in [*walk(tree), total]:
        table.rows.append([str(LEVEL_LABELS[node.level]), node.code, node.title, *values(node.totals)])
        table.row_classes.append(f"level-{node.level}")
    return Rollup(tree, total, table)


def walk(tree: list[Node]) -> Iterator[Node]:
    """Every node of the tree, each followed by its children, as the page and the exports list them."""
    for node in tree:
        yield node
        yield from walk(node.children)
