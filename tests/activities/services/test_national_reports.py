"""The national report's workflow in activities.services: started by saving, submitted when complete
(with the round's drafts and returned entries of the state resolved, and submitted together), accepted
(approving its entries) or returned with a comment per section, by whom, and what each step records."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activities import services
from activities.models import NationalReport, ProgressEntry
from activities.services import ReportEditConflict
from tests.factories import ActivityFactory, FocalPointFactory, UserFactory

RS = ProgressEntry.ReviewState
NRS = NationalReport.Status

COMPLETE = {
    "prepared_by": "A. Malkhasyan, Ministry of Environment",
    "contacts": "focal@example.am",
    "achievements": "Camera-trap survey in Khosrov.",
    "challenges": "Poaching of prey species.",
    "needs": "Funding for rangers.",
    "way_forward": "Extend the survey to Zangezur.",
    "nap_status": "Drafted, not yet adopted.",
}


def start(w, reporting_round, user=None, **fields):
    return services.national_report_save(
        user=user or w.focal,
        reporting_round=reporting_round,
        range_state=w.armenia,
        expected_version=0,
        **fields,
    )


def entry(w, reporting_round, user=None, activity=None):
    return services.progress_entry_create(
        user=user or w.focal,
        activity=activity or w.activity,
        range_state=w.armenia,
        reporting_date=datetime.date(2025, 6, 1),
        status=ProgressEntry.Status.IN_PROGRESS,
        reporting_round=reporting_round,
    )


@pytest.fixture
def report(w, open_round):
    return start(w, open_round, **COMPLETE)


def submit(w, report, user=None, include=()):
    return services.national_report_submit(
        user=user or w.focal, report=report, confirmed=True, include=include
    )


# --- starting and editing ---------------------------------------------------------------------------


def test_saving_the_cover_starts_the_report_in_preparation(w, open_round):
    assert not NationalReport.objects.exists()  # not started: no row

    report = start(w, open_round, prepared_by="  A. Malkhasyan  ")

    report.refresh_from_db()
    assert report.status == NRS.IN_PREPARATION
    assert report.prepared_by == "A. Malkhasyan"
    assert report.created_by == w.focal and report.version == 1
    assert list(report.contributors.all()) == [w.focal]
    assert report.history.first().history_change_reason == "Started"


def test_a_delegate_in_the_state_may_help_prepare_it(w, report):
    services.national_report_save(
        user=w.expert,
        reporting_round=report.reporting_round,
        range_state=w.armenia,
        expected_version=1,
        needs="Training for rangers.",
    )
    report.refresh_from_db()
    assert report.needs == "Training for rangers." and report.version == 2
    assert set(report.contributors.all()) == {w.focal, w.expert}


def test_another_states_focal_point_may_neither_start_nor_edit_it(w, open_round, report):
    iran_focal = UserFactory()
    FocalPointFactory(user=iran_focal, range_state=w.iran)
    with pytest.raises(PermissionDenied, match="may not see the national reports"):
        services.national_report_save(
            user=iran_focal, reporting_round=open_round, range_state=w.armenia, expected_version=1, needs="x"
        )
    with pytest.raises(PermissionDenied):
        services.national_report_save(
            user=w.partner, reporting_round=open_round, range_state=w.armenia, expected_version=1, needs="x"
        )
    report.refresh_from_db()
    assert report.needs == COMPLETE["needs"]


def test_an_edit_from_an_old_version_conflicts_and_overwrites_nothing(w, report):
    services.national_report_save(
        user=w.expert,
        reporting_round=report.reporting_round,
        range_state=w.armenia,
        expected_version=1,
        needs="Mine",
    )
    with pytest.raises(ReportEditConflict, match="expert-a"):
        services.national_report_save(
            user=w.focal,
            reporting_round=report.reporting_round,
            range_state=w.armenia,
            expected_version=1,
            needs="Theirs",
        )
    report.refresh_from_db()
    assert report.needs == "Mine"


@pytest.mark.parametrize("hostile", ["Den site\x00", "esc\x1b[31m"])
def test_control_characters_are_refused_and_nothing_is_saved(w, open_round, hostile):
    with pytest.raises(ValidationError) as caught:
        start(w, open_round, achievements=hostile)
    assert caught.value.error_dict["achievements"][0].code == "control_characters"
    assert not NationalReport.objects.exists()


def test_markup_is_kept_as_text(w, open_round):
    report = start(w, open_round, achievements="<script>alert(1)</script>")
    assert NationalReport.objects.get(pk=report.pk).achievements == "<script>alert(1)</script>"


def test_a_state_outside_the_strategy_has_no_report(w, open_round):
    from tests.factories import RangeStateFactory

    elsewhere = RangeStateFactory()
    with pytest.raises((PermissionDenied, ValidationError)):
        services.national_report_save(
            user=w.secretariat,
            reporting_round=open_round,
            range_state=elsewhere,
            expected_version=0,
            needs="x",
        )
    assert not NationalReport.objects.exists()


# --- submitting: complete first -------------------------------------------------------------------


def test_submit_refuses_an_incomplete_report_naming_the_missing_parts(w, open_round):
    report = start(w, open_round, prepared_by="A. Malkhasyan")
    with pytest.raises(ValidationError) as caught:
        submit(w, report)
    message = " ".join(caught.value.message_dict["sections"])
    assert "main achievements" in message and "state of the National Action Plan" in message
    assert "prepared by" not in message
    report.refresh_from_db()
    assert report.status == NRS.IN_PREPARATION


def test_submit_requires_the_focal_point_to_confirm_completeness(w, report):
    with pytest.raises(ValidationError) as caught:
        services.national_report_submit(user=w.focal, report=report, confirmed=False)
    assert "confirmed" in caught.value.message_dict
    assert NationalReport.objects.get().status == NRS.IN_PREPARATION


def test_drafts_of_the_round_are_named_and_block_the_submission(w, open_round, report):
    other = ActivityFactory(result__objective__strategy=w.strategy, code="2.1.1")
    draft = entry(w, open_round)
    entry(w, open_round, activity=other)
    with pytest.raises(ValidationError) as caught:
        submit(w, report, include=[draft.pk])
    (message,) = caught.value.message_dict["entries"]
    assert "2.1.1" in message and w.activity.code not in message
    assert NationalReport.objects.get().status == NRS.IN_PREPARATION
    # nothing submitted, not even the included draft
    assert set(ProgressEntry.objects.values_list("review_state", flat=True)) == {RS.DRAFT}


def test_submitting_submits_the_included_entries_together(w, open_round, report):
    draft = entry(w, open_round, user=w.expert)  # a delegate's draft: the focal point submits it
    elsewhere = entry(w, None)  # not in the round: not part of the report

    report = submit(w, report, include=[draft.pk])

    report.refresh_from_db()
    assert report.status == NRS.SUBMITTED and report.submitted_by == w.focal
    assert report.submitted_at is not None and report.first_submitted_at == report.submitted_at
    draft.refresh_from_db()
    elsewhere.refresh_from_db()
    assert draft.review_state == RS.SUBMITTED and draft.submitted_by == w.focal
    assert elsewhere.review_state == RS.DRAFT


def test_an_entry_of_another_state_cannot_be_slipped_into_the_submission(w, open_round, report):
    foreign = ProgressEntry.objects.create(
        activity=w.activity,
        range_state=w.iran,
        reporting_round=open_round,
        reporting_date=datetime.date(2025, 6, 1),
        status="in_progress",
        reported_by=w.secretariat,
    )
    with pytest.raises(ValidationError) as caught:
        submit(w, report, include=[foreign.pk])
    assert "include" in caught.value.message_dict
    foreign.refresh_from_db()
    assert foreign.review_state == RS.DRAFT


def test_a_delegate_may_not_submit_the_report(w, report):
    with pytest.raises(PermissionDenied, match="focal point submits it"):
        submit(w, report, user=w.expert)
    assert NationalReport.objects.get().status == NRS.IN_PREPARATION


def test_a_submitted_report_is_no_longer_edited(w, report):
    submit(w, report)
    with pytest.raises(PermissionDenied):
        services.national_report_save(
            user=w.focal,
            reporting_round=report.reporting_round,
            range_state=w.armenia,
            expected_version=2,
            needs="later",
        )
    with pytest.raises(PermissionDenied):
        submit(w, report)


def test_a_closed_round_locks_its_reports(w, open_round, report):
    services.reporting_round_close(user=w.secretariat, reporting_round=open_round)
    with pytest.raises(PermissionDenied, match="closed"):
        submit(w, report)


# --- accepting and returning ------------------------------------------------------------------------


def test_accepting_approves_its_submitted_entries(w, open_round, report):
    draft = entry(w, open_round)
    submit(w, report, include=[draft.pk])

    report = services.national_report_accept(user=w.secretariat, report=report)

    report.refresh_from_db()
    draft.refresh_from_db()
    assert report.status == NRS.ACCEPTED and report.reviewed_by == w.secretariat
    assert draft.review_state == RS.APPROVED and draft.reviewed_by == w.secretariat
    assert w.secretariat not in report.contributors.all()


def test_nobody_accepts_a_report_they_prepared(w, open_round):
    report = start(w, open_round, user=w.secretariat, **COMPLETE)
    submit(w, report, user=w.focal)
    with pytest.raises(PermissionDenied, match="they wrote, changed or submitted"):
        services.national_report_accept(user=w.secretariat, report=report)
    with pytest.raises(PermissionDenied):
        services.national_report_return(user=w.secretariat, report=report, comments={"needs": "More."})
    assert NationalReport.objects.get().status == NRS.SUBMITTED
    # a colleague who took no part may
    services.national_report_accept(user=w.other_secretariat, report=report)


def test_acceptance_is_all_or_none_when_the_reviewer_contributed_to_an_entry(w, open_round, report):
    mine = entry(w, open_round, user=w.secretariat)  # the reviewer reported this entry
    theirs = entry(w, open_round, activity=ActivityFactory(result__objective__strategy=w.strategy))
    submit(w, report, include=[mine.pk, theirs.pk])

    with pytest.raises(PermissionDenied, match=mine.activity.code):
        services.national_report_accept(user=w.secretariat, report=report)

    assert NationalReport.objects.get().status == NRS.SUBMITTED
    assert set(ProgressEntry.objects.values_list("review_state", flat=True)) == {RS.SUBMITTED}


def test_focal_points_neither_accept_nor_return(w, report):
    submit(w, report)
    with pytest.raises(PermissionDenied, match="Only the Secretariat"):
        services.national_report_accept(user=w.focal, report=report)


def test_return_with_a_comment_per_section_and_per_entry(w, open_round, report):
    first = entry(w, open_round)
    second = entry(w, open_round, activity=ActivityFactory(result__objective__strategy=w.strategy))
    submit(w, report, include=[first.pk, second.pk])

    services.national_report_return(
        user=w.secretariat,
        report=report,
        comments={"needs": "  Give amounts.  ", "challenges": "", "cover": "Add a phone number."},
        entry_comments={first.pk: "Attach the survey report."},
    )

    report.refresh_from_db()
    assert report.status == NRS.RETURNED
    assert report.return_comments == {"needs": "Give amounts.", "cover": "Add a phone number."}
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.review_state == RS.RETURNED and first.review_comment == "Attach the survey report."
    assert second.review_state == RS.SUBMITTED
    # the focal point edits, then resubmits with the returned entry resolved
    services.national_report_save(
        user=w.focal,
        reporting_round=open_round,
        range_state=w.armenia,
        expected_version=report.version,
        needs="USD 20,000 for rangers.",
    )
    with pytest.raises(ValidationError, match=first.activity.code):
        submit(w, report)
    submit(w, report, include=[first.pk])
    report.refresh_from_db()
    first.refresh_from_db()
    assert report.status == NRS.SUBMITTED and report.return_comments == {}
    assert first.review_state == RS.SUBMITTED
    # the history keeps the comments of the return
    returned = report.history.filter(history_change_reason="Returned").get()
    assert returned.return_comments["needs"] == "Give amounts."


def test_return_without_any_comment_is_refused(w, report):
    submit(w, report)
    with pytest.raises(ValidationError, match="requires a comment"):
        services.national_report_return(user=w.secretariat, report=report, comments={"needs": "   "})
    with pytest.raises(ValidationError, match="no section"):
        services.national_report_return(user=w.secretariat, report=report, comments={"den_sites": "x"})
    assert NationalReport.objects.get().status == NRS.SUBMITTED


def test_return_refuses_an_entry_outside_the_report(w, open_round, report):
    submit(w, report)
    foreign = ProgressEntry.objects.create(
        activity=w.activity,
        range_state=w.iran,
        reporting_round=open_round,
        review_state=RS.SUBMITTED,
        reporting_date=datetime.date(2025, 6, 1),
        status="in_progress",
        reported_by=w.partner,
    )
    with pytest.raises(ValidationError, match="Only this report's entries"):
        services.national_report_return(
            user=w.secretariat, report=report, comments={}, entry_comments={foreign.pk: "x"}
        )
    foreign.refresh_from_db()
    assert foreign.review_state == RS.SUBMITTED
    assert NationalReport.objects.get().status == NRS.SUBMITTED


# --- the private discussion -------------------------------------------------------------------------


def test_comments_need_a_started_report_and_a_subject_the_user_may_see(w, open_round):
    unsaved = NationalReport(reporting_round=open_round, range_state=w.armenia)
    with pytest.raises(PermissionDenied, match="Start the national report"):
        services.report_comment_add(user=w.secretariat, report=unsaved, section="needs", text="Amounts?")
    report = start(w, open_round, needs="Rangers.")
    outside = entry(w, open_round, activity=ActivityFactory(result__objective__strategy=w.strategy))
    # the delegate's scope is w.activity only: another entry of the report is not theirs to discuss
    with pytest.raises(ValidationError):
        services.report_comment_add(user=w.expert, report=report, entry=outside, text="Seen it")
    comment = services.report_comment_add(user=w.expert, report=report, section="needs", text=" Rangers? ")
    assert (comment.text, comment.section, comment.author) == ("Rangers?", "needs", w.expert)
    with pytest.raises(PermissionDenied):
        services.report_comment_add(user=w.partner, report=report, section="needs", text="Hello")
    assert report.comments.count() == 1
