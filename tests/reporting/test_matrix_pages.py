"""The Range State matrix page shows 100 activities at a time (its size must not grow with the strategy);
its CSV and XLSX keep every activity."""

import csv
import io

import pytest
from django.urls import reverse

from activities import changes
from tests.factories import ActivityFactory, RangeStateFactory, StrategyFactory


@pytest.fixture
def big_strategy(db):
    strategy = StrategyFactory(slug="big")
    strategy.range_states.add(RangeStateFactory(iso_code="QA"))
    activity = ActivityFactory(result__objective__strategy=strategy, code="1.1.001")
    for i in range(2, 131):
        ActivityFactory(result=activity.result, code=f"1.1.{i:03}")
    return strategy


def test_the_matrix_page_shows_a_hundred_activities_and_links_the_next(client, big_strategy):
    path = reverse("reporting:matrix")
    first = client.get(path, {"strategy": "big", "range_state": "QA"}).content.decode()
    assert first.count('<th scope="row">') == 100
    assert "Activities 1–100 of 130." in first
    assert 'href="?strategy=big&amp;range_state=QA&amp;page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    second = client.get(path, {"strategy": "big", "range_state": "QA", "page": 2}).content.decode()
    assert second.count('<th scope="row">') == 30
    assert "1.1.101" in second and "1.1.100<" not in second
    assert 'href="?strategy=big&amp;range_state=QA&amp;page=1" rel="prev"' in second
    # the CSV link of a later page still exports every activity
    assert "page=2&amp;table=matrix" not in second
    for page in ("99", "x"):  # beyond the last: the last page; unreadable: the first
        assert client.get(path, {"strategy": "big", "page": page}).status_code == 200


def test_the_matrix_exports_keep_every_activity(client, big_strategy):
    response = client.get(
        reverse("reporting:matrix-export", kwargs={"fmt": "csv"}),
        {"strategy": "big", "table": "matrix", "page": 2},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 130


def test_a_small_matrix_has_no_pager(client, db):
    strategy = StrategyFactory(slug="small")
    ActivityFactory.create_batch(3, result__objective__strategy=strategy)
    html = client.get(reverse("reporting:matrix"), {"strategy": "small"}).content.decode()
    assert html.count('<th scope="row">') == 3
    assert "Next activities" not in html


def _page_cells(client, page: int) -> dict[str, list[str]]:
    """Each activity's cell texts on one matrix page (status label, "range-wide" when taken from it)."""
    html = client.get(reverse("reporting:matrix"), {"strategy": "big", "page": page}).content.decode()
    rows = {}
    for row in html.split('<th scope="row">')[1:]:
        code = row.split("</a>")[0].rsplit(">", 1)[-1].strip("\u2066\u2069")
        rows[code] = [
            cell.split("</span>")[0]
            + (" (range-wide)" if cell.split("</span>")[1].startswith('<span class="via">') else "")
            for cell in row.split('<span class="st-text">')[1:]
        ]
    return rows


@pytest.fixture
def reported(big_strategy):
    """Approved statuses on activities of both pages, one of them range-wide only."""
    from activities.models import Activity, ProgressEntry

    from ..activities.api.helpers import approved_entry

    state = big_strategy.range_states.get()
    for code, status in {"1.1.002": "completed", "1.1.099": "delayed", "1.1.120": "in_progress"}.items():
        approved_entry(Activity.objects.get(strategy=big_strategy, code=code), state, status=status)
    wide = Activity.objects.get(strategy=big_strategy, code="1.1.130")
    approved_entry(wide, None, ProgressEntry.Status.COMPLETED)
    return big_strategy


@pytest.mark.parametrize(("page", "activities"), [(1, 100), (2, 30)])
def test_a_matrix_page_reads_the_cells_of_its_own_activities_only(client, reported, page, activities):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reporting:matrix"), {"strategy": "big", "page": page})
    assert response.status_code == 200
    marker = changes.marker_sql("reports")
    cells = [
        q["sql"] for q in queries.captured_queries if "activitystatestatus" in q["sql"] and q["sql"] != marker
    ]
    assert len(cells) == 1, "one query for the page's cells"
    ids = cells[0].split('"activity_id" IN (')[1].split(")")[0].split(",")
    assert len(ids) == activities  # the page's activities, never the strategy's 130


def test_the_matrix_page_and_its_export_show_the_same_figures(client, reported):
    from activities.models import ProgressEntry

    pages = _page_cells(client, 1) | _page_cells(client, 2)
    response = client.get(
        reverse("reporting:matrix-export", kwargs={"fmt": "csv"}), {"strategy": "big", "table": "matrix"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    assert len(pages) == len(rows) == 130
    labels = {str(label): value for value, label in ProgressEntry.Status.choices}
    exported = {row[0]: [row[3], row[6]] for row in rows}  # QA status, range-wide status
    assert set(exported) == set(pages)
    for code, cells in pages.items():
        assert len(cells) == 2
        assert exported[code] == cells, code
    assert labels[pages["1.1.099"][0]] == "delayed"
    assert pages["1.1.130"] == ["Completed (range-wide)", "Completed"]
