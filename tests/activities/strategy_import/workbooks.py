"""Hand-made logframe workbooks for the import tests, laid out as a Secretariat member would type them."""

import io

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from activities.exporting import xlsx_append
from activities.logframe_xlsx import HEADERS

STRATEGY = [
    ["Field", "Value"],
    ["Slug", "test-leopard"],
    ["Title", "Range-wide Strategy for a Test Leopard"],
    ["Short name", "Test Leopard"],
    ["Period start", 2023],
    ["Period end", 2032],
]
ACTORS = [
    ["Slug", "Name", "Category", "Description"],
    ["ngos", "Non-governmental organisations (NGOs)", "civil_society", ""],
    ["gos", "Governmental organisations (GOs)", "government", ""],
]
MEASURES = [["Code", "Title"], ["19.1", "Develop a range-wide strategy."]]


def activity_row(code, text="Review the data.", *, result=None, cells=None):
    """One activity row; `cells` override the columns by header ({"Timeline": "2025"}, …)."""
    values = {
        "Result": result,
        "Activity": f"Activity {code} {text}",
        "Actor": "NGOs and GOs",
        "Indicator": "Report compiled",
        "Timeline": "2025",
        "Cost (USD)": "10,000 per country",
        "CAMI POW": "1.3, 19.2",
        "Priority": 3,
        "Actors (normalised)": "gos, ngos",
        "Actor cell merged with the row above": "",
        "CAMI POW reading": "",
        "Source note": "",
    }
    values.update(cells or {})
    return [values[h] for h in HEADERS]


def logframe_rows(n_activities=2):
    rows = [
        HEADERS,
        ["Theme 1: Conservation of the species."],
        ["Objective 1: To increase viability."],
    ]
    for i in range(1, n_activities + 1):
        rows.append(
            activity_row(
                f"1.1.{i}", f"Activity number {i}.", result="Result 1.1 Areas protected." if i == 1 else None
            )
        )
    return rows


def workbook(
    logframe=None, *, strategy=STRATEGY, actors=ACTORS, measures=MEASURES, text_cells=False
) -> bytes:
    """The workbook's bytes; with `text_cells`, every text is stored as text (as the export stores it)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Logframe"
    for row in logframe if logframe is not None else logframe_rows():
        (xlsx_append if text_cells else Worksheet.append)(sheet, row)
    for title, rows in (("Strategy", strategy), ("Actors", actors), ("POW measures", measures)):
        if rows is not None:
            other = book.create_sheet(title)
            for row in rows:
                other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
