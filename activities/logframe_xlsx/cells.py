"""What reading an uploaded file yields (problems, the parsed data) and the checks every cell goes through."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..seeding.checking import Reader, clean_text
from ..validators import refuse_control_characters
from .layout import COLUMN_OF_FIELD, LOGFRAME_SHEET


@dataclass
class Problem:
    sheet: str
    row: int | None  # the sheet's row number, as the spreadsheet program shows it
    column: str  # the column's header
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": str(self.message)}


class SheetReader(Reader):
    """The seed's Reader, locating each problem at a sheet row and the column of the field it concerns."""

    def __init__(self, problems: list[Problem]):
        super().__init__(LOGFRAME_SHEET)
        self.sink = problems
        self.row = None

    def problem(self, where: str, message: str, *, field: str | None = None) -> None:
        self.sink.append(Problem(LOGFRAME_SHEET, self.row, COLUMN_OF_FIELD.get(field, "Activity"), message))


@dataclass
class ParsedLogframe:
    """What a file holds, as plain JSON-able data, keyed by natural keys."""

    strategy: dict = field(default_factory=dict)
    themes: dict = field(default_factory=dict)  # "1" → {title}
    objectives: dict = field(default_factory=dict)  # "1" → {theme, text}
    results: dict = field(default_factory=dict)  # "1.1" → {objective, text}
    activities: dict = field(default_factory=dict)  # "1.1.1.a" → {result, …fields, actors, measures}
    actors: dict = field(default_factory=dict)  # slug → {name, category, description}
    measures: dict = field(default_factory=dict)  # code → {title}
    rows: dict = field(default_factory=dict)  # "activity:1.1.1.a" → sheet row, for the preview
    kept_columns: list = field(default_factory=list)  # optional columns the file leaves out
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "strategy": self.strategy,
            "themes": self.themes,
            "objectives": self.objectives,
            "results": self.results,
            "activities": self.activities,
            "actors": self.actors,
            "measures": self.measures,
            "rows": self.rows,
            "kept_columns": self.kept_columns,
        }


def json_value(value):
    """A model value as stored in the plan (Decimal as text with the field's two places)."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def cell_text(value) -> str:
    """A cell as the seed reads a fixture scalar: whole numbers without '.0', whitespace collapsed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value)


class Formula(str):
    """A cell holding a formula: refused, since the import reads what people typed, never computes it."""


def _check_text(problems, sheet, number, column, value) -> bool:
    if isinstance(value, Formula):
        problems.append(
            Problem(
                sheet,
                number,
                column,
                _("This cell holds a formula (%(formula)s); type the value itself, as text or a number.")
                % {"formula": value[:40]},
            )
        )
        return False
    if isinstance(value, str):
        try:
            refuse_control_characters(value)
        except ValidationError as exc:
            problems.append(Problem(sheet, number, column, exc.messages[0]))
            return False
    return True


def _check_headers(problems, sheet_name, row, expected, *, optional_tail=()) -> list[str]:
    """The headers found, checked against `expected` (then optionally `optional_tail`) in order."""
    found = [cell_text(v) for v in (row or ())]
    while found and found[-1] == "":
        found.pop()
    allowed = [*expected, *optional_tail]
    for i, header in enumerate(allowed):
        if i >= len(found):
            if i < len(expected):
                problems.append(
                    Problem(
                        sheet_name, 1, header, _("The header “%(header)s” is missing.") % {"header": header}
                    )
                )
            break
        if found[i].casefold() != header.casefold():
            problems.append(
                Problem(
                    sheet_name,
                    1,
                    header,
                    _("Column %(number)s: expected the header “%(header)s”, found “%(found)s”.")
                    % {"number": i + 1, "header": header, "found": found[i]},
                )
            )
    if len(found) > len(allowed):
        problems.append(
            Problem(
                sheet_name,
                1,
                found[len(allowed)],
                _("Column %(number)s: unexpected header “%(found)s”.")
                % {"number": len(allowed) + 1, "found": found[len(allowed)]},
            )
        )
    return found
