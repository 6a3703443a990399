"""Every change to a progress entry is kept: who, when, why, and the previous values.

Services set the history user themselves (`entry._history_user`), so the acting user is recorded for
web requests, API calls and management commands alike; simple-history's middleware is not needed."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from activities import services
from activities.models import ProgressEntry
from tests.factories import (
    ActivityFactory,
    DelegationFactory,
    FocalPointFactory,
    RangeStateFactory,
    SecretariatUserFactory,
    StrategyFactory,
    UserFactory,
)

RS = ProgressEntry.ReviewState


@pytest.fixture
def w(db):
    strategy = StrategyFactory()
    state = RangeStateFactory()
    strategy.range_states.add(state)
    activity = ActivityFactory(result__objective__strategy=strategy)
    focal = UserFactory(username="focal")
    FocalPointFactory(user=focal, range_state=state)
    expert = UserFactory(username="expert")
    DelegationFactory(delegate=expert, granted_by=focal, range_state=state, activity=activity)
    return SimpleNamespace(
        state=state,
        activity=activity,
        focal=focal,
        expert=expert,
        reviewer=SecretariatUserFactory(username="reviewer"),
        editor=SecretariatUserFactory(username="editor"),
    )


def history(entry):
    """(type, user, reason, review state) of each version, oldest first."""
    return [
        (h.history_type, h.history_user, h.history_change_reason, h.review_state)
        for h in entry.history.order_by("history_date", "history_id")
    ]


def test_every_transition_is_recorded_with_the_acting_user_and_the_reason(w):
    entry = services.progress_entry_create(
        user=w.expert, activity=w.activity, range_state=w.state, reporting_date=datetime.date(2025, 6, 30),
        status=ProgressEntry.Status.IN_PROGRESS, narrative="Draft by the expert.",
    )  # fmt: skip
    entry = services.progress_entry_update(
        user=w.focal, entry=entry, expected_version=entry.version, narrative="Checked by the focal point."
    )
    entry = services.progress_entry_submit(user=w.focal, entry=entry)
    entry = services.progress_entry_return(user=w.reviewer, entry=entry, comment="Attach the survey.")
    entry = services.progress_entry_update(
        user=w.focal, entry=entry, expected_version=entry.version, source="Survey 2025"
    )
    entry = services.progress_entry_submit(user=w.focal, entry=entry)
    entry = services.progress_entry_approve(user=w.reviewer, entry=entry)
    services.progress_entry_update(
        user=w.editor,
        entry=entry,
        expected_version=entry.version,
        reason="The reserve asked us to correct the date.",
        reporting_date=datetime.date(2025, 6, 15),
    )

    assert history(entry) == [
        ("+", w.expert, "Created", RS.DRAFT),
        ("~", w.focal, "Edited", RS.DRAFT),
        ("~", w.focal, "Submitted", RS.SUBMITTED),
        ("~", w.reviewer, "Returned", RS.RETURNED),
        ("~", w.focal, "Edited", RS.RETURNED),
        ("~", w.focal, "Resubmitted", RS.SUBMITTED),
        ("~", w.reviewer, "Approved", RS.APPROVED),
        ("~", w.editor, "The reserve asked us to correct the date.", RS.APPROVED),
    ]


def test_a_version_shows_the_previous_values(w):
    entry = services.progress_entry_create(
        user=w.focal, activity=w.activity, range_state=w.state, reporting_date=datetime.date(2025, 6, 30),
        status=ProgressEntry.Status.IN_PROGRESS, narrative="Two camera traps.",
    )  # fmt: skip

    services.progress_entry_update(
        user=w.focal,
        entry=entry,
        expected_version=entry.version,
        narrative="Five camera traps.",
        status=ProgressEntry.Status.COMPLETED,
    )

    new, old = entry.history.order_by("-history_date", "-history_id")[:2]
    delta = new.diff_against(old, excluded_fields=["updated_at"])
    changes = {c.field: (c.old, c.new) for c in delta.changes}
    assert changes == {
        "narrative": ("Two camera traps.", "Five camera traps."),
        "status": (ProgressEntry.Status.IN_PROGRESS, ProgressEntry.Status.COMPLETED),
    }
    assert (old.version, new.version) == (1, 2)


def test_the_reason_for_editing_an_approved_entry_is_kept_with_the_old_values(w):
    entry = services.progress_entry_create(
        user=w.focal, activity=w.activity, range_state=w.state, reporting_date=datetime.date(2025, 6, 30),
        status=ProgressEntry.Status.IN_PROGRESS, amount_spent_usd=1000,
    )  # fmt: skip
    entry = services.progress_entry_submit(user=w.focal, entry=entry)
    entry = services.progress_entry_approve(user=w.reviewer, entry=entry)

    services.progress_entry_update(
        user=w.editor,
        entry=entry,
        expected_version=entry.version,
        reason="Amount in EUR, not USD",
        amount_spent_usd=1085,
    )

    latest = entry.history.first()
    assert (latest.history_user, latest.history_change_reason) == (w.editor, "Amount in EUR, not USD")
    change = latest.diff_against(latest.prev_record, included_fields=["amount_spent_usd"]).changes[0]
    assert (change.old, change.new) == (1000, 1085)


def test_a_refused_action_leaves_no_history(w):
    entry = services.progress_entry_create(
        user=w.focal, activity=w.activity, range_state=w.state, reporting_date=datetime.date(2025, 6, 30),
        status=ProgressEntry.Status.IN_PROGRESS,
    )  # fmt: skip

    with pytest.raises(PermissionDenied, match="Delegates prepare drafts"):
        services.progress_entry_submit(user=w.expert, entry=entry)
    with pytest.raises(services.EditConflict):
        services.progress_entry_update(user=w.focal, entry=entry, expected_version=0, narrative="stale")

    assert entry.history.count() == 1


def test_evidence_changes_are_recorded_with_the_acting_user(w):
    entry = services.progress_entry_create(
        user=w.focal, activity=w.activity, range_state=w.state, reporting_date=datetime.date(2025, 6, 30),
        status=ProgressEntry.Status.IN_PROGRESS,
    )  # fmt: skip
    evidence = services.evidence_add(user=w.expert, entry=entry, url="https://example.org/survey.pdf")
    evidence_id = evidence.pk

    services.evidence_remove(user=w.focal, evidence=evidence)

    records = evidence.history.model.objects.filter(id=evidence_id).order_by("history_date", "history_id")
    assert [(h.history_type, h.history_user, h.history_change_reason) for h in records] == [
        ("+", w.expert, "Added"),
        ("-", w.focal, "Removed"),
    ]


def test_the_admin_shows_an_entrys_history(client, w):
    entry = services.progress_entry_create(
        user=w.focal, activity=w.activity, range_state=w.state, reporting_date=datetime.date(2025, 6, 30),
        status=ProgressEntry.Status.IN_PROGRESS,
    )  # fmt: skip
    entry = services.progress_entry_submit(user=w.focal, entry=entry)
    services.progress_entry_return(user=w.reviewer, entry=entry, comment="Name the reserve.")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.get(reverse("admin:activities_progressentry_history", args=[entry.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Returned" in content and "Name the reserve." in content
    assert "reviewer" in content and "focal" in content


def test_a_long_return_comment_is_kept_whole(w):
    """The change reason names the step; the comment, however long, is kept whole in review_comment (on
    PostgreSQL a reason over 100 characters used to make returning an entry a server error)."""
    entry = services.progress_entry_create(
        user=w.focal, activity=w.activity, range_state=w.state, reporting_date=datetime.date(2025, 6, 30),
        status=ProgressEntry.Status.IN_PROGRESS,
    )  # fmt: skip
    entry = services.progress_entry_submit(user=w.focal, entry=entry)
    comment = "Please name the reserve, the survey's dates and who set the camera traps. " * 8

    entry = services.progress_entry_return(user=w.reviewer, entry=entry, comment=comment)

    entry.refresh_from_db()
    assert entry.review_comment == comment.strip()
    latest = entry.history.first()
    assert (latest.history_change_reason, latest.review_comment) == ("Returned", comment.strip())


def test_a_long_reason_for_a_correction_is_kept_whole(w):
    entry = services.progress_entry_create(
        user=w.focal, activity=w.activity, range_state=w.state, reporting_date=datetime.date(2025, 6, 30),
        status=ProgressEntry.Status.IN_PROGRESS,
    )  # fmt: skip
    entry = services.progress_entry_approve(
        user=w.reviewer, entry=services.progress_entry_submit(user=w.focal, entry=entry)
    )
    reason = "The reserve's administration corrected the survey dates in its letter of 3 March 2026; " * 5

    services.progress_entry_update(
        user=w.editor, entry=entry, expected_version=entry.version, reason=reason, status="completed"
    )

    assert entry.history.first().history_change_reason == reason.strip()


def test_returning_from_the_entry_page_with_a_long_comment(client, w):
    entry = services.progress_entry_create(
        user=w.focal, activity=w.activity, range_state=w.state, reporting_date=datetime.date(2025, 6, 30),
        status=ProgressEntry.Status.IN_PROGRESS,
    )  # fmt: skip
    entry = services.progress_entry_submit(user=w.focal, entry=entry)
    client.force_login(w.reviewer)
    comment = "Attach the survey report and say which villages the awareness campaign reached. " * 3

    response = client.post(reverse("activities:progress-return", args=[entry.pk]), {"comment": comment})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.review_state, entry.review_comment) == (RS.RETURNED, comment.strip())
