"""Writing a strategy's logframe to XLSX."""

from openpyxl import Workbook

from ..exporting import xlsx_append, xlsx_bytes
from ..models import Activity, Actor, Objective, Result, Theme, WorkProgrammeMeasure
from ..parsing import code_sort_key, parse_pow
from .layout import (
    ACTOR_HEADERS,
    ACTORS_SHEET,
    HEADERS,
    LOGFRAME_SHEET,
    MEASURE_HEADERS,
    MEASURES_SHEET,
    STRATEGY_FIELDS,
    STRATEGY_SHEET,
    YES,
)


def pow_reading(activity) -> str:
    """The CAMI POW reading column: empty when the cell reads as the measures linked, else those codes."""
    linked = sorted((m.code for m in activity.cami_pow_measures.all()), key=code_sort_key)
    try:
        if sorted(parse_pow(activity.cami_pow_text), key=code_sort_key) == linked:
            return ""
    except ValueError:
        pass
    return ", ".join(linked)


def logframe_workbook(strategy) -> bytes:
    """The strategy's logframe as XLSX bytes. Everything in it is on the public strategy page."""
    activities = (
        Activity.objects.filter(strategy=strategy)
        .order_by("sort_key")
        .prefetch_related("actors", "cami_pow_measures")
    )
    by_result: dict[int, list] = {}
    for activity in activities:
        by_result.setdefault(activity.result_id, []).append(activity)
    results: dict[int, list] = {}
    for result in Result.objects.filter(strategy=strategy).order_by("sort_key"):
        results.setdefault(result.objective_id, []).append(result)
    objectives = list(Objective.objects.filter(strategy=strategy).order_by("number"))
    themes = list(Theme.objects.filter(strategy=strategy).order_by("number"))

    book = Workbook()
    sheet = book.active
    sheet.title = LOGFRAME_SHEET
    xlsx_append(sheet, HEADERS)

    def write_objective(objective):
        xlsx_append(sheet, [f"Objective {objective.number}: {objective.text}"])
        for result in results.get(objective.pk, []):
            label = f"Result {result.code} {result.text}"
            rows = by_result.get(result.pk, [])
            if not rows:
                xlsx_append(sheet, [label])
            for i, a in enumerate(rows):
                xlsx_append(
                    sheet,
                    [
                        label if i == 0 else None,
                        f"Activity {a.code} {a.text}",
                        a.actors_text,
                        a.indicator,
                        a.timeline_text,
                        a.cost_text,
                        a.cami_pow_text,
                        a.priority,
                        ", ".join(sorted(actor.slug for actor in a.actors.all())),
                        YES if a.actors_continued else "",
                        pow_reading(a),
                        a.source_note,
                    ],
                )

    # Objectives the source puts under no theme come first, before any theme row claims them.
    for objective in objectives:
        if objective.theme_id is None:
            write_objective(objective)
    for theme in themes:
        xlsx_append(sheet, [f"Theme {theme.number}: {theme.title}"])
        for objective in objectives:
            if objective.theme_id == theme.pk:
                write_objective(objective)

    info = book.create_sheet(STRATEGY_SHEET)
    xlsx_append(info, ["Field", "Value"])
    for name, label in STRATEGY_FIELDS:
        xlsx_append(info, [label, getattr(strategy, name)])

    used = set(
        Activity.actors.through.objects.filter(activity__strategy=strategy).values_list("actor_id", flat=True)
    )
    actors = book.create_sheet(ACTORS_SHEET)
    xlsx_append(actors, ACTOR_HEADERS)
    for actor in Actor.objects.filter(pk__in=used).order_by("slug"):
        xlsx_append(actors, [actor.slug, actor.name, actor.category, actor.description])
    measures = book.create_sheet(MEASURES_SHEET)
    xlsx_append(measures, MEASURE_HEADERS)
    measure_ids = Activity.cami_pow_measures.through.objects.filter(activity__strategy=strategy).values(
        "workprogrammemeasure_id"
    )
    for measure in WorkProgrammeMeasure.objects.filter(pk__in=measure_ids).order_by("sort_key"):
        xlsx_append(measures, [measure.code, measure.title])
    return xlsx_bytes(book)
