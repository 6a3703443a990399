"""The one writer of user text into files people open in other programs: every CSV and XLSX the app
produces (report exports in reporting/exports.py, API lists in activities/api/renderers.py, the logframe
and the offline progress sheet) writes its cells through this module and every XLSX is saved by
`xlsx_bytes`, and so must any later DOCX or PDF export.

Two rules, whatever the data:

- No cell a spreadsheet would evaluate. In CSV, text beginning with =, +, -, @, a tab or a carriage
  return is prefixed with an apostrophe (OWASP, "CSV Injection"), which spreadsheets show as text. In
  XLSX, text is always stored as a text cell (data type "s"), never as a formula, so it needs no prefix.
- No control characters. Input refuses them (activities.validators), but data from before that rule, or
  from an import, may still hold some; openpyxl raises on them, which would make an export fail for
  everyone. Each is replaced with U+FFFD, so that the reader sees something was there."""

import csv
import datetime
import io
import re
import zipfile

from django.utils.translation import pgettext

# ASCII control characters other than tab, newline and carriage return, and DEL; XML 1.0 (XLSX) allows
# none of them, and a CSV reader may choke on them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
REPLACEMENT = "\ufffd"
# OWASP's list: a cell starting with one of these may be read as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> str:
    """The text with control characters replaced (tab, newline and carriage return are kept)."""
    return CONTROL_CHARACTERS.sub(REPLACEMENT, value)


def csv_cell(value):
    """One CSV cell: text cleaned and, if a spreadsheet would evaluate it, prefixed with an apostrophe."""
    if isinstance(value, str):  # the commonest case first: exports write hundreds of thousands of cells
        text = clean_text(value)
        return "'" + text if text.startswith(FORMULA_PREFIXES) else text
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class CSVWriter:
    """csv.writer with every cell passed through csv_cell. Starts the file with a byte-order mark, so
    that spreadsheet programs read UTF-8 (Türkiye, en dashes, Farsi and Russian narratives)."""

    def __init__(self, stream, *, lineterminator: str = "\r\n"):
        stream.write("\ufeff")
        self._writer = csv.writer(stream, lineterminator=lineterminator)

    def writerow(self, values) -> None:
        self._writer.writerow([csv_cell(value) for value in values])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def xlsx_value(value):
    """A value for an XLSX cell: text cleaned of control characters; other types unchanged."""
    return clean_text(value) if isinstance(value, str) else value


def xlsx_append(sheet, values) -> None:
    """Append a row to an openpyxl worksheet, every text value stored as text (never as a formula)."""
    sheet.append([xlsx_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def xlsx_sheet_title(title: str, used: set[str]) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\ or control characters,
    unique within the workbook (`used` holds the names taken so far, lower-cased)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", CONTROL_CHARACTERS.sub(" ", title))[:31].strip() or pgettext(
        "spreadsheet", "Sheet"
    )
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name.lower())
    return name


class _ClockedZipFile(zipfile.ZipFile):
    """openpyxl adds each worksheet from a temporary file with `ZipFile.write`, which dates the entry by
    the file's modification time, and every other part with `writestr`, which dates it by the clock.
    Dating the worksheets by the clock too makes a workbook depend only on its content and the moment:
    an export job's file is byte for byte what the request would have downloaded at that moment, and
    two saves a second apart no longer differ in two parts out of ten."""

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as source:
            self.writestr(arcname or filename, source.read(), compress_type, compresslevel)


def xlsx_bytes(book) -> bytes:
    """The workbook saved as an XLSX file, every part dated by the clock (see _ClockedZipFile); what
    openpyxl's `Workbook.save` does otherwise."""
    from openpyxl.writer.excel import ExcelWriter

    out = io.BytesIO()
    archive = _ClockedZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    book.properties.modified = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
    ExcelWriter(book, archive).save()  # closes the archive
    return out.getvalue()
