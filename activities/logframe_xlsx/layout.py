"""The file's layout: sheet names, column headers, the fields they fill, and the row patterns."""

import re

LOGFRAME_SHEET = "Logframe"
STRATEGY_SHEET = "Strategy"
ACTORS_SHEET = "Actors"
MEASURES_SHEET = "POW measures"

# The source table's columns, then the seed's own; the header text is part of the format (not translated).
SOURCE_HEADERS = [
    "Result",
    "Activity",
    "Actor",
    "Indicator",
    "Timeline",
    "Cost (USD)",
    "CAMI POW",
    "Priority",
]
EXTRA_HEADERS = [
    "Actors (normalised)",
    "Actor cell merged with the row above",
    "CAMI POW reading",
    "Source note",
]
HEADERS = SOURCE_HEADERS + EXTRA_HEADERS
# The Activity.<field> (or plan_activity key) each column fills, for errors and for "kept" columns.
COLUMN_OF_FIELD = {
    "code": "Activity",
    "text": "Activity",
    "actors_text": "Actor",
    "indicator": "Indicator",
    "timeline": "Timeline",
    "timeline_text": "Timeline",
    "cost": "Cost (USD)",
    "cost_text": "Cost (USD)",
    "cami_pow": "CAMI POW",
    "cami_pow_text": "CAMI POW",
    "priority": "Priority",
    "actors": "Actors (normalised)",
    "actors_continued": "Actor cell merged with the row above",
    "cami_pow_measures": "CAMI POW reading",
    "source_note": "Source note",
}
# Activity fields filled from each optional column: absent from a file, they are kept as they are.
# Without the CAMI POW reading column, the measures are read from the CAMI POW cell.
FIELDS_OF_EXTRA_COLUMN = {
    "Actors (normalised)": ("actors",),
    "Actor cell merged with the row above": ("actors_continued",),
    "Source note": ("source_note",),
}
STRATEGY_FIELDS = [
    ("slug", "Slug"),
    ("title", "Title"),
    ("short_name", "Short name"),
    ("period_start", "Period start"),
    ("period_end", "Period end"),
    ("version", "Version"),
    ("document_symbol", "Document symbol"),
    ("vision", "Vision"),
    ("goal", "Goal"),
]
ACTOR_HEADERS = ["Slug", "Name", "Category", "Description"]
MEASURE_HEADERS = ["Code", "Title"]
YES = "yes"

THEME_RE = re.compile(r"^Theme\s+(\d{1,4})\s*:\s*(.+)$", re.IGNORECASE | re.DOTALL)
OBJECTIVE_RE = re.compile(r"^Objective\s+(\d{1,4})\s*:\s*(.+)$", re.IGNORECASE | re.DOTALL)
RESULT_RE = re.compile(r"^Result\s+(\d+(?:\.\d+)+)\s*:?\s+(.+)$", re.IGNORECASE | re.DOTALL)
ACTIVITY_RE = re.compile(r"^Activity\s+(\d+(?:\.\d+)+(?:\.[a-z])?)\s*:?\s+(.+)$", re.IGNORECASE | re.DOTALL)
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE container: a password-protected .xlsx, or .xls
