"""CSV and XLSX renderers for list endpoints: one flat row per result, a header row, the same
filters as the JSON. Lists become "; "-joined text, nested objects dotted columns, and the
activities' status summary "AM: in_progress (2025-06-30); …". XLSX cells keep their types (numbers
as numbers, dates as dates) and the header row is frozen. Cells are written by activities.exporting,
which keeps user text as text (no formulas, no control characters)."""

import datetime
import io
import re
from decimal import Decimal

from rest_framework import renderers

from activities.exporting import CSVWriter, xlsx_append, xlsx_bytes, xlsx_sheet_title

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _cell(value):
    if isinstance(value, list):
        return "; ".join(_summary(item) for item in value)
    return value


def _summary(item) -> str:
    if isinstance(item, dict):
        if "range_state" in item and "status" in item:  # an activity's status per Range State
            where = item["range_state"] or "range-wide"
            return f"{where}: {item['status']} ({item.get('reporting_date') or ''})"
        return ", ".join(f"{k}={v}" for k, v in item.items() if v not in (None, ""))
    return "" if item is None else str(item)


def flatten(row: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat |= flatten(value, f"{name}.")
        else:
            flat[name] = _cell(value)
    return flat


def table(data, renderer_context) -> tuple[list[str], list[dict]]:
    """The header and flat rows of a response's data (a page, a list or one object)."""
    if isinstance(data, dict) and "results" in data:
        data = data["results"]
    elif isinstance(data, dict):
        data = [data]
    rows = [flatten(item) for item in data or []]
    header = list(rows[0]) if rows else []
    if not header:
        view = (renderer_context or {}).get("view")
        serializer = view.get_serializer() if view is not None and hasattr(view, "get_serializer") else None
        header = list(serializer.fields) if serializer is not None else []
    for row in rows[1:]:  # rows may differ (e.g. restricted details shown on some entries only)
        header.extend(key for key in row if key not in header)
    return header, rows


def _filename(renderer_context, extension: str) -> str:
    view = (renderer_context or {}).get("view")
    name = getattr(view, "basename", None) or "export"
    return f"{name}.{extension}"


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        header, rows = table(data, renderer_context)
        out = io.StringIO()
        writer = CSVWriter(out)
        writer.writerow(header)
        writer.writerows([row.get(key) for key in header] for row in rows)
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Disposition"] = f'attachment; filename="{_filename(renderer_context, "csv")}"'
        return out.getvalue().encode(self.charset)


class XLSXRenderer(renderers.BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        from openpyxl import Workbook
        from openpyxl.styles import Font

        if data is None:
            return b""
        header, rows = table(data, renderer_context)
        workbook = Workbook(write_only=False)
        sheet = workbook.active
        sheet.title = xlsx_sheet_title(
            getattr((renderer_context or {}).get("view"), "basename", None) or "export", set()
        )
        xlsx_append(sheet, header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in rows:
            xlsx_append(sheet, [_typed(row.get(key)) for key in header])
        for index, key in enumerate(header, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(max(len(key) + 2, 10), 60)
        content = xlsx_bytes(workbook)
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Disposition"] = f'attachment; filename="{_filename(renderer_context, "xlsx")}"'
        return content


def _typed(value):
    if isinstance(value, Decimal | int | float | bool) or value is None:
        return value
    if isinstance(value, str) and DATE.match(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return value
