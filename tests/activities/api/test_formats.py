"""REST API v1: CSV and XLSX output, conditional requests (ETag → 304), throttling, the OpenAPI
schema and its docs page."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from activities.api.throttling import AnonymousThrottle, UserOrTokenThrottle
from tests.factories import ActivityFactory, ActorFactory, APITokenFactory, RangeStateFactory, ResultFactory

from .helpers import approved_entry, as_token, errors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def activities(db):
    state = RangeStateFactory(iso_code="QA")
    result = ResultFactory(code="1.1")
    first = ActivityFactory(
        result=result, code="1.1.1", cost_text="10,000", cost_kind="amount", cost_usd=10000
    )
    second = ActivityFactory(result=result, code="1.1.2", text='=HYPERLINK("http://evil")')
    first.strategy.range_states.add(state)
    first.actors.add(ActorFactory(name="NGOs"), ActorFactory(name="GOs"))
    approved_entry(first, state, "completed")
    return first, second


def test_csv_has_a_header_and_one_flat_row_per_activity(api, activities):
    response = api.get(reverse("api:activity-list"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="activity.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["code"] for row in rows] == ["1.1.1", "1.1.2"]
    assert rows[0]["actors"] == "GOs; NGOs"
    assert rows[0]["statuses"] == "QA: completed (2025-06-30)"
    assert rows[0]["cost_usd"] == "10000.00" or float(rows[0]["cost_usd"]) == 10000
    assert rows[1]["text"].startswith("'=")  # never a formula


def test_csv_applies_the_same_filters_and_accept_header_works(api, activities):
    response = api.get(
        reverse("api:activity-list"), {"due_year": 2025, "search": "1.1.2"}, HTTP_ACCEPT="text/csv"
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["code"] for row in rows] == ["1.1.2"]


def test_an_empty_csv_still_has_its_header(api, db):
    response = api.get(reverse("api:activity-list"), {"format": "csv"})
    header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["id", "url", "code"]


def test_xlsx_has_typed_cells_and_a_frozen_header(api, activities):
    response = api.get(reverse("api:activity-list"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.freeze_panes == "A2"
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert first["code"] == "1.1.1"
    assert first["cost_usd"] == 10000 and isinstance(first["cost_usd"], int | float)
    assert first["due_year"] == 2025
    assert first["priority"] == 2
    second = dict(zip(header, [cell for cell in sheet[3]], strict=True))
    assert second["text"].data_type == "s"  # text that looks like a formula stays text


def test_errors_are_json_even_when_a_spreadsheet_was_asked_for(api, db):
    response = api.get(reverse("api:activity-list"), {"format": "csv", "due_year": "soon"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert errors(response) == {"due_year": "invalid"}


def test_an_unknown_format_is_a_400_naming_it(api, db):
    response = api.get(reverse("api:activity-list"), {"format": "pdf"})
    assert response.status_code == 400
    assert errors(response)


def test_progress_csv_leaves_out_restricted_details(api, activities):
    response = api.get(reverse("api:progress-list"), {"format": "csv"})
    assert "restricted_details" not in b"".join(response.streaming_content).decode()  # streamed


# --- conditional requests ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_unchanged_data_is_304_without_a_body(api, activities, fmt):
    url = reverse("api:activity-list")
    first = api.get(url, {"format": fmt})
    etag = first["ETag"]
    assert etag
    again = api.get(url, {"format": fmt}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert api.get(url, {"format": fmt}, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304


def test_a_change_gives_a_new_etag(api, activities):
    url = reverse("api:strategy-activity-detail", args=[activities[0].strategy.slug, "1.1.1"])
    etag = api.get(url)["ETag"]
    activities[0].indicator = "Map published"
    activities[0].save()
    response = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_a_different_format_or_user_view_has_another_etag(api, activities):
    url = reverse("api:activity-list")
    assert api.get(url)["ETag"] != api.get(url, {"format": "csv"})["ETag"]
    assert "Authorization" in api.get(url)["Vary"]


# --- throttling ----------------------------------------------------------------------------------------


def test_anonymous_clients_are_throttled_with_a_429_in_the_error_shape(api, db, monkeypatch):
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    url = reverse("api:actor-list")
    assert [api.get(url).status_code for _ in range(2)] == [200, 200]
    response = api.get(url)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert errors(response) == {None: "throttled"}


def test_tokens_are_throttled_each_on_its_own(api, db, monkeypatch):
    monkeypatch.setattr(UserOrTokenThrottle, "THROTTLE_RATES", {"user": "1/minute"})
    url = reverse("api:actor-list")
    one, two = APITokenFactory(), APITokenFactory()
    assert as_token(api, one).get(url).status_code == 200
    assert as_token(api, one).get(url).status_code == 429
    assert as_token(api, two).get(url).status_code == 200


# --- the schema and its docs ----------------------------------------------------------------------


def test_the_schema_validates_without_warnings(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_the_schema_documents_every_field_parameter_and_error(api, db):
    response = api.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    for name, component in schema["components"]["schemas"].items():
        for field, prop in component.get("properties", {}).items():
            described = prop.get("description") or any("description" in p for p in prop.get("allOf", []))
            assert described or "$ref" in prop or "allOf" in prop, f"{name}.{field} has no description"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{method} {path} {parameter['name']}"
            assert {"401", "429"} <= set(operation["responses"]), f"{method} {path}"
    activity_list = schema["paths"]["/api/v1/activities/"]["get"]
    names = {p["name"] for p in activity_list["parameters"]}
    assert {
        "strategy",
        "theme",
        "objective",
        "result",
        "priority",
        "due_year",
        "due_year_min",
        "due_year_max",
    } <= names
    assert {
        "overdue",
        "status",
        "range_state",
        "actor",
        "cami_pow",
        "updated_since",
        "search",
        "ordering",
    } <= names
    assert {"page", "page_size", "format"} <= names
    assert "400" in activity_list["responses"] and "304" in activity_list["responses"]
    assert "409" in schema["paths"]["/api/v1/progress/{id}/"]["patch"]["responses"]
    assert "/api/v1/strategies/{strategy_slug}/activities/{code}/" in schema["paths"]


def test_the_docs_pages_load(api, db):
    for name in ("api:docs", "api:redoc"):
        response = api.get(reverse(name))
        assert response.status_code == 200
        html = response.content.decode()
        if name == "api:docs":  # Swagger UI's initialiser is a script file of its own (CSP: no inline script)
            script = api.get(reverse(name) + "?script=")
            assert script.status_code == 200 and "javascript" in script["Content-Type"]
            html += script.content.decode()
        assert reverse("api:schema") in html
