"""Separation of duties covers the content, not only who reported and submitted: whoever changed an
entry's reported content (any editable field, evidence added or removed), at any time, approves and
returns nothing of it — through the services, the entry's page, the admin and the API alike. Nor does
whoever issued the reporting link or API token with which an entry was reported, changed or submitted.
Review comments are not content."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from activities import permissions, services
from activities.models import ProgressEntry
from activities.permissions import Action
from tests.activities.views.pages import World, form_data, signed_in, url

RS = ProgressEntry.ReviewState
CONTENT_REFUSAL = "Nobody approves or returns an entry whose reported content they changed"


@pytest.fixture
def world(db):
    return World()


def edit(world, user, entry, **changes):
    return services.progress_entry_update(user=user, entry=entry, expected_version=entry.version, **changes)


def refused_review(user, entry) -> str:
    """The reason `user` may neither approve nor return `entry` (checked through both services)."""
    with pytest.raises(PermissionDenied) as approving:
        services.progress_entry_approve(user=user, entry=entry)
    with pytest.raises(PermissionDenied) as returning:
        services.progress_entry_return(user=user, entry=entry, comment="Please check.")
    assert str(approving.value) == str(returning.value)
    return str(approving.value)


# --- the rule, through the services ----------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"narrative": "Rewritten by the reviewer."},
        {"status": ProgressEntry.Status.COMPLETED},
        {"restricted_details": "Den at 39.1, 45.2."},
        {"amount_spent_usd": 12000},
        {"reporting_date": datetime.date(2025, 4, 1)},
        {"source": "Reviewer's own notes"},
        {"confidence": ProgressEntry.Confidence.ESTIMATE},
        {"reporting_round": None},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_reviewer_who_changed_a_submitted_entry_cannot_review_it(world, change):
    entry = world.submitted()
    entry = edit(world, world.secretariat, entry, **change)

    assert CONTENT_REFUSAL in refused_review(world.secretariat, entry)
    entry.refresh_from_db()
    assert entry.review_state == RS.SUBMITTED
    # a colleague who changed nothing reviews it
    assert services.progress_entry_approve(user=world.colleague, entry=entry).review_state == RS.APPROVED


def test_a_change_before_submission_counts_too(world):
    # A change to the draft may survive the submission unnoticed: the rule holds for the entry's whole life.
    entry = edit(world, world.secretariat, world.entry(), narrative="Tidied by the Secretariat.")
    entry = services.progress_entry_submit(user=world.focal_am, entry=entry)
    assert CONTENT_REFUSAL in refused_review(world.secretariat, entry)


def test_a_change_survives_a_return_and_a_resubmission(world):
    entry = edit(world, world.secretariat, world.submitted(), narrative="Reviewer's wording.")
    entry = services.progress_entry_return(user=world.colleague, entry=entry, comment="Confirm the wording.")
    entry = services.progress_entry_submit(user=world.focal_am, entry=entry)
    assert CONTENT_REFUSAL in refused_review(world.secretariat, entry)


@pytest.mark.parametrize("step", ["added", "removed"])
def test_evidence_added_or_removed_by_a_reviewer_is_a_change_of_content(world, step):
    entry = world.submitted()
    if step == "added":
        services.evidence_add(user=world.secretariat, entry=entry, url="https://example.org/extra")
    else:
        evidence = services.evidence_add(
            user=world.focal_am, entry=world.entry(), url="https://example.org/r"
        )
        entry = services.progress_entry_submit(user=world.focal_am, entry=evidence.entry)
        services.evidence_remove(user=world.secretariat, evidence=evidence)
    assert CONTENT_REFUSAL in refused_review(world.secretariat, entry)


def test_a_review_comment_is_not_content(world):
    entry = services.progress_entry_return(
        user=world.secretariat, entry=world.submitted(), comment="Add the map."
    )
    entry = edit(world, world.focal_am, entry, narrative="Map added.")
    entry = services.progress_entry_submit(user=world.focal_am, entry=entry)
    assert services.progress_entry_approve(user=world.secretariat, entry=entry).review_state == RS.APPROVED


def test_saving_an_unchanged_value_changes_no_content(world):
    entry = world.submitted()
    entry = edit(world, world.secretariat, entry, narrative=entry.narrative)
    assert services.progress_entry_approve(user=world.secretariat, entry=entry).review_state == RS.APPROVED


def test_the_decision_carries_the_reason_and_the_page_offers_no_review(world, client):
    entry = edit(world, world.secretariat, world.submitted(), narrative="Reviewer's wording.")
    decision = permissions.decide(world.secretariat, Action.REVIEW, entry)
    assert not decision and CONTENT_REFUSAL in str(decision.reason)
    signed_in(client, world.secretariat)
    page = client.get(url("progress-detail", entry)).content.decode()
    assert url("progress-approve", entry) not in page
    queue = client.get(reverse("activities:review-queue")).content.decode()
    assert url("progress-approve", entry) not in queue


# --- the same rule on every surface ----------------------------------------------------------------


def test_web_edit_then_approve_is_refused(world, client):
    entry = world.submitted()
    signed_in(client, world.secretariat)
    response = client.post(
        url("progress-edit", entry), form_data(world, narrative="Changed on the page.", version=entry.version)
    )
    assert response.status_code == 302
    for action in ("progress-approve", "progress-return"):
        response = client.post(url(action, entry), {"comment": "Fine."})
        assert response.status_code == 403
        assert CONTENT_REFUSAL in response.content.decode()
    entry.refresh_from_db()
    assert (entry.narrative, entry.review_state) == ("Changed on the page.", RS.SUBMITTED)


def test_admin_edit_then_approve_is_refused(world, client):
    from tests.activities.admin.test_progress import change_form, messages_of

    entry = world.submitted()
    world.secretariat.is_staff = True
    world.secretariat.save()
    signed_in(client, world.secretariat)
    change = reverse("admin:activities_progressentry_change", args=[entry.pk])
    data = change_form(entry, narrative="Changed in the admin.", reporting_round=world.round.pk)
    assert client.post(change, data).status_code == 302
    changelist = reverse("admin:activities_progressentry_changelist")
    response = client.post(
        changelist, {"action": "approve_selected", "_selected_action": [entry.pk]}, follow=True
    )
    assert any(CONTENT_REFUSAL in message for message in messages_of(response))
    entry.refresh_from_db()
    assert (entry.narrative, entry.review_state) == ("Changed in the admin.", RS.SUBMITTED)


def test_api_patch_then_approve_is_refused(world):
    entry = world.submitted()
    api = APIClient()
    api.force_authenticate(world.secretariat)
    detail = reverse("api:progress-detail", args=[entry.pk])
    response = api.patch(
        detail, {"version": entry.version, "narrative": "Changed through the API."}, format="json"
    )
    assert response.status_code == 200
    for action, body in (("approve", {}), ("return", {"comment": "Fine."})):
        response = api.post(reverse(f"api:progress-{action}", args=[entry.pk]), body, format="json")
        assert response.status_code == 403
        assert CONTENT_REFUSAL in response.json()["errors"][0]["detail"]
    api.force_authenticate(world.colleague)
    assert api.post(reverse("api:progress-approve", args=[entry.pk])).status_code == 200


# --- credentials the reviewer issued ---------------------------------------------------------------


def test_the_issuer_of_a_reporting_link_cannot_approve_what_was_submitted_with_it(world, client):
    entry = world.entry()
    _, token = services.reporting_link_create(
        user=world.secretariat, focal_point=world.focal_am, range_state=world.am
    )
    # Whoever made the link holds it: signing in with it acts as the focal point.
    assert client.post(reverse("activities:reportinglink-redeem", args=[token])).status_code == 302
    assert client.post(url("progress-submit", entry)).status_code == 302
    entry.refresh_from_db()
    assert (entry.review_state, entry.submitted_by) == (RS.SUBMITTED, world.focal_am)

    assert CONTENT_REFUSAL in refused_review(world.secretariat, entry)
    assert services.progress_entry_approve(user=world.colleague, entry=entry).review_state == RS.APPROVED


def test_the_issuer_of_an_api_token_cannot_approve_what_was_pushed_with_it(world):
    _, key = services.api_token_issue(
        user=world.secretariat, owner=world.focal_am, name="National system", scope="read_write"
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    created = api.post(
        reverse("api:progress-list"),
        {
            "strategy": world.strategy.slug,
            "activity": world.activity.code,
            "range_state": "AM",
            "reporting_date": "2025-05-01",
            "status": "in_progress",
            "narrative": "Pushed by the national system.",
        },
        format="json",
    )
    assert created.status_code == 201
    assert api.post(reverse("api:progress-submit", args=[created.json()["id"]])).status_code == 200
    entry = ProgressEntry.objects.get(pk=created.json()["id"])
    assert (entry.reported_by, entry.submitted_by) == (world.focal_am, world.focal_am)

    assert CONTENT_REFUSAL in refused_review(world.secretariat, entry)
    assert services.progress_entry_approve(user=world.colleague, entry=entry).review_state == RS.APPROVED


def test_a_token_issued_by_its_own_owner_names_no_other_issuer(world):
    _, key = services.api_token_issue(
        user=world.secretariat, owner=world.secretariat, name="Mine", scope="read_write"
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    entry = world.submitted()
    assert api.post(reverse("api:progress-approve", args=[entry.pk])).status_code == 200


def test_a_link_no_longer_signs_in_an_account_that_became_staff(world, client):
    _, token = services.reporting_link_create(
        user=world.secretariat, focal_point=world.focal_am, range_state=world.am
    )
    redeem = reverse("activities:reportinglink-redeem", args=[token])
    assert client.post(redeem).status_code == 302
    world.focal_am.is_staff = True
    world.focal_am.save()
    # the session opened with the link ends
    response = client.get(reverse("activities:home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    # and the link signs in no more
    response = client.post(redeem)
    assert response.status_code == 410
    assert "staff rights" in response.content.decode()


# --- entries reported before the rule: the history tells who changed what ---------------------------


def test_the_migration_records_contributors_from_the_history(world):
    entry = edit(world, world.secretariat, world.entry(), narrative="Secretariat's draft wording.")
    entry = services.progress_entry_submit(user=world.focal_am, entry=entry)
    services.evidence_add(user=world.colleague, entry=entry, url="https://example.org/map")
    untouched = world.submitted(narrative="Nobody else touched this one.")
    ProgressEntry.contributors.through.objects.all().delete()

    migration = importlib.import_module("activities.migrations.0006_record_contributors_from_history")
    migration.record_contributors(apps, None)

    assert set(entry.contributors.all()) == {world.focal_am, world.secretariat, world.colleague}
    assert set(untouched.contributors.all()) == {world.focal_am}
    assert CONTENT_REFUSAL in refused_review(world.secretariat, entry)
