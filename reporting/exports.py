"""CSV and XLSX from a report's plain tables: one generic writer for every report.

Cells keep their types (numbers as numbers, dates as dates); statuses are written as their labels. The
XLSX has one sheet per table with a bold, frozen header row and fitted column widths, and an "About" sheet
with the filters and the counting rules."""

import csv
import io
import re
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .aggregations import STATUS_LABELS, Report, Table

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


def cell_value(value, kind: str):
    """The typed value of one cell: a status as its label, a Decimal as a number, anything else unchanged."""
    if value is None or value == "":
        return None
    if kind == "status":
        return STATUS_LABELS.get(value, value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def filename(report: Report, extension: str) -> str:
    return f"{slugify(report.title)}-{report.strategy.slug}-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(report: Report, table: Table) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(report, f"{table.key}.csv")}"'
    response.write(
        "\ufeff"
    )  # a byte-order mark, so that spreadsheet programs read UTF-8 (Türkiye, en dashes)
    writer = csv.writer(response)
    writer.writerow([column.label for column in table.columns])
    for row in table.rows:
        values = [cell_value(value, column.kind) for value, column in zip(row, table.columns, strict=True)]
        writer.writerow(
            ["" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v) for v in values]
        )
    return response


def _sheet_title(title: str, used: set) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique within the workbook.
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name.lower())
    return name


def workbook(report: Report) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in report.tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        sheet.append([column.label for column in table.columns])
        for cell in sheet[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append(
                [cell_value(value, column.kind) for value, column in zip(row, table.columns, strict=True)]
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
    about = book.create_sheet("About")
    about.append([report.title])
    about["A1"].font = Font(bold=True, size=13)
    about.append(["Exported", timezone.localtime().replace(tzinfo=None, microsecond=0)])
    about["B2"].number_format = "yyyy-mm-dd hh:mm"
    for label, value in report.filters:
        about.append([label, value])
    about.append([])
    for note in report.notes:
        about.append([note])
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 60
    return book


def xlsx_response(report: Report) -> HttpResponse:
    buffer = io.BytesIO()
    workbook(report).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(report, "xlsx")}"'
    return response
