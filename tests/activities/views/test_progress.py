"""The progress-reporting pages: sign-in and home, creating and editing entries, the entry page and its
workflow buttons, and evidence, as focal points, delegates, the Secretariat and the public use them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import ProgressEntry
from tests.factories import ActivityFactory, DelegationFactory, UserFactory

from .pages import PDF, RS, create_url, form_data, signed_in, url

pytestmark = pytest.mark.django_db

# --- sign-in and home ----------------------------------------------------------------------------


def test_sign_in_page_has_labelled_fields_and_signs_in_to_home(client, world):
    page = client.get(reverse("login"))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    response = client.post(
        reverse("login"), {"username": "focal-am", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302 and response.url == reverse("activities:home")
    bad = client.post(reverse("login"), {"username": "focal-am", "password": "wrong"})
    assert "Could not sign you in" in bad.content.decode()


def test_home_requires_sign_in(client):
    response = client.get(reverse("activities:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_signed_in_header_has_a_sign_out_form(client, world):
    html = signed_in(client, world.focal_am).get(reverse("activities:home")).content.decode()
    assert f'<form method="post" action="{reverse("logout")}">' in html
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("activities:home")).status_code == 302


def test_home_shows_a_focal_points_due_behind_drafts_and_returned_entries(client, world):
    behind = ActivityFactory(result=world.result, code="1.1.2", due_year=2020, timeline_text="2020")
    reported = ActivityFactory(result=world.result, code="1.1.3", due_year=timezone.localdate().year)
    world.submitted(activity=reported)
    draft = world.entry(narrative="Still drafting.")  # a draft does not count as reported
    returned = services.progress_entry_return(
        user=world.secretariat, entry=world.submitted(activity=behind), comment="Attach the survey map."
    )
    ir_draft = world.entry(user=world.focal_ir, state=world.ir)
    html = signed_in(client, world.focal_am).get(reverse("activities:home")).content.decode()
    assert "Armenia" in html and "2025 annual" in html and "20 days left" in html
    # nothing approved yet: 1.1.3 awaits review, 1.1.2 came back, 1.1.1 is a draft
    assert "<strong>0 of 3</strong> reported; 1 more awaiting review." in html
    # the draft is continued, not started again
    assert create_url(world.activity, world.am) not in html and url("progress-detail", draft) in html
    assert "Attach the survey map." in html and url("progress-detail", returned) in html
    assert "Draft" in html and "Submitted for review" in html
    assert url("progress-detail", ir_draft) not in html
    # an activity behind the plan's timeline, still not reported, is flagged in words
    returned.delete()
    html = client.get(reverse("activities:home")).content.decode()
    assert "1 behind the plan's timeline" in html
    assert "Behind the plan's timeline</strong> (due 2020)" in html


def test_home_for_the_secretariat_counts_entries_awaiting_review(client, world):
    world.submitted()
    world.submitted(user=world.focal_ir, state=world.ir)
    html = signed_in(client, world.secretariat).get(reverse("activities:home")).content.decode()
    assert "<strong>2</strong> entries awaiting review" in html
    assert reverse("activities:review-queue") in html and "2025 annual" in html


def test_home_for_a_delegate_lists_delegations_and_drafts(client, world):
    expert = UserFactory(username="expert")
    DelegationFactory(
        delegate=expert, granted_by=world.focal_am, range_state=world.am, activity=world.activity
    )
    draft = world.entry(user=expert, narrative="Expert's draft.")
    html = signed_in(client, expert).get(reverse("activities:home")).content.decode()
    assert "Delegated to you" in html and "Activity 1.1.1" in html
    assert url("progress-detail", draft) in html


@pytest.mark.parametrize("rows", [1, 10])
def test_home_query_count_is_flat(client, django_assert_num_queries, world, rows):
    for n in range(rows):
        activity = ActivityFactory(result=world.result, code=f"1.1.{n + 10}")
        world.entry(activity=activity)
        world.submitted(activity=activity)
    signed_in(client, world.focal_am)
    # 1 session, 2 user, 3 notices, 4 Secretariat group?, 5 focal states, 6 those Range States, 7 open
    # rounds + strategy + due count, 8 their strategies' Range States, 9 entries counted per round and
    # state, 10 the due list with each activity's standing, 11 delegations, 12 pending entries counted
    # by review state, 13 the newest drafts, 14 the newest submitted ones
    with django_assert_num_queries(14):
        response = client.get(reverse("activities:home"))
    assert response.status_code == 200
    assert response.content.decode().count("Submitted for review") == rows


# --- creating and editing ------------------------------------------------------------------------


def test_create_form_is_prefilled_from_the_states_last_approved_entry(client, world):
    world.approved(narrative="Corridor survey completed in the north.", source="Ministry report")
    world.entry(user=world.focal_ir, state=world.ir, narrative="Iran's draft text.")
    html = signed_in(client, world.focal_am).get(create_url(world.activity, world.am)).content.decode()
    assert "Corridor survey completed in the north." in html and "Ministry report" in html
    assert "Pre-filled from the approved entry of 1 May 2025" in html
    assert "Iran's draft text." not in html
    # only the user's own states are offered, and only open rounds of this strategy
    assert ">Armenia</option>" in html and "Iran" not in html
    assert "2025 annual" in html


def test_create_saves_a_draft_through_the_service(client, world):
    response = signed_in(client, world.focal_am).post(create_url(world.activity), form_data(world))
    entry = ProgressEntry.objects.get()
    assert response.status_code == 302 and response.url == url("progress-detail", entry)
    assert (entry.range_state, entry.review_state, entry.reported_by) == (world.am, RS.DRAFT, world.focal_am)
    assert entry.reporting_round == world.round and entry.confidence == "documented"


def test_a_failed_validation_keeps_the_typed_text_with_a_message_per_field(client, world):
    data = form_data(world, reporting_date="31/02/2025", amount_spent_usd="-5", status="")
    data["narrative"] = "Long field notes that must never be lost <b>as typed</b>."
    html = signed_in(client, world.focal_am).post(create_url(world.activity), data).content.decode()
    assert "There are 3 problems" in html
    assert "Long field notes that must never be lost &lt;b&gt;as typed&lt;/b&gt;." in html
    assert 'aria-describedby="id_reporting_date_helptext id_reporting_date_error"' in html
    assert 'id="id_amount_spent_usd_error"' in html and 'id="id_status_error"' in html
    assert ProgressEntry.objects.count() == 0


def test_tampered_range_state_is_a_form_error_and_creates_nothing(client, world):
    response = signed_in(client, world.focal_am).post(
        create_url(world.activity), form_data(world, range_state=world.ir.pk)
    )
    assert response.status_code == 200
    assert "You may not report for that Range State." in response.content.decode()
    assert ProgressEntry.objects.count() == 0


def test_the_create_form_refuses_users_with_no_state_to_report_for(client, world):
    partner = UserFactory(username="partner")
    assert signed_in(client, partner).get(create_url(world.activity)).status_code == 403


def test_a_focal_point_cannot_reach_another_states_entries_by_url(client, world):
    ir_draft = world.entry(user=world.focal_ir, state=world.ir, narrative="Iran's draft.")
    ir_submitted = world.submitted(user=world.focal_ir, state=world.ir)
    signed_in(client, world.focal_am)
    for name in ("progress-detail", "progress-edit"):
        assert client.get(url(name, ir_draft)).status_code == 404
    for name in ("progress-edit", "progress-submit", "evidence-add"):
        assert client.post(url(name, ir_draft), form_data(world, version=1)).status_code == 404
    assert client.post(url("progress-approve", ir_submitted)).status_code == 404
    assert client.post(url("progress-return", ir_submitted), {"comment": "x"}).status_code == 404
    ir_draft.refresh_from_db()
    ir_submitted.refresh_from_db()
    assert (ir_draft.review_state, ir_draft.narrative, ir_draft.version) == (RS.DRAFT, "Iran's draft.", 1)
    assert ir_submitted.review_state == RS.SUBMITTED and not ir_draft.evidence.exists()


def test_actions_the_user_may_not_take_are_403(client, world):
    entry = world.submitted()
    signed_in(client, world.focal_am)
    assert client.get(url("progress-edit", entry)).status_code == 403  # under review
    assert client.post(url("progress-approve", entry)).status_code == 403
    assert client.get(reverse("activities:review-queue")).status_code == 403
    entry.refresh_from_db()
    assert entry.review_state == RS.SUBMITTED


def test_two_edits_from_the_same_version_conflict_and_nothing_is_overwritten(
    client, world, django_user_model
):
    entry = world.entry(narrative="Original text.")
    first = signed_in(client, world.focal_am).post(
        url("progress-edit", entry), form_data(world, version=entry.version, narrative="First editor's text.")
    )
    assert first.status_code == 302
    from django.test import Client

    other = signed_in(Client(), world.secretariat)
    second = other.post(
        url("progress-edit", entry), form_data(world, version=1, narrative="Second editor's careful text.")
    )
    html = second.content.decode()
    assert second.status_code == 409
    assert "changed by focal-am while you were editing it" in html
    assert "Second editor&#x27;s careful text." in html  # their text, intact in the form
    assert "First editor&#x27;s text." in html  # the saved version, shown beside
    entry.refresh_from_db()
    assert entry.narrative == "First editor's text." and entry.version == 2


def test_editing_an_approved_entry_requires_a_reason_kept_in_the_history(client, world):
    entry = world.approved()
    signed_in(client, world.secretariat)
    page = client.get(url("progress-edit", entry)).content.decode()
    assert "Reason for the change" in page
    data = form_data(world, version=entry.version, narrative="Corrected figures.")
    html = client.post(url("progress-edit", entry), data).content.decode()
    assert 'id="id_reason_error"' in html and "Corrected figures." in html
    entry.refresh_from_db()
    assert entry.narrative == "Two corridors surveyed."
    client.post(url("progress-edit", entry), data | {"reason": "Typo in the ministry's figure."})
    detail = client.get(url("progress-detail", entry)).content.decode()
    assert "Typo in the ministry&#x27;s figure." in detail
    assert "was “Two corridors surveyed.”" in detail and "now “Corrected figures.”" in detail


def test_submit_then_return_without_comment_is_an_error_and_with_comment_goes_back(client, world):
    entry = world.entry()
    signed_in(client, world.focal_am).post(url("progress-submit", entry))
    entry.refresh_from_db()
    assert entry.review_state == RS.SUBMITTED
    signed_in(client, world.secretariat)
    html = client.post(url("progress-return", entry), {"comment": "  "}).content.decode()
    assert "returning an entry requires a comment" in html and 'id="id_comment_error"' in html
    entry.refresh_from_db()
    assert entry.review_state == RS.SUBMITTED
    client.post(url("progress-return", entry), {"comment": "Add the survey dates."})
    entry.refresh_from_db()
    assert (entry.review_state, entry.review_comment) == (RS.RETURNED, "Add the survey dates.")


def test_nobody_approves_their_own_entry_from_the_entry_page(client, world):
    entry = world.submitted(user=world.secretariat)
    html = signed_in(client, world.secretariat).get(url("progress-detail", entry)).content.decode()
    assert "Approve</button>" not in html
    assert client.post(url("progress-approve", entry)).status_code == 403
    signed_in(client, world.colleague).post(url("progress-approve", entry))
    entry.refresh_from_db()
    assert entry.review_state == RS.APPROVED


def test_entry_page_shows_status_confidence_source_history_and_only_allowed_buttons(client, world):
    entry = world.entry(
        source="Reserve report", confidence="documented", restricted_details="Den at grid 41."
    )
    html = signed_in(client, world.focal_am).get(url("progress-detail", entry)).content.decode()
    assert "Confirmed by document" in html and "Reserve report" in html and "Draft" in html
    assert "Den at grid 41." in html and "Submit for review" in html and "Created" in html
    services.progress_entry_approve(
        user=world.colleague, entry=services.progress_entry_submit(user=world.focal_am, entry=entry)
    )
    public = client.logout() or client.get(url("progress-detail", entry)).content.decode()
    assert "Confirmed by document" in public and "Den at grid 41." not in public
    assert "Submit for review" not in public and "Edit</a>" not in public


# --- evidence ------------------------------------------------------------------------------------


def test_evidence_upload_errors_are_shown_on_the_file_field(client, world, media, settings):
    entry = world.entry()
    signed_in(client, world.focal_am)

    def upload(name, content, **extra):
        data = {"title": "Report", "file": SimpleUploadedFile(name, content)} | extra
        return client.post(url("evidence-add", entry), data).content.decode()

    assert "is not an accepted file type" in upload("tool.exe", b"MZ")
    assert "does not look like a PDF file" in upload("report.pdf", b"<html>not a pdf</html>")
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    html = upload("big.pdf", PDF + b"0" * (1024 * 1024 + 10))
    assert "the limit is 1 MB" in html and 'id="id_file_error"' in html
    assert (
        "Give either a link or a file"
        in client.post(
            url("evidence-add", entry),
            {"url": "https://example.org/a", "file": SimpleUploadedFile("a.pdf", PDF)},
        ).content.decode()
    )
    assert not entry.evidence.exists()
    response = client.post(
        url("evidence-add", entry), {"title": "Survey", "file": SimpleUploadedFile("s.pdf", PDF)}
    )
    assert response.status_code == 302 and entry.evidence.get().content_type == "application/pdf"


def test_restricted_files_are_downloaded_only_by_those_allowed(
    client, world, media, django_capture_on_commit_callbacks
):
    entry = world.entry()
    with django_capture_on_commit_callbacks(execute=True):  # files are stored when their rows commit
        restricted = services.evidence_add(
            user=world.focal_am,
            entry=entry,
            title="Den map",
            file=SimpleUploadedFile("dens.pdf", PDF),
            restricted=True,
        )
        public = services.evidence_add(
            user=world.focal_am, entry=entry, title="Summary", file=SimpleUploadedFile("summary.pdf", PDF)
        )
    services.progress_entry_approve(
        user=world.colleague, entry=services.progress_entry_submit(user=world.focal_am, entry=entry)
    )
    download = lambda evidence: client.get(url("evidence-download", evidence))  # noqa: E731
    assert download(restricted).status_code == 404  # anonymous
    assert b"".join(download(public).streaming_content) == PDF
    signed_in(client, world.focal_ir)
    assert download(restricted).status_code == 404
    signed_in(client, world.focal_am)
    response = download(restricted)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    # the page never links the storage URL
    assert "/media/" not in client.get(url("progress-detail", entry)).content.decode()


def test_restricted_details_and_evidence_never_reach_the_public_activity_page(client, world, media):
    entry = world.entry(restricted_details="Poaching case near the border post.")
    services.evidence_add(
        user=world.focal_am,
        entry=entry,
        title="Secret den map",
        url="https://example.org/den",
        restricted=True,
    )
    services.evidence_add(
        user=world.focal_am, entry=entry, title="Public summary", url="https://example.org/sum"
    )
    services.progress_entry_approve(
        user=world.colleague, entry=services.progress_entry_submit(user=world.focal_am, entry=entry)
    )
    html = client.get(world.activity.get_absolute_url()).content.decode()
    assert "Public summary" in html and "Two corridors surveyed." in html
    assert "Poaching case" not in html and "Secret den map" not in html and "example.org/den" not in html
    html = signed_in(client, world.focal_am).get(world.activity.get_absolute_url()).content.decode()
    assert "Secret den map" not in html  # the activity page is a public summary, for everyone


def test_activity_page_shows_signed_in_users_their_pending_entries_marked(client, world):
    draft = world.entry(narrative="Pending narrative.")
    world.entry(user=world.focal_ir, state=world.ir)
    assert url("progress-detail", draft) not in client.get(world.activity.get_absolute_url()).content.decode()
    html = signed_in(client, world.focal_am).get(world.activity.get_absolute_url()).content.decode()
    assert url("progress-detail", draft) in html and "Not yet approved" in html
    assert 'class="review-state review-draft">Draft<' in html and html.count("review-draft") == 1
    assert create_url(world.activity) in html
