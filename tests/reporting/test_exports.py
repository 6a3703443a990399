"""CSV and XLSX exports: the same numbers as the pages, typed cells, headers, frozen header rows."""

import csv
import datetime
import io

from django.urls import reverse
from openpyxl import load_workbook


def export(client, name, fmt, **params):
    from urllib.parse import urlencode

    params = {"strategy": "test-leopard", **params}
    return client.get(f"{reverse(f'reporting:{name}-export', kwargs={'fmt': fmt})}?{urlencode(params)}")


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_dashboard_xlsx_has_typed_cells_headers_and_frozen_rows(client, world):
    response = export(client, "dashboard", "xlsx", since="2024-12-31")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert 'filename="strategy-dashboard-test-leopard-' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[-1] == "About"
    rollup = book.worksheets[0]
    assert rollup.freeze_panes == "A2"
    header, *rows = rows_of(rollup)
    assert header[:5] == ["Level", "Code", "Title", "Activities", "Cells"]
    assert header[5:12] == [
        "Completed",
        "In progress",
        "Delayed / at risk",
        "Not started",
        "Cancelled",
        "Not applicable",
        "Not reported",
    ]
    total = rows[-1]
    assert total[:5] == ["Total", None, "Whole strategy", 4, 12]
    assert total[5:12] == [2, 3, 1, 0, 0, 1, 5]  # A3's range-wide "in progress" in its three cells
    assert isinstance(total[3], int) and isinstance(total[12], float)
    assert abs(total[12] - 2 / 11) < 1e-9
    assert rollup.cell(row=2, column=13).number_format == "0.0%"
    changes = book.worksheets[3]
    header, *rows = rows_of(changes)
    assert header[0] == "Activity" and changes.freeze_panes == "A2"
    alpha = next(r for r in rows if r[2] == "Alpha")
    assert alpha[3] == "In progress" and alpha[5] == "Completed"  # statuses as their labels
    assert alpha[4] == datetime.datetime(2024, 3, 1) and alpha[6] == datetime.datetime(
        2025, 3, 1
    )  # dates as dates
    about = rows_of(book["About"])
    assert ["Strategy", "Test Leopard"] in about
    assert any(r[0] and r[0].startswith("Only approved progress counts") for r in about)


def test_budget_xlsx_writes_amounts_as_numbers_and_tbd_as_empty(client, world):
    book = load_workbook(io.BytesIO(export(client, "budget", "xlsx").content))
    header, *rows = rows_of(book.worksheets[0])
    assert header[5] == "Cost TBD" and header[8] == "Per-country amounts × 3 (USD)"
    total = rows[-1]
    assert total[3:] == [4, 2, 1, 1, 50000, 30000, 80000, 29000]
    assert all(isinstance(v, int) for v in total[3:])
    header, *rows = rows_of(book.worksheets[1])
    a2 = next(r for r in rows if r[0] == "1.1.2")
    assert a2[3] == "To be determined" and a2[6] is None  # TBD is empty, never 0
    assert book.worksheets[1].cell(row=2, column=7).number_format == "#,##0.00"


def test_matrix_csv_has_a_header_and_one_row_per_activity(client, world):
    response = export(client, "matrix", "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:6] == [
        "Activity",
        "Activity text",
        "Priority",
        "Alpha status",
        "Alpha reported on",
        "Alpha confidence",
    ]
    assert header[-3:] == ["Range-wide status", "Range-wide reported on", "Range-wide confidence"]
    first = rows[0]
    assert first[0] == "1.1.1" and first[3:12] == [
        "Completed",
        "2025-03-01",
        "Expert judgement",
        "Delayed / at risk",
        "2025-02-01",
        "Expert judgement",
        "Not reported",
        "",
        "",
    ]
    assert len(rows) == 4


def test_csv_exports_one_table_chosen_in_the_url(client, world):
    text = export(client, "dashboard", "csv", table="priority").content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[0] == "Priority"
    assert rows[0][:3] == ["3 – high", "2", "6"]
    assert export(client, "dashboard", "csv", table="nope").status_code == 404


def test_national_xlsx_leaves_restricted_data_out(client, world):
    response = export(client, "national", "xlsx", range_state="QA", reporting_round=world.round.pk)
    book = load_workbook(io.BytesIO(response.content))
    cells = [v for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert "Survey report <https://example.org/survey.pdf>" in cells
    assert not any("Den site" in str(v) or "example.org/dens" in str(v) for v in cells)
    _header, *rows = rows_of(book.worksheets[0])
    assert rows[0][:6] == ["1.1.1", world.a1.text, 1, 3, "Completed", datetime.datetime(2025, 3, 1)]


def test_reporting_rate_xlsx_shares_are_numbers(client, world):
    book = load_workbook(io.BytesIO(export(client, "reporting-rate", "xlsx").content))
    header, *rows = rows_of(book.worksheets[0])
    assert header == [
        "Reporting round",
        "Deadline",
        "Range State",
        "Activities due",
        "Reported (approved)",
        "On time",
        "Late",
        "Not reported",
        "Reported share",
        "On-time share",
    ]
    beta = next(r for r in rows if r[2] == "Beta")
    assert beta[:8] == ["2025 annual", datetime.datetime(2025, 6, 30), "Beta", 3, 1, 0, 1, 2]
    assert abs(beta[8] - 1 / 3) < 1e-9 and beta[9] == 0


def test_every_report_exports(client, world):
    for name in ["timeline", "pow", "actors"]:
        book = load_workbook(io.BytesIO(export(client, name, "xlsx").content))
        for sheet in book.worksheets[:-1]:
            assert sheet.freeze_panes == "A2"
            assert sheet["A1"].font.bold
