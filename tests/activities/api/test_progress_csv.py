"""The progress list as CSV is streamed from values() (activities/api/streaming.py): the same rows and
cells as the JSON list gives, for each kind of reader, in a fixed number of queries."""

import csv
import io

import pytest
from django.urls import reverse

from activities.api.renderers import CSVRenderer
from activities.models import ProgressEntry
from tests.factories import (
    ActivityFactory,
    DelegationFactory,
    EvidenceLinkFactory,
    FocalPointFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    SecretariatUserFactory,
    UserFactory,
)

from .helpers import approved_entry

RS = ProgressEntry.ReviewState
URL = reverse("api:progress-list")


def _body(response) -> str:
    assert response.streaming, "the CSV export is streamed"
    return b"".join(response.streaming_content).decode("utf-8")


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def world(db):
    """Two states, entries in every review state, restricted details, evidence (one restricted, one a
    hostile title), a range-wide entry, a focal point of one state and a delegate of one activity."""
    iran, iraq = RangeStateFactory(iso_code="QI"), RangeStateFactory(iso_code="QQ")
    activity, other = ActivityFactory(code="1.1.1"), ActivityFactory(code="1.1.2")
    for a in (activity, other):
        a.strategy.range_states.add(iran, iraq)
    entries = [
        approved_entry(
            activity, iran, restricted_details="Den at 36.1N", amount_spent_usd="1200.5", source="=cmd|x"
        ),
        approved_entry(other, iraq, restricted_details="Camera trap 7"),
        approved_entry(activity, None, narrative="Range-wide survey"),
        ProgressEntryFactory(activity=activity, range_state=iran, review_state=RS.SUBMITTED),
        ProgressEntryFactory(activity=other, range_state=iraq, review_state=RS.RETURNED),
        ProgressEntryFactory(activity=other, range_state=iran, review_state=RS.DRAFT, narrative="-1+1"),
    ]
    EvidenceLinkFactory(entry=entries[0], title="Survey, 2025", restricted=False)
    EvidenceLinkFactory(entry=entries[0], title="Den photos", restricted=True)
    EvidenceLinkFactory(entry=entries[1], title="@SUM(A1)")
    focal = FocalPointFactory(range_state=iran).user
    delegate = DelegationFactory(range_state=iraq, activity=other).delegate
    return {"entries": entries, "focal": focal, "delegate": delegate}


@pytest.mark.parametrize("reader", ["anonymous", "partner", "secretariat", "focal", "delegate"])
def test_the_csv_has_the_rows_and_cells_of_the_json_list(api, world, reader):
    user = {
        "anonymous": None,
        "partner": UserFactory(),
        "secretariat": SecretariatUserFactory(),
        "focal": world["focal"],
        "delegate": world["delegate"],
    }[reader]
    if user:
        api.force_authenticate(user)
    data = api.get(URL, {"page_size": 500}).data
    expected = _rows(CSVRenderer().render(data).decode("utf-8"))
    response = api.get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="progress.csv"' in response["Content-Disposition"]
    rows = _rows(_body(response))
    assert len(rows) == len(expected) == data["count"]
    for got, want in zip(rows, expected, strict=True):
        assert got == {name: want.get(name, "") for name in got}
    header = set(rows[0])
    if reader in ("anonymous", "partner"):
        assert not header & {"restricted_details", "review_comment"}
    else:
        assert {"restricted_details", "review_comment"} <= header


def test_restricted_details_and_evidence_reach_only_who_may_see_them(api, world):
    api.force_authenticate(world["focal"])  # of QI only
    rows = {row["id"]: row for row in _rows(_body(api.get(URL, {"format": "csv"})))}
    qi, qq = world["entries"][0], world["entries"][1]
    assert rows[str(qi.pk)]["restricted_details"] == "Den at 36.1N"
    assert "Den photos" in rows[str(qi.pk)]["evidence"]
    assert rows[str(qq.pk)]["restricted_details"] == ""  # another state's secret
    api.force_authenticate(None)
    text = _body(api.get(URL, {"format": "csv"}))
    assert "Den at 36.1N" not in text and "Den photos" not in text and "Camera trap" not in text
    assert "Survey, 2025" in text


def test_cells_that_look_like_formulas_stay_text(api, world):
    api.force_authenticate(SecretariatUserFactory())
    rows = {row["id"]: row for row in _rows(_body(api.get(URL, {"format": "csv"})))}
    assert rows[str(world["entries"][0].pk)]["source"] == "'=cmd|x"
    assert rows[str(world["entries"][5].pk)]["narrative"] == "'-1+1"
    assert "title='@SUM(A1)" not in rows[str(world["entries"][1].pk)]["evidence"]


def test_filters_pages_and_the_next_link_apply_to_the_csv(api, world):
    api.force_authenticate(SecretariatUserFactory())
    response = api.get(URL, {"format": "csv", "review_state": "approved", "page_size": 2})
    assert [row["review_state"] for row in _rows(_body(response))] == ["approved", "approved"]
    assert 'rel="next"' in response["Link"] and "page=2" in response["Link"]
    last = api.get(URL, {"format": "csv", "review_state": "approved", "page_size": 2, "page": 2})
    assert len(_rows(_body(last))) == 1 and not last.has_header("Link")
    assert api.get(URL, {"format": "csv", "page": 9}).status_code == 404
    assert api.get(URL, {"format": "csv", "status": "nonsense"}).status_code == 400


@pytest.mark.parametrize("rows", [3, 30])
def test_csv_query_count_is_flat(api, django_assert_num_queries, rows):
    state = RangeStateFactory()
    for activity in ActivityFactory.create_batch(rows):
        EvidenceLinkFactory(entry=approved_entry(activity, state))
    # change marker (the ETag), count, entries (one server-side cursor), evidence of the chunk
    with django_assert_num_queries(4):
        response = api.get(URL, {"format": "csv"})
        body = _body(response)
    assert len(_rows(body)) == rows


@pytest.mark.parametrize("code", ["1.1.1.a", "1 1 1", "1.1%20", "a?b#c", "Δ-1.1", "a&b=c", "x:y@z~"])
def test_list_urls_are_those_reverse_gives(api, db, code):
    activity = ActivityFactory(code=code)
    body = api.get(reverse("api:activity-list")).json()
    expected = "http://testserver" + reverse(
        "api:strategy-activity-detail", args=[activity.strategy.slug, code]
    )
    assert [row["url"] for row in body["results"]] == [expected]
    theme = api.get(reverse("api:theme-list")).json()["results"][0]  # a route of digits only
    assert theme["url"].endswith(f"/themes/{activity.result.objective.theme.number}/")
