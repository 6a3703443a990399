"""The progress workflow's state machine and the other writes in activities.services."""

import datetime
import hashlib
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.utils import timezone

from activities import services
from activities.models import (
    ActivityStateStatus,
    Delegation,
    DomainEvent,
    Evidence,
    Meeting,
    MeetingSnapshot,
    ProgressEntry,
    ReportingLink,
    ReportingRound,
    SnapshotStatus,
)
from activities.services import EditConflict, LinkInvalid
from tests.factories import (
    ActivityFactory,
    DelegationFactory,
    FocalPointFactory,
    ObjectiveFactory,
    RangeStateFactory,
    ReportingRoundFactory,
    SecretariatUserFactory,
    StaffUserFactory,
    StrategyFactory,
    UserFactory,
)

RS = ProgressEntry.ReviewState
ST = ProgressEntry.Status


@pytest.fixture
def w(db):
    strategy = StrategyFactory()
    armenia, iran = RangeStateFactory(name="Armenia-like"), RangeStateFactory(name="Iran-like")
    strategy.range_states.add(armenia, iran)
    activity = ActivityFactory(result__objective__strategy=strategy)
    focal = UserFactory(username="focal-a")
    FocalPointFactory(user=focal, range_state=armenia)
    expert = UserFactory(username="expert-a")
    DelegationFactory(delegate=expert, granted_by=focal, range_state=armenia, activity=activity)
    return SimpleNamespace(
        strategy=strategy,
        armenia=armenia,
        iran=iran,
        activity=activity,
        focal=focal,
        expert=expert,
        secretariat=SecretariatUserFactory(username="reviewer"),
        other_secretariat=SecretariatUserFactory(username="reviewer-2"),
        partner=UserFactory(username="partner"),
    )


def create(
    w, *, user=None, activity=None, range_state="A", reporting_date=datetime.date(2025, 6, 30), **kwargs
):
    return services.progress_entry_create(
        user=user or w.focal,
        activity=activity or w.activity,
        range_state=w.armenia if range_state == "A" else range_state,
        reporting_date=reporting_date,
        status=kwargs.pop("status", ST.IN_PROGRESS),
        narrative=kwargs.pop("narrative", "Camera traps installed in two reserves."),
        **kwargs,
    )


def submitted(w, **kwargs):
    return services.progress_entry_submit(user=w.focal, entry=create(w, **kwargs))


def returned(w, **kwargs):
    return services.progress_entry_return(
        user=w.secretariat, entry=submitted(w, **kwargs), comment="Add the report."
    )


def approved(w, **kwargs):
    return services.progress_entry_approve(user=w.secretariat, entry=submitted(w, **kwargs))


def approved_range_wide(w, **kwargs):
    # Range-wide progress is the Secretariat's: one member reports it, another approves it.
    entry = create(w, user=w.secretariat, range_state=None, **kwargs)
    entry = services.progress_entry_submit(user=w.secretariat, entry=entry)
    return services.progress_entry_approve(user=w.other_secretariat, entry=entry)


IN_STATE = {RS.DRAFT: create, RS.SUBMITTED: submitted, RS.RETURNED: returned, RS.APPROVED: approved}


def row(entry):
    """Everything stored about an entry, to show a refused action changed nothing."""
    fresh = ProgressEntry.objects.get(pk=entry.pk)
    return model_to_dict(fresh) | {
        "version": fresh.version,
        "history": fresh.history.count(),
        "updated_at": fresh.updated_at,
    }


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

    assert entry.review_state == RS.DRAFT
    assert entry.reported_by == w.expert


def test_the_secretariat_may_create_range_wide_progress(w):
    entry = create(w, user=w.secretariat, range_state=None)

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

    assert entry.review_state == RS.SUBMITTED


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

    with pytest.raises(PermissionDenied):
        services.progress_entry_approve(user=boss, entry=entry)


def test_only_editable_fields_may_be_changed(w):
    entry = create(w)

    with pytest.raises(ValueError, match="review_state"):
        services.progress_entry_update(
            user=w.secretariat, entry=entry, expected_version=entry.version, review_state=RS.APPROVED
        )


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


# --- reporting rounds ------------------------------------------------------------------------------


@pytest.fixture
def open_round(w):
    return services.reporting_round_open(
        user=w.secretariat,
        strategy=w.strategy,
        name=" 2025 annual ",
        opens_on=datetime.date(2025, 1, 1),
        deadline=datetime.date(2025, 6, 30),
    )


def test_the_secretariat_opens_a_round(w, open_round):
    assert open_round.name == "2025 annual"
    assert open_round.created_by == w.secretariat
    assert not open_round.is_closed


@pytest.mark.parametrize("who", ["focal", "expert", "partner"])
def test_only_the_secretariat_opens_and_closes_rounds(w, open_round, who):
    user = getattr(w, who)
    with pytest.raises(PermissionDenied):
        services.reporting_round_open(
            user=user,
            strategy=w.strategy,
            name="2026",
            opens_on=datetime.date(2026, 1, 1),
            deadline=datetime.date(2026, 6, 30),
        )
    with pytest.raises(PermissionDenied):
        services.reporting_round_close(user=user, reporting_round=open_round)
    assert ReportingRound.objects.count() == 1
    assert ReportingRound.objects.get().closed_at is None


def test_a_round_must_open_before_its_deadline(w):
    with pytest.raises(ValidationError):
        services.reporting_round_open(
            user=w.secretariat,
            strategy=w.strategy,
            name="2026",
            opens_on=datetime.date(2026, 7, 1),
            deadline=datetime.date(2026, 6, 30),
        )


def close(w, reporting_round):
    return services.reporting_round_close(user=w.secretariat, reporting_round=reporting_round)


def test_a_closed_round_locks_editing(w, open_round):
    entry = create(w, reporting_round=open_round)
    close(w, open_round)
    before = row(entry)

    for user in (w.focal, w.expert, w.secretariat):
        with pytest.raises(PermissionDenied, match="is closed"):
            services.progress_entry_update(
                user=user, entry=entry, expected_version=entry.version, narrative="x"
            )
    assert row(entry) == before


def test_a_closed_round_locks_submitting(w, open_round):
    entry = create(w, reporting_round=open_round)
    close(w, open_round)
    before = row(entry)

    with pytest.raises(PermissionDenied, match="is closed"):
        services.progress_entry_submit(user=w.focal, entry=entry)
    assert row(entry) == before


def test_a_closed_round_locks_reviewing(w, open_round):
    entry = submitted(w, reporting_round=open_round)
    close(w, open_round)
    before = row(entry)

    with pytest.raises(PermissionDenied, match="is closed"):
        services.progress_entry_approve(user=w.secretariat, entry=entry)
    with pytest.raises(PermissionDenied, match="is closed"):
        services.progress_entry_return(user=w.secretariat, entry=entry, comment="Late")
    assert row(entry) == before


def test_a_closed_round_locks_evidence(w, open_round):
    entry = create(w, reporting_round=open_round)
    evidence = services.evidence_add(user=w.focal, entry=entry, url="https://example.org/a.pdf")
    close(w, open_round)

    with pytest.raises(PermissionDenied):
        services.evidence_add(user=w.focal, entry=entry, url="https://example.org/b.pdf")
    with pytest.raises(PermissionDenied):
        services.evidence_remove(user=w.secretariat, evidence=evidence)
    assert list(entry.evidence.all()) == [evidence]


def test_nothing_is_created_in_a_closed_round(w, open_round):
    close(w, open_round)

    # Refused by the permission module, so pages never offer it either.
    with pytest.raises(PermissionDenied, match="is closed"):
        create(w, reporting_round=open_round)
    assert not ProgressEntry.objects.exists()


def test_an_entry_cannot_be_moved_into_a_closed_round(w, open_round):
    closed = ReportingRoundFactory(strategy=w.strategy, closed_at=timezone.now())
    entry = create(w, reporting_round=open_round)

    with pytest.raises(ValidationError, match="is closed"):
        services.progress_entry_update(
            user=w.focal, entry=entry, expected_version=entry.version, reporting_round=closed
        )
    assert ProgressEntry.objects.get(pk=entry.pk).reporting_round == open_round


def test_an_entry_cannot_answer_another_strategys_round(w):
    other_round = ReportingRoundFactory()

    with pytest.raises(ValidationError, match="another strategy"):
        create(w, reporting_round=other_round)


def test_reopening_a_round_unlocks_its_entries(w, open_round):
    entry = create(w, reporting_round=open_round)
    close(w, open_round)
    services.reporting_round_reopen(user=w.secretariat, reporting_round=open_round)

    entry = services.progress_entry_submit(user=w.focal, entry=entry)

    assert entry.review_state == RS.SUBMITTED


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


# --- evidence ----------------------------------------------------------------------------------------


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
ZIP = b"PK\x03\x04" + b"\x00" * 32


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("survey.pdf", PDF, "application/pdf"),
        ("den.PNG", PNG, "image/png"),
        ("trap.jpg", JPEG, "image/jpeg"),
        ("trap.jpeg", JPEG, "image/jpeg"),
        ("report.docx", ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("counts.xlsx", ZIP, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("report.odt", ZIP, "application/vnd.oasis.opendocument.text"),
        ("counts.ods", ZIP, "application/vnd.oasis.opendocument.spreadsheet"),
        ("counts.csv", b"site,count\nKhosrov,3\n", "text/csv"),
        ("notes.txt", "Leopard seen near Meghri – ընձառյուծ\n".encode(), "text/plain"),
    ],
)
def test_accepted_evidence_files_are_stored_through_the_storage_api(w, media, name, content, content_type):
    entry = create(w)

    evidence = services.evidence_add(
        user=w.focal, entry=entry, title="Report", file=SimpleUploadedFile(name, content, content_type="x/y")
    )

    evidence.refresh_from_db()
    assert evidence.content_type == content_type  # from the extension and content, not the browser
    assert evidence.size == len(content)
    assert evidence.file.name.startswith("evidence/")
    assert (media / evidence.file.name).read_bytes() == content
    assert evidence.added_by == w.focal


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "not an accepted file type"),
        ("report.pdf.exe", PDF, "not an accepted file type"),
        ("no-extension", PDF, "not an accepted file type"),
        ("fake.pdf", b"<html>not a pdf</html>", "does not look like a PDF file"),
        ("fake.png", PDF, "does not look like a PNG file"),
        ("fake.docx", PDF, "does not look like a DOCX file"),
        ("binary.txt", b"\xff\xfe\x00\x00" * 200, "not a UTF-8 text file"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_refused_evidence_files_say_why_and_store_nothing(w, media, name, content, message):
    entry = create(w)

    with pytest.raises(ValidationError, match=message) as error:
        services.evidence_add(user=w.focal, entry=entry, file=SimpleUploadedFile(name, content))

    assert "file" in error.value.message_dict
    assert not Evidence.objects.exists()
    assert not any(media.rglob("*.*"))


def test_the_size_limit_follows_the_setting(w, media, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    entry = create(w)
    limit = 1024 * 1024

    services.evidence_add(
        user=w.focal, entry=entry, file=SimpleUploadedFile("ok.pdf", PDF.ljust(limit, b" "))
    )
    with pytest.raises(ValidationError, match="the limit is 1 MB"):
        services.evidence_add(
            user=w.focal, entry=entry, file=SimpleUploadedFile("big.pdf", PDF.ljust(limit + 1, b" "))
        )

    assert entry.evidence.count() == 1


def test_evidence_is_a_link_or_a_file_never_both_nor_neither(w, media):
    entry = create(w)

    with pytest.raises(ValidationError, match="either a link or a file"):
        services.evidence_add(user=w.focal, entry=entry)
    with pytest.raises(ValidationError, match="either a link or a file"):
        services.evidence_add(
            user=w.focal, entry=entry, url="https://example.org/r.pdf", file=SimpleUploadedFile("r.pdf", PDF)
        )
    link = services.evidence_add(user=w.focal, entry=entry, url="https://example.org/r.pdf", title=" Report ")

    assert (link.url, link.title, link.is_file) == ("https://example.org/r.pdf", "Report", False)
    assert entry.evidence.count() == 1


def test_a_link_must_be_a_url(w):
    with pytest.raises(ValidationError):
        services.evidence_add(user=w.focal, entry=create(w), url="not a url")


def test_restricted_evidence_is_marked(w, media):
    evidence = services.evidence_add(
        user=w.focal, entry=create(w), file=SimpleUploadedFile("dens.pdf", PDF), restricted=True
    )

    assert Evidence.objects.get(pk=evidence.pk).restricted


def test_evidence_follows_the_entrys_edit_permission(w):
    entry = submitted(w)

    with pytest.raises(PermissionDenied, match="awaiting review"):
        services.evidence_add(user=w.focal, entry=entry, url="https://example.org/late.pdf")
    with pytest.raises(PermissionDenied):
        services.evidence_add(user=w.partner, entry=create(w), url="https://example.org/x.pdf")
    assert not Evidence.objects.exists()


def test_evidence_removal_keeps_the_history(w):
    entry = create(w)
    evidence = services.evidence_add(user=w.focal, entry=entry, url="https://example.org/r.pdf")

    pk = evidence.pk

    services.evidence_remove(user=w.expert, evidence=evidence)

    assert not Evidence.objects.exists()
    removed = Evidence.history.filter(id=pk).first()
    assert (removed.history_type, removed.history_change_reason, removed.history_user) == (
        "-",
        "Removed",
        w.expert,
    )


# --- delegation -------------------------------------------------------------------------------------


def test_a_focal_point_delegates_an_activity_in_their_state(w):
    colleague = UserFactory()

    delegation = services.delegation_grant(
        user=w.focal, delegate=colleague, range_state=w.armenia, activity=w.activity
    )

    assert (delegation.granted_by, delegation.activity, delegation.objective) == (w.focal, w.activity, None)
    assert delegation.is_active


def test_a_focal_point_delegates_an_objective(w):
    colleague = UserFactory()
    objective = w.activity.result.objective

    delegation = services.delegation_grant(
        user=w.focal, delegate=colleague, range_state=w.armenia, objective=objective
    )

    assert delegation.objective == objective


def test_the_secretariat_may_delegate_for_any_state(w):
    services.delegation_grant(
        user=w.secretariat, delegate=UserFactory(), range_state=w.iran, activity=w.activity
    )


@pytest.mark.parametrize("who", ["partner", "expert", "other_state_focal"])
def test_only_the_states_focal_point_or_the_secretariat_delegates(w, who):
    if who == "other_state_focal":
        user = UserFactory()
        FocalPointFactory(user=user, range_state=w.iran)
    else:
        user = getattr(w, who)
    count = Delegation.objects.count()

    with pytest.raises(PermissionDenied):
        services.delegation_grant(
            user=user, delegate=UserFactory(), range_state=w.armenia, activity=w.activity
        )
    assert Delegation.objects.count() == count


def test_a_focal_point_signed_in_by_link_delegates_only_for_the_links_state(w):
    FocalPointFactory(user=w.focal, range_state=w.iran)
    w.focal.reporting_link_state_id = w.iran.pk

    with pytest.raises(PermissionDenied):
        services.delegation_grant(
            user=w.focal, delegate=UserFactory(), range_state=w.armenia, activity=w.activity
        )


def test_invalid_delegations_are_refused(w):
    colleague = UserFactory()
    objective = w.activity.result.objective
    grant = services.delegation_grant

    with pytest.raises(ValidationError, match="yourself"):
        grant(user=w.focal, delegate=w.focal, range_state=w.armenia, activity=w.activity)
    with pytest.raises(ValidationError, match="inactive"):
        grant(user=w.focal, delegate=UserFactory(is_active=False), range_state=w.armenia, activity=w.activity)
    with pytest.raises(ValidationError, match="either one activity or one objective"):
        grant(user=w.focal, delegate=colleague, range_state=w.armenia)
    with pytest.raises(ValidationError, match="either one activity or one objective"):
        grant(
            user=w.focal, delegate=colleague, range_state=w.armenia, activity=w.activity, objective=objective
        )
    elsewhere = RangeStateFactory()
    FocalPointFactory(user=w.focal, range_state=elsewhere)
    focal = type(w.focal).objects.get(pk=w.focal.pk)  # a new request sees the new assignment
    with pytest.raises(ValidationError, match="is not a Range State of"):
        grant(user=focal, delegate=colleague, range_state=elsewhere, activity=w.activity)
    assert not Delegation.objects.filter(delegate=colleague).exists()


def test_revoking_a_delegation_ends_the_delegates_drafting(w):
    delegation = Delegation.objects.get(delegate=w.expert)
    entry = create(w, user=w.expert)

    services.delegation_revoke(user=w.focal, delegation=delegation)

    assert Delegation.objects.get(pk=delegation.pk).revoked_at is not None
    fresh_expert = type(w.expert).objects.get(pk=w.expert.pk)  # a new request
    with pytest.raises(PermissionDenied):
        services.progress_entry_update(
            user=fresh_expert, entry=entry, expected_version=entry.version, narrative="x"
        )


def test_only_the_states_focal_point_or_the_secretariat_revokes(w):
    delegation = Delegation.objects.get(delegate=w.expert)
    other = UserFactory()
    FocalPointFactory(user=other, range_state=w.iran)

    for user in (other, w.expert, w.partner):
        with pytest.raises(PermissionDenied):
            services.delegation_revoke(user=user, delegation=delegation)
    assert Delegation.objects.get(pk=delegation.pk).revoked_at is None
    services.delegation_revoke(user=w.secretariat, delegation=delegation)
    assert Delegation.objects.get(pk=delegation.pk).revoked_at is not None


# --- reporting links ---------------------------------------------------------------------------------


def make_link(w, **kwargs):
    return services.reporting_link_create(
        user=w.secretariat, focal_point=w.focal, range_state=w.armenia, **kwargs
    )


def test_the_secretariat_makes_a_link_whose_token_is_not_stored(w):
    link, token = make_link(w, valid_days=7)

    stored = ReportingLink.objects.get(pk=link.pk)
    assert len(token) >= 40
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ReportingLink.objects.filter(pk=link.pk).values().get())
    assert stored.created_by == w.secretariat
    assert (stored.expires_at - timezone.now()).days == 6  # 7 days, less the seconds since


@pytest.mark.parametrize("who", ["focal", "expert", "partner"])
def test_only_the_secretariat_makes_links(w, who):
    with pytest.raises(PermissionDenied):
        services.reporting_link_create(user=getattr(w, who), focal_point=w.focal, range_state=w.armenia)
    assert not ReportingLink.objects.exists()


@pytest.mark.parametrize("staff", ["is_staff", "is_superuser", "secretariat_group"])
def test_links_are_never_made_for_staff_accounts(w, staff):
    target = SecretariatUserFactory() if staff == "secretariat_group" else UserFactory(**{staff: True})
    FocalPointFactory(user=target, range_state=w.armenia)

    with pytest.raises(ValidationError, match="never for staff"):
        services.reporting_link_create(user=w.secretariat, focal_point=target, range_state=w.armenia)
    assert not ReportingLink.objects.exists()


def test_links_are_made_only_for_the_focal_points_own_state(w):
    with pytest.raises(ValidationError, match="is not a focal point for"):
        services.reporting_link_create(user=w.secretariat, focal_point=w.focal, range_state=w.iran)


@pytest.mark.parametrize("days", [0, 91])
def test_links_are_valid_for_one_to_ninety_days(w, days):
    with pytest.raises(ValidationError, match="1 to 90 days"):
        make_link(w, valid_days=days)


def test_redeeming_a_valid_link_returns_it_and_notes_its_use(w):
    link, token = make_link(w)

    redeemed = services.reporting_link_redeem(token=token)

    assert redeemed == link
    assert (redeemed.user, redeemed.range_state) == (w.focal, w.armenia)
    assert ReportingLink.objects.get(pk=link.pk).last_used_at is not None


def test_redeeming_an_expired_link_fails(w):
    link, token = make_link(w)
    ReportingLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    with pytest.raises(LinkInvalid, match="expired"):
        services.reporting_link_redeem(token=token)


def test_redeeming_a_revoked_link_fails(w):
    link, token = make_link(w)
    services.reporting_link_revoke(user=w.secretariat, link=link)

    with pytest.raises(LinkInvalid, match="withdrawn"):
        services.reporting_link_redeem(token=token)


@pytest.mark.parametrize("token", ["", "not-the-token", "x" * 43])
def test_redeeming_a_wrong_token_fails(w, token):
    make_link(w)

    with pytest.raises(LinkInvalid, match="not valid"):
        services.reporting_link_redeem(token=token)


def test_redeeming_a_link_of_a_disabled_account_fails(w):
    _, token = make_link(w)
    type(w.focal).objects.filter(pk=w.focal.pk).update(is_active=False)

    with pytest.raises(LinkInvalid, match="disabled"):
        services.reporting_link_redeem(token=token)


def test_only_the_secretariat_revokes_links(w):
    link, _ = make_link(w)

    with pytest.raises(PermissionDenied):
        services.reporting_link_revoke(user=w.focal, link=link)
    assert ReportingLink.objects.get(pk=link.pk).revoked_at is None


# --- meeting snapshots -----------------------------------------------------------------------------------


def a_meeting():
    return Meeting.objects.create(slug="cami-tw-2025", name="CAMI Technical Workshop")


def test_a_snapshot_copies_the_current_statuses(w):
    approved(w, status=ST.COMPLETED)
    approved_range_wide(w, status=ST.DELAYED)
    other_strategy_activity = ActivityFactory()
    other_strategy_activity.strategy.range_states.add(w.armenia)
    approved(w, activity=other_strategy_activity, status=ST.NOT_STARTED)
    meeting = a_meeting()

    snapshot = services.meeting_snapshot_take(
        user=w.secretariat, meeting=meeting, strategy=w.strategy, note=" COP15 "
    )

    fields = ("activity_id", "range_state_id", "entry_id", "status", "reporting_date")
    current = set(ActivityStateStatus.objects.filter(activity__strategy=w.strategy).values_list(*fields))
    assert set(snapshot.statuses.values_list(*fields)) == current
    assert len(current) == 2
    assert (snapshot.note, snapshot.taken_by) == ("COP15", w.secretariat)


def test_a_snapshot_does_not_move_with_later_approvals(w):
    first = approved(w, reporting_date=datetime.date(2024, 6, 30), status=ST.IN_PROGRESS)
    snapshot = services.meeting_snapshot_take(user=w.secretariat, meeting=a_meeting(), strategy=w.strategy)

    approved(w, reporting_date=datetime.date(2025, 6, 30), status=ST.COMPLETED)

    [frozen] = SnapshotStatus.objects.filter(snapshot=snapshot)
    assert (frozen.entry, frozen.status) == (first, ST.IN_PROGRESS)


def test_only_the_secretariat_takes_snapshots(w):
    with pytest.raises(PermissionDenied):
        services.meeting_snapshot_take(user=w.focal, meeting=a_meeting(), strategy=w.strategy)
    assert not MeetingSnapshot.objects.exists()


def test_a_delegation_of_an_objective_covers_its_activities(w):
    objective = ObjectiveFactory(strategy=w.strategy)
    in_objective = ActivityFactory(result__objective=objective)
    colleague = UserFactory()
    services.delegation_grant(user=w.focal, delegate=colleague, range_state=w.armenia, objective=objective)

    entry = create(w, user=colleague, activity=in_objective)

    assert entry.reported_by == colleague
    with pytest.raises(PermissionDenied):
        create(w, user=type(colleague).objects.get(pk=colleague.pk), activity=w.activity)
