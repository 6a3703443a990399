"""The progress-reporting pages: sign-in, home, entry pages and forms, review queue, delegations,
reporting links and rounds, as focal points, the Secretariat and the public use them."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.middleware import LINK_SESSION_KEY
from activities.models import ActivityStateStatus, Delegation, ProgressEntry, ReportingLink
from tests.factories import (
    ActivityFactory,
    DelegationFactory,
    FocalPointFactory,
    ObjectiveFactory,
    RangeStateFactory,
    ReportingRoundFactory,
    ResultFactory,
    SecretariatUserFactory,
    StrategyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

RS = ProgressEntry.ReviewState
PDF = b"%PDF-1.4\n% survey report\n"


class World:
    """Persian-Leopard-shaped: one strategy with Armenia and Iran, an open round, focal points for
    each state, and two Secretariat members (so that one can review what the other reported)."""

    def __init__(self):
        today = timezone.localdate()
        self.strategy = StrategyFactory(slug="persian-leopard", short_name="Persian Leopard")
        self.am = RangeStateFactory(iso_code="AM", name="Armenia")
        self.ir = RangeStateFactory(iso_code="IR", name="Iran (Islamic Republic of)")
        self.strategy.range_states.set([self.am, self.ir])
        self.objective = ObjectiveFactory(strategy=self.strategy, number=1)
        self.result = ResultFactory(objective=self.objective, code="1.1")
        self.activity = ActivityFactory(
            result=self.result, code="1.1.1", text="Survey leopard corridors.", due_year=today.year
        )
        self.round = ReportingRoundFactory(
            strategy=self.strategy,
            name="2025 annual",
            opens_on=today - datetime.timedelta(days=30),
            deadline=today + datetime.timedelta(days=20),
        )
        self.focal_am = FocalPointFactory(user=UserFactory(username="focal-am"), range_state=self.am).user
        self.focal_ir = FocalPointFactory(user=UserFactory(username="focal-ir"), range_state=self.ir).user
        self.secretariat = SecretariatUserFactory(username="sec-one")
        self.colleague = SecretariatUserFactory(username="sec-two")

    def entry(self, user=None, state=None, narrative="Two corridors surveyed.", **fields):
        return services.progress_entry_create(
            user=user or self.focal_am,
            activity=fields.pop("activity", self.activity),
            range_state=state or self.am,
            reporting_date=fields.pop("reporting_date", datetime.date(2025, 5, 1)),
            status=fields.pop("status", ProgressEntry.Status.IN_PROGRESS),
            narrative=narrative,
            reporting_round=fields.pop("reporting_round", self.round),
            **fields,
        )

    def submitted(self, user=None, **fields):
        user = user or self.focal_am
        return services.progress_entry_submit(user=user, entry=self.entry(user=user, **fields))

    def approved(self, **fields):
        return services.progress_entry_approve(user=self.colleague, entry=self.submitted(**fields))


@pytest.fixture
def world():
    return World()


def signed_in(client, user):
    client.force_login(user)
    return client


def form_data(world, **overrides):
    data = {
        "range_state": world.am.pk,
        "reporting_date": "2025-05-01",
        "status": "in_progress",
        "narrative": "Camera traps set in Khosrov.",
        "source": "Khosrov reserve annual report 2024",
        "confidence": "documented",
        "restricted_details": "",
        "amount_spent_usd": "",
        "reporting_round": world.round.pk,
    }
    return data | overrides


def create_url(activity, state=None):
    url = reverse(
        "activities:progress-create", kwargs={"slug": activity.strategy.slug, "code": activity.code}
    )
    return f"{url}?range_state={state.iso_code}" if state else url


def url(name, obj):
    return reverse(f"activities:{name}", kwargs={"pk": obj.pk})


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


def test_home_shows_a_focal_points_due_overdue_drafts_and_returned_entries(client, world):
    overdue = ActivityFactory(result=world.result, code="1.1.2", due_year=2020, timeline_text="2020")
    reported = ActivityFactory(result=world.result, code="1.1.3", due_year=timezone.localdate().year)
    world.submitted(activity=reported)
    world.entry(narrative="Still drafting.")  # a draft does not count as reported
    returned = services.progress_entry_return(
        user=world.secretariat, entry=world.submitted(activity=overdue), comment="Attach the survey map."
    )
    ir_draft = world.entry(user=world.focal_ir, state=world.ir)
    html = signed_in(client, world.focal_am).get(reverse("activities:home")).content.decode()
    assert "Armenia" in html and "2025 annual" in html and "20 days left" in html
    assert "Armenia: 1 activity not yet reported" in html  # 1.1.1 (draft only); 1.1.2 and 1.1.3 submitted
    assert f"{create_url(world.activity, world.am)}" in html
    assert "Attach the survey map." in html and url("progress-detail", returned) in html
    assert "Draft" in html and "Submitted for review" in html
    assert url("progress-detail", ir_draft) not in html
    # an overdue activity, still not reported, is flagged in words
    returned.delete()
    html = client.get(reverse("activities:home")).content.decode()
    assert "Armenia: 2 activities not yet reported, " in html and "1 overdue" in html
    assert "Overdue</strong> (due 2020)" in html


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
    # 1 session, 2 user, 3 Secretariat group?, 4 focal states, 5 those Range States, 6 open rounds +
    # strategy, 7 their strategies' Range States, 8 due activities not reported (one query per round and
    # state: here one), 9 delegations, 10 pending entries + activity/strategy/state
    with django_assert_num_queries(10):
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


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


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


def test_restricted_files_are_downloaded_only_by_those_allowed(client, world, media):
    entry = world.entry()
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


# --- review queue --------------------------------------------------------------------------------


def test_review_queue_is_for_the_secretariat_only(client, world):
    assert client.get(reverse("activities:review-queue")).status_code == 302
    assert signed_in(client, world.focal_am).get(reverse("activities:review-queue")).status_code == 403
    assert signed_in(client, world.secretariat).get(reverse("activities:review-queue")).status_code == 200


def test_review_queue_lists_submitted_entries_oldest_first_and_filters(client, world):
    other = StrategyFactory(slug="snow-leopard", short_name="Snow Leopard")
    other.range_states.set([world.am])
    other_activity = ActivityFactory(
        result=ResultFactory(objective=ObjectiveFactory(strategy=other)), code="9.9.9"
    )
    newer = world.submitted(narrative="Newer from Armenia.")
    older = world.submitted(user=world.focal_ir, state=world.ir, narrative="Older from Iran.")
    ProgressEntry.objects.filter(pk=older.pk).update(
        submitted_at=newer.submitted_at - datetime.timedelta(days=3)
    )
    snow = world.submitted(activity=other_activity, narrative="Snow leopard entry.", reporting_round=None)
    world.entry(narrative="A draft is not in the queue.")
    signed_in(client, world.secretariat)
    html = client.get(reverse("activities:review-queue")).content.decode()
    assert (
        html.index("Older from Iran.") < html.index("Newer from Armenia.") < html.index("Snow leopard entry.")
    )
    assert "A draft is not in the queue." not in html
    by_state = client.get(reverse("activities:review-queue"), {"range_state": world.ir.pk}).content.decode()
    assert "Older from Iran." in by_state and "Newer from Armenia." not in by_state
    by_strategy = client.get(reverse("activities:review-queue"), {"strategy": other.pk}).content.decode()
    assert "Snow leopard entry." in by_strategy and "Newer from Armenia." not in by_strategy
    assert url("progress-detail", snow) in by_strategy


def test_bulk_approve_approves_the_selected_and_reports_each_refusal(client, world):
    theirs = [world.submitted(), world.submitted(user=world.focal_ir, state=world.ir)]
    own = world.submitted(user=world.secretariat)
    signed_in(client, world.secretariat)
    response = client.post(
        reverse("activities:review-bulk-approve"), {"entries": [e.pk for e in [*theirs, own]]}, follow=True
    )
    html = response.content.decode()
    assert "Approved 2 entries." in html
    assert "Not approved: Activity 1.1.1" in html and "reported or submitted" in html
    assert ProgressEntry.objects.filter(review_state=RS.APPROVED).count() == 2
    own.refresh_from_db()
    assert own.review_state == RS.SUBMITTED
    assert ActivityStateStatus.objects.count() == 2


@pytest.mark.parametrize("rows", [1, 10])
def test_review_queue_query_count_is_flat(client, django_assert_num_queries, world, rows):
    for n in range(rows):
        world.submitted(user=[world.focal_am, world.focal_ir][n % 2], state=[world.am, world.ir][n % 2])
    signed_in(client, world.secretariat)
    # 1 session, 2 user, 3 Secretariat group (cached on the user), 4 page count, 5 entries joined to
    # activity/strategy/state/round/reporter/submitter, 6 the reviewer's focal states and 7 delegations
    # (asked once by permissions.allowed, then cached), 8 filter's Range States, 9 filter's strategies
    with django_assert_num_queries(9):
        response = client.get(reverse("activities:review-queue"))
    assert response.content.decode().count("Approve<span") == rows


# --- delegation ----------------------------------------------------------------------------------


def test_a_focal_point_delegates_an_activity_and_revokes_it(client, world):
    expert = UserFactory(username="expert")
    signed_in(client, world.focal_am)
    page = client.get(reverse("activities:delegation-list")).content.decode()
    assert ">Armenia</option>" in page and "Iran" not in page
    data = {
        "delegate": "expert",
        "range_state": world.am.pk,
        "strategy": world.strategy.pk,
        "activity_code": "1.1.1",
    }
    assert client.post(reverse("activities:delegation-list"), data).status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.delegate, delegation.activity, delegation.granted_by) == (
        expert,
        world.activity,
        world.focal_am,
    )
    tampered = client.post(reverse("activities:delegation-list"), data | {"range_state": world.ir.pk})
    assert "You may only delegate for your own states." in tampered.content.decode()
    missing = client.post(reverse("activities:delegation-list"), data | {"activity_code": "7.7.7"})
    assert "has no activity 7.7.7" in missing.content.decode()
    client.post(url("delegation-revoke", delegation))
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


def test_a_delegate_drafts_but_cannot_submit(client, world):
    expert = UserFactory(username="expert")
    DelegationFactory(
        delegate=expert, granted_by=world.focal_am, range_state=world.am, activity=world.activity
    )
    signed_in(client, expert)
    client.post(create_url(world.activity), form_data(world))
    entry = ProgressEntry.objects.get()
    assert "Submit for review" not in client.get(url("progress-detail", entry)).content.decode()
    assert client.post(url("progress-submit", entry)).status_code == 403
    assert client.get(reverse("activities:delegation-list")).status_code == 403


# --- reporting links -----------------------------------------------------------------------------


@pytest.fixture
def am_and_ir_focal_point(world):
    FocalPointFactory(user=world.focal_am, range_state=world.ir)
    return world.focal_am


def test_the_secretariat_makes_a_link_shown_once(client, world):
    signed_in(client, world.secretariat)
    data = {"focal_point": world.focal_am.pk, "range_state": world.am.pk, "valid_days": 7}
    html = client.post(reverse("activities:reportinglink-create"), data).content.decode()
    link = ReportingLink.objects.get()
    assert "http://testserver/report/" in html and "cannot be shown again" in html
    listing = client.get(reverse("activities:reportinglink-list")).content.decode()
    assert "focal-am" in listing and "/report/" not in listing
    client.post(url("reportinglink-revoke", link))
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert (
        signed_in(client, world.focal_am).get(reverse("activities:reportinglink-create")).status_code == 403
    )


def test_a_reporting_link_signs_in_on_post_only_scoped_to_its_state(client, world, am_and_ir_focal_point):
    link, token = services.reporting_link_create(
        user=world.secretariat, focal_point=world.focal_am, range_state=world.am
    )
    redeem = reverse("activities:reportinglink-redeem", args=[token])
    page = client.get(redeem)
    assert page.status_code == 200 and "Continue" in page.content.decode()
    assert "_auth_user_id" not in client.session  # a link preview signs no one in
    response = client.post(redeem)
    assert response.status_code == 302 and response.url == reverse("activities:home")
    assert client.session[LINK_SESSION_KEY] == link.pk
    assert client.get(create_url(world.activity, world.am)).status_code == 200
    html = client.get(create_url(world.activity)).content.decode()
    assert ">Armenia</option>" in html and "Iran" not in html
    tampered = client.post(create_url(world.activity), form_data(world, range_state=world.ir.pk))
    assert "You may not report for that Range State." in tampered.content.decode()
    assert not ProgressEntry.objects.exists()


def test_expired_or_revoked_links_are_gone(client, world):
    link, token = services.reporting_link_create(
        user=world.secretariat, focal_point=world.focal_am, range_state=world.am
    )
    redeem = reverse("activities:reportinglink-redeem", args=[token])
    ReportingLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.post(redeem)
    assert response.status_code == 410 and "has expired" in response.content.decode()
    ReportingLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + datetime.timedelta(days=1))
    services.reporting_link_revoke(user=world.secretariat, link=link)
    assert client.post(redeem).status_code == 410
    assert client.post(reverse("activities:reportinglink-redeem", args=["not-a-token"])).status_code == 410
    assert "_auth_user_id" not in client.session


# --- rounds --------------------------------------------------------------------------------------


def test_a_closed_round_locks_its_entries(client, world):
    entry = world.entry(reporting_round=world.round)
    signed_in(client, world.secretariat).post(url("round-close", world.round))
    world.round.refresh_from_db()
    assert world.round.is_closed
    signed_in(client, world.focal_am)
    html = client.get(url("progress-detail", entry)).content.decode()
    assert (
        "is closed: this entry is locked" in html
        and "Submit for review" not in html
        and "Edit</a>" not in html
    )
    response = client.post(url("progress-submit", entry))
    assert response.status_code == 403 and "Nothing has been changed" in response.content.decode()
    assert (
        client.post(url("progress-edit", entry), form_data(world, version=entry.version)).status_code == 403
    )
    entry.refresh_from_db()
    assert entry.review_state == RS.DRAFT and entry.version == 1
    signed_in(client, world.secretariat).post(url("round-reopen", world.round))
    assert signed_in(client, world.focal_am).post(url("progress-submit", entry)).status_code == 302


def test_round_page_shows_on_time_rates_per_state_in_text(client, world):
    ActivityFactory(result=world.result, code="1.1.2")
    world.submitted(reporting_round=world.round)
    late = world.submitted(user=world.focal_ir, state=world.ir, reporting_round=world.round)
    ProgressEntry.objects.filter(pk=late.pk).update(
        first_submitted_at=timezone.now() + datetime.timedelta(days=40)
    )
    html = signed_in(client, world.focal_am).get(url("round-detail", world.round)).content.decode()

    def row(state):
        cells = html[html.index(f'<th scope="row">{state}') :].split("</tr>")[0]
        return re.findall(r'<td class="num">([^<]*)</td>', cells)

    # on-time rate, due, on time, late, not reported: in numbers and words, never colour alone
    assert row("Armenia") == ["50%", "2", "1", "0", "1"]
    assert row("Iran") == ["0%", "2", "0", "1", "1"]
    assert "Close the round" not in html


def test_the_secretariat_opens_a_round_with_errors_per_field(client, world):
    signed_in(client, world.secretariat)
    data = {
        "strategy": world.strategy.pk,
        "name": "2026 annual",
        "kind": "annual",
        "opens_on": "2026-01-01",
        "deadline": "2025-01-01",
    }
    html = client.post(reverse("activities:round-list"), data).content.decode()
    assert "There is a problem" in html
    response = client.post(reverse("activities:round-list"), data | {"deadline": "2026-06-30"})
    assert response.status_code == 302
    assert signed_in(client, world.focal_am).post(reverse("activities:round-list"), data).status_code == 403
