"""Offline reporting by spreadsheet, the read side: the XLSX of a round's due activities that a Range
State's reporter downloads from the national report's page, and the reading of the filled sheet back
into a plan (what would be created or updated as drafts, what is unchanged, in conflict or locked,
and an error per row and cell). Nothing here writes; services.offline_sheet_apply applies a plan.

Each data row carries a signed identity (hidden first column): the round, the Range State, the
activity, the entry the row was pre-filled from (None: no entry of the round yet), that entry's version
at download time, and a digest of the values the row was pre-filled with. The version finds conflicts
(the entry changed in the app since the download); the digest finds rows left as they were."""

from .columns import (
    CELL_MAX_CHARS,
    COLUMNS,
    FIELDS,
    LOCKED_COLUMNS,
    PREFILLED_APPROVED,
    PREFILLED_DRAFT,
    PREFILLED_LABELS,
    PREFILLED_LOCKED,
    PREFILLED_NONE,
    RS,
    SIGNER_SALT,
    TEXT_FIELDS,
    _identity,
    columns,
    digest,
    entry_values,
    max_bytes,
    max_rows,
    may_see_restricted,
    normal,
    python_values,
    round_entries,
    sheet_activities,
)
from .download import build_workbook, file_name
from .plan import CellError, Plan, Row, plan_upload
from .reading import SheetRefused, read_upload

__all__ = [
    "CELL_MAX_CHARS",
    "COLUMNS",
    "FIELDS",
    "LOCKED_COLUMNS",
    "PREFILLED_APPROVED",
    "PREFILLED_DRAFT",
    "PREFILLED_LABELS",
    "PREFILLED_LOCKED",
    "PREFILLED_NONE",
    "RS",
    "SIGNER_SALT",
    "TEXT_FIELDS",
    "CellError",
    "Plan",
    "Row",
    "SheetRefused",
    "_identity",
    "build_workbook",
    "columns",
    "digest",
    "entry_values",
    "file_name",
    "max_bytes",
    "max_rows",
    "may_see_restricted",
    "normal",
    "plan_upload",
    "python_values",
    "read_upload",
    "round_entries",
    "sheet_activities",
]
