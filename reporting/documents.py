"""Every report as a document for a meeting: DOCX (python-docx, for the Secretariat to edit) and PDF
(WeasyPrint, rendered on the server), in the language of the request, from the report's plain tables —
the same rows as the page and the spreadsheets, so the three never disagree.

The standard layout of a meeting document: the document symbol and date the Secretariat gives
(e.g. UNEP/CMS/PL-RS2/Doc.4, optional), the strategy, the report's title, the filters it was made with,
then each table. A table of a few columns is drawn as a grid; a wider one (the national report's
narratives) as one block per row, its label beside each value, so that a narrative is readable on A4.
Text is cleaned of control characters (activities.exporting.clean_text) as in every export."""

import datetime
import io
import re
import unicodedata
from decimal import Decimal

from django import forms
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext_lazy as _

from activities.exporting import clean_text
from activities.names import range_state_name
from activities.numbers import percent, usd
from reporting import maps

from .exports import cell_value, filename
from .reports.core import Report, Table

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A table is drawn as a grid when it has at most GRID_COLUMNS columns, or at most GRID_TEXT_COLUMNS of
# text and the rest figures (the roll-ups: level, code, title and ten counts), up to WIDE_COLUMNS; a grid
# wider than GRID_COLUMNS gets a landscape page. Any other table is one block per row.
GRID_COLUMNS = 6
GRID_TEXT_COLUMNS = 3
WIDE_COLUMNS = 14
NUMERIC = ("int", "usd", "percent", "year")
SYMBOL = re.compile(r"^[\w./()\- ]+$")


class DocumentForm(forms.Form):
    """The document symbol and date of issue the Secretariat gives a meeting document (GET parameters)."""

    symbol = forms.CharField(
        required=False,
        max_length=80,
        label=_("Document symbol"),
        help_text=_("As on the meeting's list of documents, e.g. UNEP/CMS/PL-RS2/Doc.4. Optional."),
    )
    issued = forms.DateField(
        required=False,
        label=_("Date of issue"),
        help_text=_("Year-month-day, e.g. 2026-09-20. Empty: today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_symbol(self):
        symbol = self.cleaned_data["symbol"].strip()
        if symbol and not SYMBOL.match(symbol):
            raise forms.ValidationError(
                _(
                    "A document symbol has letters, digits, spaces and . / ( ) - only, e.g. UNEP/CMS/PL-RS2/Doc.4."
                )
            )
        return symbol


def text(value, kind: str = "text") -> str:
    """One cell as the document prints it: dates in the language's long form, amounts and shares as the
    report pages write them (reporting.templatetags.report_format)."""
    value = cell_value(value, kind)
    if value is None:
        return "—"
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    if kind == "usd" and isinstance(value, int | float | Decimal):
        return usd(value)
    if kind == "percent" and isinstance(value, int | float | Decimal):
        return percent(value)
    return clean_text(str(value))


def _tables(report: Report) -> list[dict]:
    """Each table as the templates and the DOCX writer draw it: as a grid, or as blocks of label/value."""
    drawn = []
    for table in report.tables:
        rows = [
            [text(value, column.kind) for value, column in zip(row, table.columns, strict=True)]
            for row in table.rows
        ]
        labels = [clean_text(str(column.label)) for column in table.columns]
        cells = [[{"text": value, "ltr": _is_ltr(value)} for value in row] for row in rows]
        drawn.append(
            {
                "title": clean_text(str(table.title)),
                "labels": labels,
                "numeric": [column.kind in NUMERIC for column in table.columns],
                "numeric_positions": [i for i, c in enumerate(table.columns) if c.kind in NUMERIC],
                "rows": rows,
                "grid": _is_grid(table),
                "wide": _is_grid(table) and len(table.columns) > GRID_COLUMNS,
                "records": [list(zip(labels, row, strict=True)) for row in cells],
                "cells": cells,
            }
        )
    return drawn


def _is_ltr(value: str) -> bool:
    """Whether the text's first strong character is left-to-right (Latin, Cyrillic, a code like 1.1.1.a):
    a right-to-left document sets such a value left to right, so that bidi does not move its full stop
    or reorder its code (WeasyPrint has no unicode-bidi: plaintext)."""
    for character in value:
        direction = unicodedata.bidirectional(character)
        if direction == "L":
            return True
        if direction in ("R", "AL"):
            return False
    return any(ch.isdigit() for ch in value)


def _is_grid(table: Table) -> bool:
    if len(table.columns) <= GRID_COLUMNS:
        return True
    texts = sum(column.kind not in NUMERIC for column in table.columns)
    return texts <= GRID_TEXT_COLUMNS and len(table.columns) <= WIDE_COLUMNS


def _locator(report: Report) -> dict | None:
    """For a report about one Range State (the national report): the locator map's title, the state and
    the range, drawn as vector graphics in the PDF and as an image in the DOCX."""
    state, codes = report.page.get("state"), report.page.get("range_iso_codes")
    if not state or not codes:
        return None
    title = maps.locator_title(state=range_state_name(state), strategy=str(report.strategy))
    return {"title": title, "iso_code": state.iso_code, "range": codes, "disclaimer": str(maps.DISCLAIMER)}


def _context(report: Report, symbol: str, issued: datetime.date) -> dict:
    locator = _locator(report)
    if locator:
        svg = maps.locator_map_svg(
            iso_code=locator["iso_code"],
            range_iso_codes=locator["range"],
            title=locator["title"],
            disclaimer=False,
        )
        locator["svg"] = mark_safe(svg)  # built from escaped values by reporting.maps.render
    return {
        "locator": locator,
        "report": report,
        "title": clean_text(str(report.title)),
        "strategy": clean_text(report.strategy.title),
        "filters": [(clean_text(str(label)), clean_text(str(value))) for label, value in report.filters],
        "notes": [clean_text(str(note)) for note in report.notes],
        "tables": _tables(report),
        "symbol": symbol,
        "issued": date_format(issued, "DATE_FORMAT"),
        "language": get_language(),
        "rtl": get_language_bidi(),
    }


def document_response(report: Report, fmt: str, *, symbol: str = "", issued=None) -> HttpResponse:
    context = _context(report, symbol, issued or timezone.localdate())
    if fmt == "pdf":
        content, content_type = pdf_bytes(context), "application/pdf"
    else:
        content, content_type = docx_bytes(context), DOCX_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename(report, fmt))
    return response


# --- PDF ----------------------------------------------------------------------------------------------


def pdf_bytes(context: dict) -> bytes:
    from weasyprint import CSS, HTML  # imported here: it loads Pango, which only documents need

    html = render_to_string("reporting/document.html", context)
    stylesheet = CSS(filename=finders.find("css/document.css"))
    return HTML(string=html, base_url=str(finders.find("css/document.css"))).write_pdf(
        stylesheets=[stylesheet]
    )


# --- DOCX ---------------------------------------------------------------------------------------------


def docx_bytes(context: dict) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    rtl = context["rtl"]
    start = WD_ALIGN_PARAGRAPH.RIGHT if rtl else WD_ALIGN_PARAGRAPH.LEFT
    end = WD_ALIGN_PARAGRAPH.LEFT if rtl else WD_ALIGN_PARAGRAPH.RIGHT

    def paragraph(value: str, *, style=None, align=None, bold=False):
        para = document.add_paragraph(style=style)
        run = para.add_run(value)
        run.bold = bold
        para.alignment = align if align is not None else start
        if rtl:
            _right_to_left(para, run)
        return para

    if context["symbol"]:
        paragraph(context["symbol"], align=end, bold=True)
    paragraph(context["issued"], align=end)
    paragraph(context["strategy"], align=start)
    heading = document.add_heading(context["title"], level=1)
    heading.alignment = start
    for label, value in context["filters"]:
        paragraph(f"{label}: {value}")
    if locator := context["locator"]:
        png = maps.locator_map_png(
            iso_code=locator["iso_code"], range_iso_codes=locator["range"], width_px=900
        )
        document.add_picture(io.BytesIO(png), width=Cm(9))
        paragraph(locator["title"], bold=True)
        paragraph(locator["disclaimer"])
    for table in context["tables"]:
        document.add_heading(table["title"], level=2).alignment = start
        if not table["rows"]:
            paragraph(str(_("Nothing to show.")))
            continue
        if table["grid"]:
            grid = document.add_table(rows=1, cols=len(table["labels"]))
            grid.style = "Table Grid"
            size = Pt(7) if table["wide"] else None
            if rtl:
                _table_right_to_left(grid)
            for cell, label in zip(grid.rows[0].cells, table["labels"], strict=True):
                cell.text = ""
                run = cell.paragraphs[0].add_run(label)
                run.bold = True
                run.font.size = size
            for row in table["rows"]:
                cells = grid.add_row().cells
                for cell, value, numeric in zip(cells, row, table["numeric"], strict=True):
                    cell.text = ""
                    cell.paragraphs[0].add_run(value).font.size = size
                    cell.paragraphs[0].alignment = end if numeric else start
        else:
            for record in table["records"]:
                first_label, first_value = record[0]
                document.add_heading(f"{first_label} {first_value['text']}", level=3).alignment = start
                for label, value in record[1:]:
                    if value["text"] == "—":
                        continue
                    para = paragraph("")
                    para.add_run(f"{label}: ").bold = True
                    para.add_run(value["text"])
    if context["notes"]:
        document.add_heading(str(_("How this report counts")), level=2).alignment = start
        for note in context["notes"]:
            paragraph(note)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _right_to_left(paragraph, run) -> None:
    """Mark a paragraph and its run as right-to-left (Word's w:bidi and w:rtl; python-docx has no API)."""
    from docx.oxml import OxmlElement

    paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))
    run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))


def _table_right_to_left(table) -> None:
    from docx.oxml import OxmlElement

    table._tbl.tblPr.append(OxmlElement("w:bidiVisual"))
