"""CSV and XLSX from a report's plain tables: one generic writer for every report.

Cells keep their types (numbers as numbers, dates as dates); statuses are written as their labels. The
XLSX has one sheet per table with a bold, frozen header row and fitted column widths, and an "About" sheet
with the filters and the counting rules. Every cell goes through activities.exporting, which keeps user
text as text (no formulas, no control characters)."""

import unicodedata
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from activities.exporting import CSVWriter, xlsx_append, xlsx_bytes, xlsx_sheet_title

from .reports.core import STATUS_LABELS, Report, Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {"usd": "#,##0.00", "percent": "0.0%", "date": "yyyy-mm-dd", "int": "0", "year": "0"}
WIDTHS = {
    "text": 40,
    "activity": 10,
    "status": 18,
    "date": 12,
    "usd": 16,
    "percent": 11,
    "int": 10,
    "year": 9,
}


def export_response(report: Report | None, fmt: str, *, table_key: str | None = None) -> HttpResponse:
    """A report as CSV (one table: `table_key`, or the first) or as an XLSX workbook (every table)."""
    if report is None:
        raise Http404(_("Choose the report's filters first."))
    if fmt == "xlsx":
        return xlsx_response(report)
    key = table_key or report.tables[0].key
    table = next((t for t in report.tables if t.key == key), None)
    if table is None:
        raise Http404(_("This report has no table “%(table)s”.") % {"table": key})
    return csv_response(report, table)


def cell_value(value, kind: str):
    """The typed value of one cell: a status as its label, a Decimal as a number, a lazy translation as
    text in the request's language, anything else unchanged."""
    if value is None or value == "":
        return None
    if kind == "status":
        return str(STATUS_LABELS.get(value, value))
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def filename(report: Report, extension: str) -> str:
    return f"{_title_slug(report.title)}-{report.strategy.slug}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _title_slug(title: str) -> str:
    """The title in the user's language as a file name: Latin letters lose their accents (Türkiye →
    turkiye), other scripts (Cyrillic, Persian) are kept, which would otherwise leave nothing;
    content_disposition_header() sends a non-ASCII name as an RFC 6266 filename*."""
    letters = [ch for ch in unicodedata.normalize("NFKD", title) if ch.isalpha()]
    return slugify(title, allow_unicode=not all(ch.isascii() for ch in letters))


def csv_response(report: Report, table: Table) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename(report, f"{table.key}.csv"))
    writer = CSVWriter(response, lineterminator="\r\n")
    writer.writerow([column.label for column in table.columns])
    for row in table.rows:
        writer.writerow(
            [cell_value(value, column.kind) for value, column in zip(row, table.columns, strict=True)]
        )
    return response


def workbook(report: Report) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in report.tables:
        sheet = book.create_sheet(xlsx_sheet_title(table.title, used))
        xlsx_append(sheet, [column.label for column in table.columns])
        for cell in sheet[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            xlsx_append(
                sheet,
                [cell_value(value, column.kind) for value, column in zip(row, table.columns, strict=True)],
            )
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(
                WIDTHS.get(column.kind, 14), min(len(column.label) + 2, 24)
            )
            if column.kind in NUMBER_FORMATS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = NUMBER_FORMATS[column.kind]
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions
    # Translators: the title of the workbook's sheet that gives the report's filters and counting rules.
    about = book.create_sheet(xlsx_sheet_title(pgettext("spreadsheet", "About"), used))
    xlsx_append(about, [report.title])
    about["A1"].font = Font(bold=True, size=13)
    # Translators: beside the date and time the workbook was exported.
    xlsx_append(about, [_("Exported"), timezone.localtime().replace(tzinfo=None, microsecond=0)])
    about["B2"].number_format = "yyyy-mm-dd hh:mm"
    for label, value in report.filters:
        xlsx_append(about, [label, value])
    about.append([])
    for note in report.notes:
        xlsx_append(about, [note])
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 60
    return book


def xlsx_response(report: Report) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(workbook(report)), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename(report, "xlsx"))
    return response
