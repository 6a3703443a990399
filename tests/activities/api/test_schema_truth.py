"""The schema says what the code enforces (what schemathesis, tests/schemathesis/, found): restricted
details are not promised to every reader, a page is a whole number from 1, empty filter values are
refused, amounts have two decimals, and text refuses control characters. Each rule is read from the
schema and tried against the API."""

import re

import pytest
from django.urls import reverse

from tests.factories import ActivityFactory, APITokenFactory, FocalPointFactory

from .helpers import approved_entry, as_token, errors, secretariat_user
from .test_progress import body, write_token
from .test_progress import setting as _setting

setting = _setting  # the fixture: an activity with a focal point
pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api):
    response = api.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_restricted_details_are_not_required_because_the_public_does_not_get_them(api, schema):
    entry_schema = schema["components"]["schemas"]["ProgressEntry"]
    assert "restricted_details" in entry_schema["properties"]
    assert "restricted_details" not in entry_schema["required"]
    assert {"id", "status", "evidence"} <= set(entry_schema["required"])
    entry = approved_entry(ActivityFactory(), FocalPointFactory().range_state, restricted_details="Den.")
    url = reverse("api:progress-detail", args=[entry.pk])
    assert "restricted_details" not in api.get(url).json()
    as_token(api, APITokenFactory(user=secretariat_user()))
    assert api.get(url).json()["restricted_details"] == "Den."


def test_the_review_comment_is_not_required_because_the_public_does_not_get_it(api, schema):
    entry_schema = schema["components"]["schemas"]["ProgressEntry"]
    assert "review_comment" in entry_schema["properties"]
    assert "review_comment" not in entry_schema["required"]
    entry = approved_entry(ActivityFactory(), FocalPointFactory().range_state)
    url = reverse("api:progress-detail", args=[entry.pk])
    assert "review_comment" not in api.get(url).json()
    as_token(api, APITokenFactory(user=secretariat_user()))
    assert "review_comment" in api.get(url).json()


@pytest.mark.parametrize("page", ["0", "-1", "last", "1.5", "x"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400_naming_it(api, schema, page):
    page_schema = next(
        p["schema"]
        for p in schema["paths"]["/api/v1/activities/"]["get"]["parameters"]
        if p["name"] == "page"
    )
    assert page_schema == {"type": "integer", "minimum": 1}
    response = api.get(reverse("api:activity-list"), {"page": page})
    assert response.status_code == 400 and errors(response) == {"page": "invalid"}


def test_a_page_beyond_the_last_is_a_documented_404(api, schema):
    response = api.get(reverse("api:activity-list"), {"page": 2})
    assert response.status_code == 404
    lists = [
        (path, operation)
        for path, method, operation in operations(schema)
        if method == "get" and "#/components/schemas/Paginated" in str(operation["responses"]["200"])
    ]
    assert len(lists) >= 10
    for path, operation in lists:
        assert "A page beyond the last one" in operation["responses"]["404"]["description"], path


def test_every_text_filter_says_it_needs_a_value_and_an_empty_one_is_a_400(api, schema):
    checked = 0
    for path, _method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query" or parameter["name"] == "search":
                continue
            value = parameter["schema"]
            if value.get("type") == "array":
                assert value["minItems"] == 1, (path, parameter["name"])
                value = value["items"]
            assert "nullable" not in value, (path, parameter["name"])
            if value.get("type") == "string" and not {"enum", "format"} & set(value):
                assert value["minLength"] == 1, (path, parameter["name"])
                checked += 1
    assert checked >= 20
    response = api.get(reverse("api:activity-list"), {"strategy": "", "result": ""})
    assert response.status_code == 400 and errors(response) == {"result": "blank", "strategy": "blank"}


def test_amounts_have_at_most_two_decimals_in_the_schema_and_the_api(api, schema, setting):
    for name in ("ProgressEntryCreateRequest", "PatchedProgressEntryUpdateRequest"):
        assert schema["components"]["schemas"][name]["properties"]["amount_spent_usd"]["multipleOf"] == 0.01
    as_token(api, write_token(setting["focal"]))
    response = api.post(reverse("api:progress-list"), body(setting, amount_spent_usd=0.001), format="json")
    assert response.status_code == 400 and "amount_spent_usd" in errors(response)
    response = api.post(reverse("api:progress-list"), body(setting, amount_spent_usd=12.5), format="json")
    assert response.status_code == 201


def test_text_fields_refuse_control_characters_in_the_schema_and_the_api(api, schema, setting):
    pattern = schema["components"]["schemas"]["ProgressEntryCreateRequest"]["properties"]["narrative"][
        "pattern"
    ]
    assert pattern == r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"
    assert (
        schema["components"]["schemas"]["ProgressEntryReturnRequest"]["properties"]["comment"]["pattern"]
        == pattern
    )
    compiled = re.compile(pattern)  # Python reads the same \uXXXX escapes as ECMA-262
    assert compiled.match("Camera traps\tset\nin Khosrov.") and not compiled.match("bell\x07")
    as_token(api, write_token(setting["focal"]))
    response = api.post(reverse("api:progress-list"), body(setting, source="copied\x07"), format="json")
    assert response.status_code == 400 and errors(response) == {"source": "control_characters"}
