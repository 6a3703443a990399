"""Reading the sheets of an uploaded file, row by row, into a ParsedLogframe with its problems."""

from django.utils.translation import gettext as _

from ..models import Actor
from ..parsing import code_sort_key
from ..seeding.checking import clean_text, plan_activity
from .cells import Problem, SheetReader, _check_headers, _check_text, cell_text, json_value
from .layout import (
    ACTIVITY_RE,
    ACTORS_SHEET,
    EXTRA_HEADERS,
    HEADERS,
    LOGFRAME_SHEET,
    OBJECTIVE_RE,
    RESULT_RE,
    SOURCE_HEADERS,
    STRATEGY_FIELDS,
    STRATEGY_SHEET,
    THEME_RE,
    YES,
)


def _read_strategy(parsed, rows) -> None:
    if rows is None:
        parsed.problems.append(
            Problem(
                STRATEGY_SHEET,
                None,
                "",
                _("The workbook has no sheet named “%(sheet)s”.") % {"sheet": STRATEGY_SHEET},
            )
        )
        return
    labels = {label.casefold(): name for name, label in STRATEGY_FIELDS}
    for number, row in rows[1:]:
        label, value = [*row, None, None][:2]
        if label in (None, "") and value in (None, ""):
            continue
        name = labels.get(cell_text(label).casefold())
        if name is None:
            parsed.problems.append(
                Problem(
                    STRATEGY_SHEET,
                    number,
                    "Field",
                    _("Unknown field “%(field)s”; the fields are: %(fields)s.")
                    % {"field": cell_text(label), "fields": ", ".join(lab for _n, lab in STRATEGY_FIELDS)},
                )
            )
            continue
        if not _check_text(parsed.problems, STRATEGY_SHEET, number, "Value", value):
            continue
        if name in ("period_start", "period_end"):
            text = cell_text(value)
            if text and not text.isdigit():
                parsed.problems.append(
                    Problem(STRATEGY_SHEET, number, "Value", _("A year is a whole number, such as 2023."))
                )
                continue
            parsed.strategy[name] = int(text) if text else None
        else:
            parsed.strategy[name] = cell_text(value)
    start, end = parsed.strategy.get("period_start"), parsed.strategy.get("period_end")
    if start and end and start > end:
        parsed.problems.append(
            Problem(STRATEGY_SHEET, None, "Period end", _("The period ends before it starts."))
        )
    for name, label in STRATEGY_FIELDS[:3]:
        if not parsed.strategy.get(name):
            parsed.problems.append(
                Problem(
                    STRATEGY_SHEET, None, "Field", _("The field “%(field)s” is required.") % {"field": label}
                )
            )


def _read_vocabulary(parsed, rows, sheet, headers) -> None:
    if not rows:
        return
    _check_headers(parsed.problems, sheet, rows[0][1], headers)
    target = parsed.actors if sheet == ACTORS_SHEET else parsed.measures
    for number, row in rows[1:]:
        cells = (list(row) + [None] * len(headers))[: len(headers)]
        if all(v in (None, "") for v in cells):
            continue
        if not all(
            _check_text(parsed.problems, sheet, number, h, v) for h, v in zip(headers, cells, strict=True)
        ):
            continue
        values = [cell_text(v) for v in cells]
        key = values[0]
        if not key:
            parsed.problems.append(Problem(sheet, number, headers[0], _("This cell is required.")))
            continue
        if key in target:
            parsed.problems.append(
                Problem(sheet, number, headers[0], _("“%(key)s” appears twice in this sheet.") % {"key": key})
            )
            continue
        if sheet == ACTORS_SHEET:
            if values[2] not in Actor.Category.values:
                parsed.problems.append(
                    Problem(
                        sheet,
                        number,
                        "Category",
                        _("The category must be one of: %(categories)s.")
                        % {"categories": ", ".join(Actor.Category.values)},
                    )
                )
                continue
            target[key] = {"name": values[1], "category": values[2], "description": values[3]}
        else:
            target[key] = {"title": values[1]}


def _read_rows(parsed, rows) -> None:
    problems = parsed.problems
    found = _check_headers(problems, LOGFRAME_SHEET, rows[0][1], SOURCE_HEADERS, optional_tail=EXTRA_HEADERS)
    if problems and any(p.row == 1 and p.sheet == LOGFRAME_SHEET for p in problems):
        return  # with the columns in doubt, every row's errors would mislead
    present = set(found)
    parsed.kept_columns = [h for h in EXTRA_HEADERS if h.casefold() not in {f.casefold() for f in present}]
    reader = SheetReader(problems)
    theme = objective = result = None
    known_actors = set(Actor.objects.values_list("slug", flat=True)) | set(parsed.actors)
    for number, row in rows[1:]:
        cells = (list(row) + [None] * len(HEADERS))[: len(HEADERS)]
        if len(row) > len(found) and any(v not in (None, "") for v in row[len(found) :]):
            problems.append(
                Problem(LOGFRAME_SHEET, number, "", _("This row has cells beyond the last column."))
            )
            continue
        if all(v in (None, "") for v in cells):
            continue
        if not all(
            _check_text(problems, LOGFRAME_SHEET, number, h, v) for h, v in zip(HEADERS, cells, strict=True)
        ):
            continue
        values = dict(zip(HEADERS, cells, strict=True))
        first = cell_text(values["Result"])
        rest = [v for h, v in values.items() if h != "Result" and v not in (None, "")]
        if first and not rest:
            if m := THEME_RE.match(first):
                key = m.group(1)
                if key in parsed.themes:
                    problems.append(
                        Problem(
                            LOGFRAME_SHEET,
                            number,
                            "Result",
                            _("Theme %(number)s appears twice.") % {"number": key},
                        )
                    )
                parsed.themes[key] = {"title": clean_text(m.group(2))}
                parsed.rows[f"theme:{key}"] = number
                theme, objective, result = key, None, None
                continue
            if m := OBJECTIVE_RE.match(first):
                key = m.group(1)
                if key in parsed.objectives:
                    problems.append(
                        Problem(
                            LOGFRAME_SHEET,
                            number,
                            "Result",
                            _("Objective %(number)s appears twice.") % {"number": key},
                        )
                    )
                parsed.objectives[key] = {"theme": theme, "text": clean_text(m.group(2))}
                parsed.rows[f"objective:{key}"] = number
                objective, result = key, None
                continue
        if first:
            m = RESULT_RE.match(first)
            if not m:
                problems.append(
                    Problem(
                        LOGFRAME_SHEET,
                        number,
                        "Result",
                        _("Expected “Theme N: …”, “Objective N: …” or “Result N.N …”, found “%(text)s”.")
                        % {"text": first[:60]},
                    )
                )
                result = None
                continue
            code = m.group(1)
            if objective is None:
                problems.append(
                    Problem(
                        LOGFRAME_SHEET,
                        number,
                        "Result",
                        _("Result %(code)s comes before any objective row.") % {"code": code},
                    )
                )
                result = None
                continue
            if not code.startswith(f"{objective}."):
                problems.append(
                    Problem(
                        LOGFRAME_SHEET,
                        number,
                        "Result",
                        _("Result %(code)s does not belong to Objective %(number)s.")
                        % {"code": code, "number": objective},
                    )
                )
                result = None
                continue
            if code in parsed.results:
                problems.append(
                    Problem(
                        LOGFRAME_SHEET, number, "Result", _("Result %(code)s appears twice.") % {"code": code}
                    )
                )
            parsed.results[code] = {"objective": objective, "text": clean_text(m.group(2))}
            parsed.rows[f"result:{code}"] = number
            result = code
        if not rest:
            continue
        activity_cell = cell_text(values["Activity"])
        m = ACTIVITY_RE.match(activity_cell)
        if not m:
            problems.append(
                Problem(
                    LOGFRAME_SHEET,
                    number,
                    "Activity",
                    _("Expected “Activity N.N.N …”, found “%(text)s”.") % {"text": activity_cell[:60]},
                )
            )
            continue
        code = m.group(1)
        if result is None:
            problems.append(
                Problem(
                    LOGFRAME_SHEET,
                    number,
                    "Activity",
                    _("Activity %(code)s comes before any result.") % {"code": code},
                )
            )
            continue
        if code in parsed.activities:
            problems.append(
                Problem(
                    LOGFRAME_SHEET,
                    number,
                    "Activity",
                    _("Activity %(code)s appears twice (first on row %(row)s).")
                    % {"code": code, "row": parsed.rows[f"activity:{code}"]},
                )
            )
            continue
        _read_activity(parsed, reader, number, values, code, clean_text(m.group(2)), result, known_actors)


def _read_activity(parsed, reader, number, values, code, text, result, known_actors) -> None:
    problems = parsed.problems
    priority = values["Priority"]
    if isinstance(priority, bool):  # TRUE would pass for 1
        priority = str(priority).upper()
    elif isinstance(priority, float) and priority.is_integer():
        priority = int(priority)
    elif isinstance(priority, str):
        priority = int(priority.strip()) if priority.strip().isdigit() else (priority.strip() or None)
    pow_cell = values["CAMI POW"]
    if isinstance(pow_cell, int | float):
        # "19.10" typed as a number is 19.1: the cell must hold text, as the source's does.
        problems.append(
            Problem(
                LOGFRAME_SHEET,
                number,
                "CAMI POW",
                _(
                    "The CAMI POW cell holds a number (%(value)s); enter it as text, e.g. 19.10, so that no digit is lost."
                )
                % {"value": pow_cell},
            )
        )
        return
    reading = cell_text(values["CAMI POW reading"])
    raw = {
        "code": code,
        "text": text,
        "actors_text": values["Actor"],
        "indicator": values["Indicator"],
        "timeline": values["Timeline"],
        "cost": values["Cost (USD)"],
        "cami_pow": pow_cell,
        "priority": priority,
        "source_note": values["Source note"],
    }
    raw = {
        k: (cell_text(v) if isinstance(v, str | float | int) and k != "priority" else v)
        for k, v in raw.items()
    }
    if reading:
        raw["cami_pow_measures"] = [item for item in (s.strip() for s in reading.split(",")) if item]
    merged = cell_text(values["Actor cell merged with the row above"]).casefold()
    if merged not in ("", YES):
        problems.append(
            Problem(
                LOGFRAME_SHEET,
                number,
                "Actor cell merged with the row above",
                _("Write “%(yes)s” or leave the cell empty.") % {"yes": YES},
            )
        )
        return
    raw["actors_continued"] = merged == YES
    reader.row = number
    plan = plan_activity(reader, raw, f"row {number}", result)
    if plan is None:
        return
    slugs = [s for s in (p.strip() for p in cell_text(values["Actors (normalised)"]).split(",")) if s]
    unknown = [s for s in slugs if s not in known_actors]
    if unknown:
        problems.append(
            Problem(
                LOGFRAME_SHEET,
                number,
                "Actors (normalised)",
                _("Unknown actor(s) %(slugs)s: add them to the “%(sheet)s” sheet.")
                % {"slugs": ", ".join(unknown), "sheet": ACTORS_SHEET},
            )
        )
        return
    parsed.activities[code] = {
        "result": result,
        **{k: json_value(v) for k, v in plan.values.items()},
        "actors": sorted(set(slugs)),
        "measures": sorted(set(plan.measure_codes), key=code_sort_key),
    }
    parsed.rows[f"activity:{code}"] = number
