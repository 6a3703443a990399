"""The budget report's committed funding and funding gap, by objective and by Range State (Activity 12.2.1),
against the hand-computed figures of the report world (tests/reporting/conftest.py):

    A1 USD 10,000 per country (Alpha, Beta, Gamma)   A2 cost TBD   A3 USD 50,000 for the whole strategy
    (Objective 1);  A4 cost N/A (Objective 2)

One grant's lines: A1 Alpha 4,000; A1 Beta 12,000 (2,000 beyond Beta's estimate); A3 naming Gamma 20,000
(a whole-strategy cell, whatever state it names); A2 Alpha 5,000 (TBD: committed without an estimate);
A4 Beta without an amount.

    Objective 1: 4 cells, estimated 80,000, TBD 1, committed 36,000, gap 6,000 + 0 + 10,000 + 30,000 =
                 46,000, beyond 2,000, without estimate 5,000
    Objective 2: no cell, N/A 1, one line without amount
    Alpha 10,000 / 4,000 / gap 6,000 / TBD money 5,000; Beta 10,000 / 12,000 / 0 / beyond 2,000 / 1 line
    without amount; Gamma 10,000 / 0 / 10,000; whole strategy 50,000 / 20,000 / 30,000.
"""

import csv
import io
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting.reports import Scope, budget_overview
from tests.factories import GrantActivityFactory, GrantFactory


@pytest.fixture
def funded(world):
    grant = GrantFactory(amount_usd=Decimal(100000))
    for activity, state, amount in [
        (world.a1, world.alpha, 4000),
        (world.a1, world.beta, 12000),
        (world.a3, world.gamma, 20000),
        (world.a2, world.alpha, 5000),
        (world.a4, world.beta, None),
    ]:
        GrantActivityFactory(
            grant=grant,
            activity=activity,
            range_state=state,
            amount_usd=None if amount is None else Decimal(amount),
        )
    return world


def rows(report, key):
    return {row[0]: row[1:] for row in report.table(key).rows}


def usd(*values):
    return [Decimal(v) for v in values]


def test_funding_gap_by_objective_is_the_hand_computed_one(funded):
    report = budget_overview(Scope(funded.strategy))
    table = rows(report, "funding_objectives")
    # cells, estimated, TBD, N/A, committed, gap, beyond, committed without estimate, lines without amount
    assert table["Objective 1"] == [4, *usd(80000), 1, 0, *usd(36000, 46000, 2000, 5000), 0]
    assert table["Objective 2"] == [0, *usd(0), 0, 1, *usd(0, 0, 0, 0), 1]
    assert table["Total"] == [4, *usd(80000), 1, 1, *usd(36000, 46000, 2000, 5000), 1]
    # the estimate is the budget report's own: the same total as its roll-up
    assert report.table("rollup").rows[-1][9] == Decimal(80000)


def test_funding_gap_by_range_state_keeps_tbd_out_of_the_states(funded):
    report = budget_overview(Scope(funded.strategy))
    table = rows(report, "funding_states")
    # cells, estimated, committed, gap, beyond, committed without estimate, lines without amount
    assert table == {
        "Alpha": [1, *usd(10000, 4000, 6000, 0, 5000), 0],
        "Beta": [1, *usd(10000, 12000, 0, 2000, 0), 1],
        "Gamma": [1, *usd(10000, 0, 10000, 0, 0), 0],
        "Whole strategy (not per country)": [1, *usd(50000, 20000, 30000, 0, 0), 0],
    }
    assert "tbd" not in [c.key for c in report.table("funding_states").columns]  # no zero for "no state"
    # both tables add up to the same gap
    assert sum(row[3] for row in table.values()) == rows(report, "funding_objectives")["Total"][5]
    assert any("1 grant line gives no amount" in note for note in report.notes)


def test_one_range_state_chosen_shows_its_row_and_the_whole_strategy_cells(funded):
    report = budget_overview(Scope(funded.strategy, range_state=funded.beta))
    assert list(rows(report, "funding_states")) == ["Beta", "Whole strategy (not per country)"]


def test_without_grants_nothing_is_committed_and_the_page_says_so(world):
    report = budget_overview(Scope(world.strategy))
    assert rows(report, "funding_objectives")["Total"][4:6] == usd(0, 80000)
    assert any("nothing is committed" in note for note in report.notes)


def test_funding_tables_are_on_the_page_and_in_both_exports(client, funded):
    query = {"strategy": funded.strategy.slug}
    page = client.get(f"{reverse('reporting:budget')}?{urlencode(query)}").content.decode()
    assert "Committed funding and funding gap by objective" in page
    assert "Committed funding and funding gap by Range State" in page
    csv_url = reverse("reporting:budget-export", kwargs={"fmt": "csv"})
    body = client.get(f"{csv_url}?{urlencode(query | {'table': 'funding_states'})}").content.decode(
        "utf-8-sig"
    )
    lines = list(csv.reader(io.StringIO(body)))
    assert lines[0][:5] == [
        "Range State",
        "Cost cells with an estimate",
        "Estimated cost, TBD excluded (USD)",
        "Committed funding (USD)",
        "Funding gap (USD)",
    ]
    xlsx_url = reverse("reporting:budget-export", kwargs={"fmt": "xlsx"})
    book = load_workbook(io.BytesIO(client.get(f"{xlsx_url}?{urlencode(query)}").content))
    sheet = next(ws for ws in book.worksheets if ws["A1"].value == "Objective")
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["Total"][6] == 46000  # a number, not text
