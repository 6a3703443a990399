"""A strategy's logframe as an XLSX laid out like the source table, both ways.

The "Logframe" sheet has the source's columns (Result | Activity | Actor | Indicator | Timeline |
Cost (USD) | CAMI POW | Priority), with a row per theme ("Theme 1: …") and per objective
("Objective 1: …") above their results; a result's cell ("Result 1.1 …") stands on its first activity's
row. Four more columns carry what the seed keeps beside the source's cells: the normalised actors
(slugs), whether the actor cell is merged with the row above, the reading of a CAMI POW cell that cannot
be read as written, and the source note. They may be left out of a file: their values are then kept.
The "Strategy", "Actors" and "POW measures" sheets carry the strategy's identity and the vocabularies
the rows refer to, so that a file imports into an empty database.

Reading runs every cell through the seed's own checks (activities.seeding.checking.plan_activity and
the parsers in activities.parsing): a cell the seed refuses is refused here with the same message.
Writing goes through activities.exporting, which stores every text as text (never a formula).
"""

from .cells import Formula, ParsedLogframe, Problem, SheetReader, cell_text, json_value
from .layout import (
    ACTIVITY_RE,
    ACTOR_HEADERS,
    ACTORS_SHEET,
    CFB_SIGNATURE,
    COLUMN_OF_FIELD,
    EXTRA_HEADERS,
    FIELDS_OF_EXTRA_COLUMN,
    HEADERS,
    LOGFRAME_SHEET,
    MEASURE_HEADERS,
    MEASURES_SHEET,
    OBJECTIVE_RE,
    RESULT_RE,
    SOURCE_HEADERS,
    STRATEGY_FIELDS,
    STRATEGY_SHEET,
    THEME_RE,
    YES,
)
from .reading import FileRefused, open_workbook, read_logframe
from .writing import logframe_workbook, pow_reading

__all__ = [
    "ACTIVITY_RE",
    "ACTORS_SHEET",
    "ACTOR_HEADERS",
    "CFB_SIGNATURE",
    "COLUMN_OF_FIELD",
    "EXTRA_HEADERS",
    "FIELDS_OF_EXTRA_COLUMN",
    "HEADERS",
    "LOGFRAME_SHEET",
    "MEASURES_SHEET",
    "MEASURE_HEADERS",
    "OBJECTIVE_RE",
    "RESULT_RE",
    "SOURCE_HEADERS",
    "STRATEGY_FIELDS",
    "STRATEGY_SHEET",
    "THEME_RE",
    "YES",
    "FileRefused",
    "Formula",
    "ParsedLogframe",
    "Problem",
    "SheetReader",
    "cell_text",
    "json_value",
    "logframe_workbook",
    "open_workbook",
    "pow_reading",
    "read_logframe",
]
