"""The progress workflow's state machine in activities.services: who moves an entry from which review
state to which, what each step records, bulk approval, deletion, and edit conflicts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activities import services
from activities.models import ActivityStateStatus, DomainEvent, ProgressEntry
from activities.services import EditConflict
from tests.factories import FocalPointFactory, RangeStateFactory, StaffUserFactory, UserFactory

from .workflow import IN_STATE, RS, ST, approved, approved_range_wide, create, returned, row, submitted

# --- allowed transitions ----------------------------------------------------------------------------


def test_create_makes_a_draft_reported_by_the_user(w):
    entry = create(w)

    entry.refresh_from_db()
    assert entry.review_state == RS.DRAFT
    assert entry.reported_by == w.focal
    assert entry.version == 1
    assert entry.submitted_at is None and entry.first_submitted_at is None


def test_a_delegate_may_create_a_draft_in_scope(w):
    entry = create(w, user=w.expert)

    entry.refresh_from_db()
    assert entry.review_state == RS.DRAFT
    assert entry.reported_by == w.expert


def test_the_secretariat_may_create_range_wide_progress(w):
    entry = create(w, user=w.secretariat, range_state=None)

    entry.refresh_from_db()
    assert entry.range_state is None
    assert entry.review_state == RS.DRAFT


def test_submit_a_draft(w):
    entry = services.progress_entry_submit(user=w.focal, entry=create(w))

    entry.refresh_from_db()
    assert entry.review_state == RS.SUBMITTED
    assert entry.submitted_by == w.focal
    assert entry.submitted_at is not None
    assert entry.first_submitted_at == entry.submitted_at
    assert entry.version == 2


def test_approve_a_submitted_entry(w):
    entry = services.progress_entry_approve(user=w.secretariat, entry=submitted(w))

    entry.refresh_from_db()
    assert entry.review_state == RS.APPROVED
    assert entry.reviewed_by == w.secretariat
    assert entry.reviewed_at is not None
    assert entry.version == 3


def test_return_a_submitted_entry_with_a_comment(w):
    entry = services.progress_entry_return(
        user=w.secretariat, entry=submitted(w), comment="  Attach the report. "
    )

    entry.refresh_from_db()
    assert entry.review_state == RS.RETURNED
    assert entry.review_comment == "Attach the report."
    assert entry.reviewed_by == w.secretariat


def test_resubmit_a_returned_entry_keeps_the_first_submission_time(w):
    entry = returned(w)
    first = entry.first_submitted_at

    entry = services.progress_entry_submit(user=w.focal, entry=entry)

    entry.refresh_from_db()
    assert entry.review_state == RS.SUBMITTED
    assert entry.first_submitted_at == first
    assert entry.submitted_at > first


def test_approving_clears_the_return_comment(w):
    entry = services.progress_entry_submit(user=w.focal, entry=returned(w))

    entry = services.progress_entry_approve(user=w.secretariat, entry=entry)

    entry.refresh_from_db()
    assert entry.review_comment == ""


@pytest.mark.parametrize("state", [RS.DRAFT, RS.RETURNED])
@pytest.mark.parametrize("editor", ["focal", "expert", "secretariat"])
def test_edit_a_draft_or_returned_entry(w, state, editor):
    entry = IN_STATE[state](w)

    entry = services.progress_entry_update(
        user=getattr(w, editor), entry=entry, expected_version=entry.version, narrative="Two more reserves."
    )

    entry.refresh_from_db()
    assert entry.narrative == "Two more reserves."
    assert entry.review_state == state


def test_the_secretariat_corrects_a_submitted_entry(w):
    entry = submitted(w)

    entry = services.progress_entry_update(
        user=w.secretariat, entry=entry, expected_version=entry.version, source="Reserve annual report"
    )

    entry.refresh_from_db()
    assert entry.source == "Reserve annual report"
    assert entry.review_state == RS.SUBMITTED


def test_the_secretariat_edits_an_approved_entry_with_a_reason(w):
    entry = approved(w)

    entry = services.progress_entry_update(
        user=w.secretariat,
        entry=entry,
        expected_version=entry.version,
        reason="Typo in the reserve's name",
        narrative="Camera traps installed in Khosrov.",
    )

    entry.refresh_from_db()
    assert entry.narrative == "Camera traps installed in Khosrov."
    assert entry.review_state == RS.APPROVED
    assert entry.history.first().history_change_reason == "Typo in the reserve's name"


def test_a_delegate_may_submit_nothing_but_the_focal_point_submits_their_draft(w):
    entry = create(w, user=w.expert)
    with pytest.raises(PermissionDenied, match="Delegates prepare drafts"):
        services.progress_entry_submit(user=w.expert, entry=entry)

    entry = services.progress_entry_submit(user=w.focal, entry=entry)

    entry.refresh_from_db()
    assert (entry.review_state, entry.submitted_by) == (RS.SUBMITTED, w.focal)


# --- forbidden transitions -------------------------------------------------------------------------


def attempt_approve(w, entry):
    services.progress_entry_approve(user=w.other_secretariat, entry=entry)


def attempt_return(w, entry):
    services.progress_entry_return(user=w.other_secretariat, entry=entry, comment="Please revise.")


def attempt_submit(w, entry):
    services.progress_entry_submit(user=w.focal, entry=entry)


def attempt_focal_edit(w, entry):
    services.progress_entry_update(user=w.focal, entry=entry, expected_version=entry.version, narrative="x")


def attempt_delegate_edit(w, entry):
    services.progress_entry_update(user=w.expert, entry=entry, expected_version=entry.version, narrative="x")


def attempt_delegate_submit(w, entry):
    services.progress_entry_submit(user=w.expert, entry=entry)


def attempt_focal_approve(w, entry):
    services.progress_entry_approve(user=w.focal, entry=entry)


def attempt_partner_edit(w, entry):
    services.progress_entry_update(user=w.partner, entry=entry, expected_version=entry.version, narrative="x")


def attempt_other_state_focal_submit(w, entry):
    other = UserFactory()
    FocalPointFactory(user=other, range_state=w.iran)
    services.progress_entry_submit(user=other, entry=entry)


FORBIDDEN = [
    (RS.DRAFT, attempt_approve),
    (RS.RETURNED, attempt_approve),
    (RS.APPROVED, attempt_approve),
    (RS.DRAFT, attempt_return),
    (RS.RETURNED, attempt_return),
    (RS.APPROVED, attempt_return),
    (RS.SUBMITTED, attempt_submit),
    (RS.APPROVED, attempt_submit),
    (RS.DRAFT, attempt_delegate_submit),
    (RS.RETURNED, attempt_delegate_submit),
    (RS.SUBMITTED, attempt_focal_edit),
    (RS.APPROVED, attempt_focal_edit),
    (RS.SUBMITTED, attempt_delegate_edit),
    (RS.APPROVED, attempt_delegate_edit),
    (RS.SUBMITTED, attempt_focal_approve),
    (RS.DRAFT, attempt_partner_edit),
    (RS.DRAFT, attempt_other_state_focal_submit),
]


@pytest.mark.parametrize(
    ("state", "attempt"), FORBIDDEN, ids=[f"{attempt.__name__}-{state}" for state, attempt in FORBIDDEN]
)
def test_forbidden_transition_is_refused_and_changes_nothing(w, state, attempt):
    entry = IN_STATE[state](w)
    before = row(entry)
    events = DomainEvent.objects.count()

    with pytest.raises(PermissionDenied):
        attempt(w, entry)

    assert row(entry) == before
    assert DomainEvent.objects.count() == events


def test_a_partner_may_not_create(w):
    with pytest.raises(PermissionDenied):
        create(w, user=w.partner)
    assert not ProgressEntry.objects.exists()


def test_a_focal_point_may_not_create_range_wide_progress(w):
    with pytest.raises(PermissionDenied, match="Only the Secretariat reports range-wide"):
        create(w, range_state=None)
    assert not ProgressEntry.objects.exists()


def test_nobody_creates_for_a_state_that_is_not_a_range_state_of_the_strategy(w):
    elsewhere = RangeStateFactory()
    FocalPointFactory(user=w.focal, range_state=elsewhere)

    for user in (w.focal, w.secretariat):
        with pytest.raises(PermissionDenied, match="is not a Range State of"):
            create(w, user=user, range_state=elsewhere)
    assert not ProgressEntry.objects.exists()


@pytest.mark.parametrize("comment", ["", "   ", None])
def test_returning_requires_a_comment(w, comment):
    entry = submitted(w)
    before = row(entry)

    with pytest.raises(ValidationError, match="requires a comment"):
        services.progress_entry_return(user=w.secretariat, entry=entry, comment=comment)

    assert row(entry) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_editing_an_approved_entry_requires_a_reason(w, reason):
    entry = approved(w)
    before = row(entry)

    with pytest.raises(ValidationError, match="requires a reason"):
        services.progress_entry_update(
            user=w.secretariat, entry=entry, expected_version=entry.version, reason=reason, narrative="x"
        )

    assert row(entry) == before


def test_nobody_approves_an_entry_they_reported(w):
    entry = services.progress_entry_submit(user=w.focal, entry=create(w, user=w.secretariat))
    before = row(entry)

    with pytest.raises(PermissionDenied, match="Nobody approves"):
        services.progress_entry_approve(user=w.secretariat, entry=entry)

    assert row(entry) == before
    assert services.progress_entry_approve(user=w.other_secretariat, entry=entry).is_approved


def test_nobody_approves_an_entry_they_submitted(w):
    entry = services.progress_entry_submit(user=w.secretariat, entry=create(w))
    before = row(entry)

    with pytest.raises(PermissionDenied, match="Nobody approves"):
        services.progress_entry_approve(user=w.secretariat, entry=entry)
    with pytest.raises(PermissionDenied, match="Nobody approves"):
        services.progress_entry_return(user=w.secretariat, entry=entry, comment="Revise")

    assert row(entry) == before


def test_a_superuser_is_no_exception_to_separation_of_duties(w):
    boss = StaffUserFactory()
    entry = services.progress_entry_submit(user=boss, entry=create(w, user=boss))
    before = row(entry)

    with pytest.raises(PermissionDenied):
        services.progress_entry_approve(user=boss, entry=entry)
    assert row(entry) == before


def test_only_editable_fields_may_be_changed(w):
    entry = create(w)
    before = row(entry)

    with pytest.raises(ValueError, match="review_state"):
        services.progress_entry_update(
            user=w.secretariat, entry=entry, expected_version=entry.version, review_state=RS.APPROVED
        )
    assert row(entry) == before


# --- bulk approval ---------------------------------------------------------------------------------


def test_bulk_approve_approves_what_it_may_and_reports_each_refusal(w):
    ok = submitted(w)
    own = services.progress_entry_submit(user=w.focal, entry=create(w, user=w.secretariat))
    draft = create(w)

    result = services.progress_entries_bulk_approve(user=w.secretariat, entries=[ok, own, draft])

    assert [e.pk for e in result.approved] == [ok.pk]
    refused = {entry.pk: reason for entry, reason in result.refused}
    assert set(refused) == {own.pk, draft.pk}
    assert "Nobody approves" in refused[own.pk]
    assert "this one is draft" in refused[draft.pk]
    assert ProgressEntry.objects.get(pk=own.pk).review_state == RS.SUBMITTED
    assert ProgressEntry.objects.get(pk=draft.pk).review_state == RS.DRAFT


# --- the latest approved status, and domain events -----------------------------------------------------


def events(kind):
    return list(DomainEvent.objects.filter(kind=kind).values_list("payload", flat=True))


def test_approval_records_the_status_and_both_events(w):
    entry = approved(w, status=ST.COMPLETED)

    status = ActivityStateStatus.objects.get(activity=w.activity, range_state=w.armenia)
    assert (status.entry, status.status, status.reporting_date) == (entry, ST.COMPLETED, entry.reporting_date)
    assert [p["entry_id"] for p in events(DomainEvent.Kind.PROGRESS_APPROVED)] == [entry.pk]
    [changed] = events(DomainEvent.Kind.STATUS_CHANGED)
    assert (changed["status"], changed["previous_status"]) == (ST.COMPLETED, None)
    assert "restricted_details" not in changed and "narrative" not in changed


def test_approving_an_older_entry_later_does_not_replace_a_newer_status(w):
    newer = approved(w, reporting_date=datetime.date(2025, 6, 30), status=ST.COMPLETED)
    older = approved(w, reporting_date=datetime.date(2024, 6, 30), status=ST.IN_PROGRESS)

    status = ActivityStateStatus.objects.get(activity=w.activity, range_state=w.armenia)
    assert status.entry == newer
    assert status.status == ST.COMPLETED
    assert [p["entry_id"] for p in events(DomainEvent.Kind.PROGRESS_APPROVED)] == [newer.pk, older.pk]
    assert len(events(DomainEvent.Kind.STATUS_CHANGED)) == 1  # the older entry changed nothing


def test_a_newer_approval_with_the_same_status_writes_no_status_change(w):
    approved(w, reporting_date=datetime.date(2024, 6, 30), status=ST.IN_PROGRESS)
    newer = approved(w, reporting_date=datetime.date(2025, 6, 30), status=ST.IN_PROGRESS)

    assert ActivityStateStatus.objects.get().entry == newer
    assert len(events(DomainEvent.Kind.PROGRESS_APPROVED)) == 2
    assert len(events(DomainEvent.Kind.STATUS_CHANGED)) == 1


def test_a_newer_approval_with_another_status_writes_a_status_change(w):
    approved(w, reporting_date=datetime.date(2024, 6, 30), status=ST.IN_PROGRESS)
    approved(w, reporting_date=datetime.date(2025, 6, 30), status=ST.DELAYED)

    changes = events(DomainEvent.Kind.STATUS_CHANGED)
    assert [(p["previous_status"], p["status"]) for p in changes] == [
        (None, ST.IN_PROGRESS),
        (ST.IN_PROGRESS, ST.DELAYED),
    ]
    assert ActivityStateStatus.objects.get().status == ST.DELAYED


def test_statuses_are_kept_per_range_state_and_range_wide(w):
    approved(w, status=ST.COMPLETED)
    approved_range_wide(w, status=ST.DELAYED)

    assert dict(ActivityStateStatus.objects.values_list("range_state", "status")) == {
        w.armenia.pk: ST.COMPLETED,
        None: ST.DELAYED,
    }


def test_correcting_an_approved_entry_updates_the_status(w):
    entry = approved(w, status=ST.IN_PROGRESS)

    services.progress_entry_update(
        user=w.secretariat, entry=entry, expected_version=entry.version, reason="Misread", status=ST.COMPLETED
    )

    assert ActivityStateStatus.objects.get().status == ST.COMPLETED
    assert len(events(DomainEvent.Kind.STATUS_CHANGED)) == 2


# --- deleting an entry ------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [RS.DRAFT, RS.SUBMITTED, RS.RETURNED])
def test_the_secretariat_deletes_an_entry_that_is_not_approved_and_the_history_keeps_it(w, state):
    entry = IN_STATE[state](w)

    services.progress_entry_delete(user=w.secretariat, entry=entry)

    assert not ProgressEntry.objects.filter(pk=entry.pk).exists()
    deleted = ProgressEntry.history.filter(id=entry.pk).first()
    assert (deleted.history_type, deleted.history_user, deleted.history_change_reason) == (
        "-",
        w.secretariat,
        "Deleted",
    )


def test_an_approved_entry_is_never_deleted(w):
    entry = approved(w)
    before = row(entry)

    with pytest.raises(PermissionDenied, match="Approved entries are never deleted"):
        services.progress_entry_delete(user=w.secretariat, entry=entry)

    assert row(entry) == before
    assert ActivityStateStatus.objects.filter(entry=entry).exists()


@pytest.mark.parametrize("who", ["focal", "expert", "partner"])
def test_only_the_secretariat_deletes_entries(w, who):
    entry = create(w)
    before = row(entry)

    with pytest.raises(PermissionDenied, match="Only the Secretariat deletes progress entries"):
        services.progress_entry_delete(user=getattr(w, who), entry=entry)

    assert row(entry) == before


# --- edit conflicts --------------------------------------------------------------------------------


def test_the_second_of_two_editors_gets_a_conflict_and_overwrites_nothing(w):
    entry = create(w)
    # Both open the edit form at version 1.
    first_copy = ProgressEntry.objects.get(pk=entry.pk)
    second_copy = ProgressEntry.objects.get(pk=entry.pk)
    started_from = first_copy.version

    services.progress_entry_update(
        user=w.focal, entry=first_copy, expected_version=started_from, narrative="First editor's text."
    )
    with pytest.raises(EditConflict) as conflict:
        services.progress_entry_update(
            user=w.expert,
            entry=second_copy,
            expected_version=started_from,
            narrative="Second editor's text.",
            source="Second editor's source",
        )

    stored = ProgressEntry.objects.get(pk=entry.pk)
    assert stored.narrative == "First editor's text."
    assert stored.source == ""
    assert stored.version == started_from + 1
    assert conflict.value.current.narrative == "First editor's text."
    assert "focal-a" in str(conflict.value)  # names who changed it
    assert "have not been saved" in str(conflict.value)


def test_a_workflow_step_in_between_is_a_conflict_too(w):
    entry = create(w, user=w.secretariat)
    version = entry.version
    services.progress_entry_submit(user=w.focal, entry=entry)

    with pytest.raises(EditConflict):
        services.progress_entry_update(
            user=w.other_secretariat, entry=entry, expected_version=version, narrative="Stale"
        )
    stored = ProgressEntry.objects.get(pk=entry.pk)
    assert (stored.narrative, stored.review_state) == (
        "Camera traps installed in two reserves.",
        RS.SUBMITTED,
    )


def test_an_edit_from_the_current_version_succeeds_after_a_conflict(w):
    entry = create(w)
    services.progress_entry_update(user=w.focal, entry=entry, expected_version=1, narrative="A")
    with pytest.raises(EditConflict) as conflict:
        services.progress_entry_update(user=w.expert, entry=entry, expected_version=1, narrative="B")

    current = conflict.value.current
    services.progress_entry_update(
        user=w.expert, entry=current, expected_version=current.version, narrative="B"
    )

    assert ProgressEntry.objects.get(pk=entry.pk).narrative == "B"
