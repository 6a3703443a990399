"""Reading an uploaded file as a whole: opening it, refusing what cannot be read, then its sheets."""

import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .cells import Formula, ParsedLogframe
from .layout import (
    ACTOR_HEADERS,
    ACTORS_SHEET,
    CFB_SIGNATURE,
    LOGFRAME_SHEET,
    MEASURE_HEADERS,
    MEASURES_SHEET,
    STRATEGY_SHEET,
)
from .sheets import _read_rows, _read_strategy, _read_vocabulary


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says why, for the person who uploaded it."""


def open_workbook(data: bytes):
    """The workbook, or FileRefused saying what is wrong with the file."""
    limit = settings.STRATEGY_IMPORT_MAX_MB * 1024 * 1024
    if not data:
        raise FileRefused(_("The file is empty."))
    if len(data) > limit:
        raise FileRefused(
            _("The file is larger than %(limit)s MB; split the strategy or ask an administrator.")
            % {"limit": settings.STRATEGY_IMPORT_MAX_MB}
        )
    if data.startswith(CFB_SIGNATURE):
        raise FileRefused(
            _(
                "The file is password-protected, or an old Excel 97-2003 (.xls) file. Save it as an "
                "Excel workbook (.xlsx) without a password and upload it again."
            )
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        # A small file that unpacks into gigabytes (a "zip bomb") is refused before it is unpacked.
        if sum(info.file_size for info in archive.infolist()) > 50 * limit:
            raise FileRefused(_("The file unpacks to far more data than a spreadsheet holds."))
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except FileRefused:
        raise
    except Exception as exc:  # zipfile, openpyxl and XML errors: all mean "not a readable XLSX"
        raise FileRefused(
            _("The file is not an Excel workbook (.xlsx) this app can read (%(reason)s).")
            % {"reason": exc.__class__.__name__}
        ) from exc


def _rows(sheet, problems, name):
    limit = settings.STRATEGY_IMPORT_MAX_ROWS
    rows = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        if number > limit + 1:
            raise FileRefused(
                _("The sheet “%(sheet)s” has more than %(limit)s rows.") % {"sheet": name, "limit": limit}
            )
        row = tuple(
            Formula(c.value) if getattr(c, "data_type", None) == "f" else getattr(c, "value", None)
            for c in cells
        )
        rows.append((number, row))
    return rows


def read_logframe(data: bytes) -> ParsedLogframe:
    """Parse an uploaded file; raise FileRefused if it is unreadable as a whole, else return what it
    holds with a Problem for each cell that is wrong (nothing is written here)."""
    book = open_workbook(data)
    parsed = ParsedLogframe()
    problems = parsed.problems
    try:
        names = book.sheetnames
        if LOGFRAME_SHEET not in names:
            raise FileRefused(
                _("The workbook has no sheet named “%(sheet)s” (it has: %(sheets)s).")
                % {"sheet": LOGFRAME_SHEET, "sheets": ", ".join(names)}
            )
        logframe = _rows(book[LOGFRAME_SHEET], problems, LOGFRAME_SHEET)
        strategy = _rows(book[STRATEGY_SHEET], problems, STRATEGY_SHEET) if STRATEGY_SHEET in names else None
        actors = _rows(book[ACTORS_SHEET], problems, ACTORS_SHEET) if ACTORS_SHEET in names else []
        measures = _rows(book[MEASURES_SHEET], problems, MEASURES_SHEET) if MEASURES_SHEET in names else []
    finally:
        book.close()
    if not any(any(v not in (None, "") for v in row) for _n, row in logframe[1:]):
        raise FileRefused(
            _("The sheet “%(sheet)s” has no rows below its headers.") % {"sheet": LOGFRAME_SHEET}
        )
    _read_strategy(parsed, strategy)
    _read_vocabulary(parsed, actors, ACTORS_SHEET, ACTOR_HEADERS)
    _read_vocabulary(parsed, measures, MEASURES_SHEET, MEASURE_HEADERS)
    _read_rows(parsed, logframe)
    return parsed
