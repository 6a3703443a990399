"""REST API v1: pushing progress. The same rules as the web forms (activities.permissions, called by the
services), scoped tokens, optimistic locking, and the workflow actions."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from activities.models import DomainEvent, ProgressEntry
from tests.factories import (
    ActivityFactory,
    APITokenFactory,
    FocalPointFactory,
    ProgressEntryFactory,
    RangeStateFactory,
)

from .helpers import as_token, errors, secretariat_user

RS = ProgressEntry.ReviewState


@pytest.fixture
def setting(db):
    state, other = RangeStateFactory(iso_code="QA"), RangeStateFactory(iso_code="QB")
    activity = ActivityFactory(code="1.1.1.a")
    activity.strategy.range_states.add(state, other)
    focal = FocalPointFactory(range_state=state).user
    return {"state": state, "other": other, "activity": activity, "focal": focal}


def body(setting, **changes):
    return {
        "strategy": setting["activity"].strategy.slug,
        "activity": "1.1.1.a",
        "range_state": "QA",
        "reporting_date": "2025-06-30",
        "status": "in_progress",
        "narrative": "Camera-trap survey in Khosrov.",
        "restricted_details": "Den near the ridge.",
    } | changes


def write_token(user):
    return APITokenFactory(user=user, scope="read_write")


def test_a_focal_points_read_write_token_records_a_draft_for_its_state(api, setting):
    as_token(api, write_token(setting["focal"]))
    response = api.post(reverse("api:progress-list"), body(setting), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    entry = ProgressEntry.objects.get(pk=data["id"])
    assert (entry.review_state, entry.reported_by, entry.range_state) == (
        RS.DRAFT,
        setting["focal"],
        setting["state"],
    )
    assert data["restricted_details"] == "Den near the ridge."
    assert response["Location"] == data["url"]
    assert entry.history.first().history_change_reason == "Created"


def test_anonymous_clients_cannot_write(api, setting):
    response = api.post(reverse("api:progress-list"), body(setting), format="json")
    assert response.status_code == 401
    assert not ProgressEntry.objects.exists()


def test_a_read_only_token_never_writes_even_for_a_focal_point(api, setting):
    as_token(api, APITokenFactory(user=setting["focal"], scope="read"))
    response = api.post(reverse("api:progress-list"), body(setting), format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["errors"][0]["detail"]
    assert not ProgressEntry.objects.exists()


def test_a_read_write_token_cannot_exceed_its_owners_permissions(api, setting):
    as_token(api, write_token(setting["focal"]))
    response = api.post(reverse("api:progress-list"), body(setting, range_state="QB"), format="json")
    assert response.status_code == 403
    assert errors(response) == {None: "permission_denied"}


def test_a_partner_without_any_role_cannot_record_progress(api, setting):
    as_token(api, APITokenFactory(scope="read_write"))
    assert api.post(reverse("api:progress-list"), body(setting), format="json").status_code == 403


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"activity": "9.9.9"}, {"activity"}),
        ({"strategy": "no-such-strategy"}, {"strategy"}),
        ({"range_state": "ZZ"}, {"range_state"}),
        ({"status": "finished", "reporting_date": "30 June"}, {"status", "reporting_date"}),
        ({"amount_spent_usd": -5}, {"amount_spent_usd"}),
        ({"reporting_round": 999999}, {"reporting_round"}),
    ],
)
def test_bad_bodies_are_400_naming_the_fields(api, setting, changes, fields):
    as_token(api, write_token(setting["focal"]))
    response = api.post(reverse("api:progress-list"), body(setting, **changes), format="json")
    assert response.status_code == 400
    assert set(errors(response)) == fields


def test_a_missing_field_and_malformed_json_are_400(api, setting):
    as_token(api, write_token(setting["focal"]))
    response = api.post(reverse("api:progress-list"), {"strategy": "x"}, format="json")
    assert response.status_code == 400
    assert {"activity", "range_state", "reporting_date", "status"} <= set(errors(response))
    response = api.post(reverse("api:progress-list"), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert errors(response) == {None: "parse_error"}


def test_a_range_state_outside_the_strategy_is_refused_even_for_the_secretariat(api, setting):
    RangeStateFactory(iso_code="QC")
    api.force_login(secretariat_user())
    response = api.post(reverse("api:progress-list"), body(setting, range_state="QC"), format="json")
    assert response.status_code == 403
    assert errors(response) == {None: "permission_denied"}


def test_patch_needs_the_current_version_and_a_stale_one_is_409(api, setting):
    entry = ProgressEntryFactory(activity=setting["activity"], range_state=setting["state"])
    as_token(api, write_token(setting["focal"]))
    url = reverse("api:progress-detail", args=[entry.pk])
    response = api.patch(url, {"narrative": "Updated."}, format="json")
    assert response.status_code == 400
    assert errors(response) == {"version": "required"}
    response = api.patch(url, {"version": 1, "narrative": "Updated."}, format="json")
    assert response.status_code == 200
    assert (response.json()["narrative"], response.json()["version"]) == ("Updated.", 2)
    response = api.patch(url, {"version": 1, "narrative": "Lost update"}, format="json")
    assert response.status_code == 409
    assert errors(response) == {"version": "stale_version"}
    assert response.json()["current_version"] == 2
    entry.refresh_from_db()
    assert entry.narrative == "Updated."


def test_patch_with_nothing_to_change_and_put_are_refused(api, setting):
    entry = ProgressEntryFactory(activity=setting["activity"], range_state=setting["state"])
    as_token(api, write_token(setting["focal"]))
    url = reverse("api:progress-detail", args=[entry.pk])
    assert api.patch(url, {"version": 1}, format="json").status_code == 400
    assert api.put(url, {"version": 1}, format="json").status_code == 405


def test_editing_an_approved_entry_needs_the_secretariat_and_a_reason(api, setting):
    entry = ProgressEntryFactory(
        activity=setting["activity"], range_state=setting["state"], review_state=RS.APPROVED
    )
    url = reverse("api:progress-detail", args=[entry.pk])
    as_token(api, write_token(setting["focal"]))
    assert api.patch(url, {"version": 1, "status": "completed"}, format="json").status_code == 403
    client = APIClient()
    client.force_login(secretariat_user())
    response = client.patch(url, {"version": 1, "status": "completed"}, format="json")
    assert response.status_code == 400
    assert errors(response) == {"reason": "invalid"}
    response = client.patch(url, {"version": 1, "status": "completed", "reason": "Typo"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "completed"


def test_submit_approve_and_return_follow_the_workflow(api, setting):
    entry = ProgressEntryFactory(
        activity=setting["activity"], range_state=setting["state"], reported_by=setting["focal"]
    )
    as_token(api, write_token(setting["focal"]))
    response = api.post(reverse("api:progress-submit", args=[entry.pk]))
    assert response.status_code == 200
    assert response.json()["review_state"] == "submitted"
    # the reporter cannot approve, and nor can a read-only Secretariat token
    assert api.post(reverse("api:progress-approve", args=[entry.pk])).status_code == 403
    reviewer = secretariat_user()
    as_token(api, APITokenFactory(user=reviewer, scope="read"))
    assert api.post(reverse("api:progress-approve", args=[entry.pk])).status_code == 403
    as_token(api, write_token(reviewer))
    response = api.post(reverse("api:progress-return", args=[entry.pk]), {}, format="json")
    assert response.status_code == 400
    assert errors(response) == {"comment": "required"}
    response = api.post(reverse("api:progress-approve", args=[entry.pk]))
    assert response.status_code == 200
    assert response.json()["review_state"] == "approved"
    assert set(DomainEvent.objects.values_list("kind", flat=True)) == {
        "progress.approved",
        "activity.status_changed",
    }
    # approving again: no longer submitted
    assert api.post(reverse("api:progress-approve", args=[entry.pk])).status_code == 403


def test_return_with_a_comment(api, setting):
    entry = ProgressEntryFactory(
        activity=setting["activity"], range_state=setting["state"], review_state=RS.SUBMITTED
    )
    as_token(api, write_token(secretariat_user()))
    response = api.post(
        reverse("api:progress-return", args=[entry.pk]), {"comment": "Add the report."}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["review_state"], response.json()["review_comment"]) == (
        "returned",
        "Add the report.",
    )


def test_entries_a_user_cannot_see_are_404_for_actions(api, setting):
    entry = ProgressEntryFactory(activity=setting["activity"], range_state=setting["other"])
    as_token(api, write_token(setting["focal"]))
    assert api.post(reverse("api:progress-submit", args=[entry.pk])).status_code == 404
    assert (
        api.patch(reverse("api:progress-detail", args=[entry.pk]), {"version": 1}, format="json").status_code
        == 404
    )


def test_session_writes_need_the_csrf_token(setting):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(setting["focal"])
    response = client.post(reverse("api:progress-list"), body(setting), format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["errors"][0]["detail"]
