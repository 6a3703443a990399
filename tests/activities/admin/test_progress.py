"""Progress reporting in the admin: entries, evidence, rounds, delegations, links and snapshots, all
written through activities.services, with the services' refusals shown beside the form or as a message."""

import datetime

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import (
    Activity,
    Delegation,
    Evidence,
    MeetingSnapshot,
    ProgressEntry,
    ReportingLink,
    ReportingRound,
)
from tests.factories import (
    ActivityFactory,
    DelegationFactory,
    FocalPointFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    ReportingLinkFactory,
    ReportingRoundFactory,
    SecretariatUserFactory,
    StrategyFactory,
    UserFactory,
)

from .rows import MeetingFactory, admin_url, approved_status, meeting_snapshot

# --- progress entries through the workflow services ----------------------------------------------


def in_strategy(state=None):
    """An activity whose strategy has `state` (a new one by default) as a Range State."""
    activity = ActivityFactory()
    state = state or RangeStateFactory()
    activity.strategy.range_states.add(state)
    return activity, state


ENTRY_FORM = {
    "reporting_round": "",
    "reporting_date": "2025-06-30",
    "status": ProgressEntry.Status.IN_PROGRESS,
    "confidence": ProgressEntry.Confidence.DOCUMENTED,
    "narrative": "Camera traps installed.",
    "source": "",
    "restricted_details": "",
    "amount_spent_usd": "",
    "evidence-TOTAL_FORMS": "0",
    "evidence-INITIAL_FORMS": "0",
}


def change_form(entry, **changes):
    """The change form as the browser posts it for `entry`, with `changes`."""
    data = {
        **ENTRY_FORM,
        "reporting_date": entry.reporting_date.isoformat(),
        "status": entry.status,
        "confidence": entry.confidence,
        "narrative": entry.narrative,
        "source": entry.source,
        "restricted_details": entry.restricted_details,
        "expected_version": entry.version,
        "reason": "",
    }
    return data | changes


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def post_evidence(client, entry, **evidence):
    """Save the entry's change page unchanged, with one new evidence row of `evidence`'s fields."""
    row = {f"evidence-0-{name}": value for name, value in evidence.items()}
    return client.post(
        admin_url(ProgressEntry, "change", entry.pk), change_form(entry) | {"evidence-TOTAL_FORMS": "1"} | row
    )


def test_progress_entry_added_in_admin_is_a_draft_reported_by_the_current_user(staff_client):
    activity, state = in_strategy()

    response = staff_client.post(
        admin_url(ProgressEntry, "add"),
        ENTRY_FORM
        | {
            "activity": activity.pk,
            "range_state": state.pk,
            "review_state": ProgressEntry.ReviewState.APPROVED,  # read-only: ignored
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-url": "https://example.org/survey.pdf",
            "evidence-0-title": "Survey",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = ProgressEntry.objects.get()
    user = response.wsgi_request.user
    assert (entry.reported_by, entry.review_state, entry.version) == (
        user,
        ProgressEntry.ReviewState.DRAFT,
        1,
    )
    assert entry.confidence == ProgressEntry.Confidence.DOCUMENTED
    evidence = entry.evidence.get()
    assert (evidence.title, evidence.added_by) == ("Survey", user)
    assert [(h.history_user, h.history_change_reason) for h in entry.history.all()] == [(user, "Created")]


def test_admin_refuses_progress_for_a_state_outside_the_strategy(staff_client):
    activity = ActivityFactory()
    elsewhere = RangeStateFactory()

    response = staff_client.post(
        admin_url(ProgressEntry, "add"), ENTRY_FORM | {"activity": activity.pk, "range_state": elsewhere.pk}
    )

    assert response.status_code == 200
    assert "is not a Range State of" in str(response.context["adminform"].form.errors)
    assert not ProgressEntry.objects.exists()


def test_admin_changes_go_through_the_edit_service(staff_client):
    activity, state = in_strategy()
    entry = ProgressEntryFactory(activity=activity, range_state=state)

    response = staff_client.post(
        admin_url(ProgressEntry, "change", entry.pk),
        change_form(entry, narrative="Five traps.", review_state="approved", version="7"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry.refresh_from_db()
    assert (entry.narrative, entry.version, entry.review_state) == ("Five traps.", 2, "draft")
    latest = entry.history.first()
    assert (latest.history_user, latest.history_change_reason) == (response.wsgi_request.user, "Edited")


def test_admin_edit_of_an_approved_entry_requires_a_reason_kept_in_the_history(staff_client):
    activity, state = in_strategy()
    entry = ProgressEntryFactory(activity=activity, range_state=state, review_state="approved")
    url = admin_url(ProgressEntry, "change", entry.pk)

    response = staff_client.post(url, change_form(entry, narrative="Corrected."))

    assert response.status_code == 200
    assert "requires a reason" in str(response.context["adminform"].form.errors["reason"])
    assert ProgressEntry.objects.get(pk=entry.pk).narrative == entry.narrative

    response = staff_client.post(
        url, change_form(entry, narrative="Corrected.", reason="Wrong reserve named")
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.narrative == "Corrected."
    assert entry.history.first().history_change_reason == "Wrong reserve named"


def test_admin_reports_an_edit_conflict_and_overwrites_nothing(staff_client):
    activity, state = in_strategy()
    entry = ProgressEntryFactory(activity=activity, range_state=state)
    stale = change_form(entry, narrative="Mine.")
    someone = SecretariatUserFactory(username="colleague")
    services.progress_entry_update(user=someone, entry=entry, expected_version=1, narrative="Theirs.")

    response = staff_client.post(admin_url(ProgressEntry, "change", entry.pk), stale)

    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors)
    assert "changed by colleague while you were editing" in errors
    assert ProgressEntry.objects.get(pk=entry.pk).narrative == "Theirs."


def test_admin_refuses_edits_of_locked_entries(staff_client):
    activity, state = in_strategy()
    closed = ReportingRoundFactory(strategy=activity.strategy, closed_at=timezone.now())
    entry = ProgressEntryFactory(activity=activity, range_state=state, reporting_round=closed)

    response = staff_client.post(
        admin_url(ProgressEntry, "change", entry.pk),
        change_form(entry, reporting_round=closed.pk, narrative="x"),
    )

    assert response.status_code == 200
    assert "is closed" in str(response.context["adminform"].form.errors)
    assert ProgressEntry.objects.get(pk=entry.pk).narrative == entry.narrative


def test_admin_refuses_a_wrong_evidence_file_next_to_the_field(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    activity, state = in_strategy()
    entry = ProgressEntryFactory(activity=activity, range_state=state)

    response = post_evidence(
        staff_client, entry, title="Dens", file=SimpleUploadedFile("dens.pdf", b"<html>not a pdf</html>")
    )

    assert response.status_code == 200
    assert "does not look like a PDF file" in response.content.decode()
    assert not Evidence.objects.exists()


def test_admin_stores_an_evidence_file_through_the_service(
    transactional_db, staff_client, settings, tmp_path
):
    # Real commits (transactional_db): the file is stored when the admin's transaction commits, while
    # the upload is still open.
    settings.MEDIA_ROOT = tmp_path
    activity, state = in_strategy()
    entry = ProgressEntryFactory(activity=activity, range_state=state)

    response = post_evidence(
        staff_client,
        entry,
        title="Dens",
        restricted="on",
        file=SimpleUploadedFile("dens.pdf", b"%PDF-1.7 den sites"),
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.content_type, evidence.restricted, evidence.size) == ("application/pdf", True, 18)
    assert (tmp_path / evidence.file.name).read_bytes() == b"%PDF-1.7 den sites"


def test_approve_selected_approves_and_reports_each_refusal(staff_client):
    boss = staff_client.get(reverse("admin:index")).wsgi_request.user
    activity, state = in_strategy()
    submitted = {"activity": activity, "range_state": state, "review_state": "submitted"}
    ok = ProgressEntryFactory(**submitted)
    own = ProgressEntryFactory(**submitted, reported_by=boss)
    draft = ProgressEntryFactory(activity=activity, range_state=state)

    response = staff_client.post(
        admin_url(ProgressEntry, "changelist"),
        {"action": "approve_selected", "_selected_action": [ok.pk, own.pk, draft.pk]},
        follow=True,
    )

    assert response.status_code == 200
    states = dict(ProgressEntry.objects.values_list("pk", "review_state"))
    assert states == {ok.pk: "approved", own.pk: "submitted", draft.pk: "draft"}
    texts = messages_of(response) or [str(m) for m in response.context["messages"]]
    assert "Approved 1 progress entries." in texts
    assert any(f"Not approved: {own}" in t and "Nobody approves" in t for t in texts)
    assert any(f"Not approved: {draft}" in t and "this one is draft" in t for t in texts)


def test_a_secretariat_group_member_uses_the_admin_without_being_superuser(db, client):
    reviewer = SecretariatUserFactory(is_staff=True)
    client.force_login(reviewer)
    activity, state = in_strategy()
    entry = ProgressEntryFactory(activity=activity, range_state=state, review_state="submitted")

    response = client.post(
        admin_url(ProgressEntry, "changelist"), {"action": "approve_selected", "_selected_action": [entry.pk]}
    )

    assert response.status_code == 302
    assert ProgressEntry.objects.get(pk=entry.pk).reviewed_by == reviewer


def test_a_draft_deleted_in_the_admin_is_deleted_by_the_service_and_kept_in_the_history(staff_client):
    entry = ProgressEntryFactory()

    response = staff_client.post(admin_url(ProgressEntry, "delete", entry.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not ProgressEntry.objects.exists()
    deleted = ProgressEntry.history.filter(id=entry.pk, history_type="-").get()
    assert (deleted.history_user, deleted.history_change_reason) == (response.wsgi_request.user, "Deleted")


def test_admin_refuses_a_new_entry_in_a_closed_round_beside_the_form(staff_client):
    activity, state = in_strategy()
    closed = ReportingRoundFactory(strategy=activity.strategy, name="2024 annual", closed_at=timezone.now())

    response = staff_client.post(
        admin_url(ProgressEntry, "add"),
        ENTRY_FORM | {"activity": activity.pk, "range_state": state.pk, "reporting_round": closed.pk},
    )

    assert response.status_code == 200
    assert "“2024 annual” is closed" in str(response.context["adminform"].form.errors)
    assert not ProgressEntry.objects.exists()


def test_admin_refuses_evidence_that_is_both_a_link_and_a_file(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    activity, state = in_strategy()
    entry = ProgressEntryFactory(activity=activity, range_state=state)

    response = post_evidence(
        staff_client,
        entry,
        url="https://example.org/survey.pdf",
        file=SimpleUploadedFile("survey.pdf", b"%PDF-1.7 survey"),
    )

    assert response.status_code == 200
    assert "Give either a link or a file." in response.content.decode()
    assert not Evidence.objects.exists()


def test_approved_entries_cannot_be_deleted_in_the_admin(staff_client):
    entry = ProgressEntryFactory(review_state="approved")

    assert staff_client.get(admin_url(ProgressEntry, "delete", entry.pk)).status_code == 403
    assert "delete_selected" not in staff_client.get(admin_url(ProgressEntry, "changelist")).content.decode()


def test_progress_is_listed_read_only_on_the_activity_page(staff_client):
    entry = ProgressEntryFactory(range_state=None)

    response = staff_client.get(admin_url(Activity, "change", entry.activity_id))

    content = response.content.decode()
    assert admin_url(ProgressEntry, "change", entry.pk) in content
    assert 'name="progress_entries-0-status"' not in content  # shown, not editable


def test_the_history_page_shows_who_changed_what(staff_client):
    activity, state = in_strategy()
    focal = UserFactory(username="focal-point")
    FocalPointFactory(user=focal, range_state=state)
    entry = services.progress_entry_create(
        user=focal,
        activity=activity,
        range_state=state,
        reporting_date=datetime.date(2025, 6, 30),
        status="completed",
    )
    services.progress_entry_submit(user=focal, entry=entry)

    response = staff_client.get(admin_url(ProgressEntry, "history", entry.pk))

    content = response.content.decode()
    assert "focal-point" in content and "Submitted" in content and "Created" in content


# --- rounds, delegations, links, snapshots ------------------------------------------------------------


def test_a_round_added_in_the_admin_is_opened_by_the_current_user(staff_client):
    strategy = StrategyFactory()

    response = staff_client.post(
        admin_url(ReportingRound, "add"),
        {
            "strategy": strategy.pk,
            "name": "2025 annual",
            "kind": "annual",
            "opens_on": "2025-01-01",
            "deadline": "2025-06-30",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert ReportingRound.objects.get().created_by == response.wsgi_request.user


def test_a_round_changed_in_the_admin_goes_through_the_service(staff_client):
    reporting_round = ReportingRoundFactory(name="2025 annual", deadline=datetime.date(2025, 6, 30))

    response = staff_client.post(
        admin_url(ReportingRound, "change", reporting_round.pk),
        {
            "name": " 2025 annual (extended) ",
            "kind": "annual",
            "opens_on": "2025-01-01",
            "deadline": "2025-07-31",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = ReportingRound.objects.get()
    # The service strips the name; the strategy stays what it was.
    assert (stored.name, stored.deadline, stored.strategy) == (
        "2025 annual (extended)",
        datetime.date(2025, 7, 31),
        reporting_round.strategy,
    )


def test_closing_a_round_in_the_admin_locks_it(staff_client):
    reporting_round = ReportingRoundFactory()

    staff_client.post(
        admin_url(ReportingRound, "changelist"),
        {"action": "close_selected", "_selected_action": [reporting_round.pk]},
    )

    assert ReportingRound.objects.get().is_closed


def test_a_delegation_added_in_the_admin_is_granted_by_the_current_user(staff_client):
    activity, state = in_strategy()
    colleague = UserFactory()

    response = staff_client.post(
        admin_url(Delegation, "add"),
        {"delegate": colleague.pk, "range_state": state.pk, "activity": activity.pk, "objective": ""},
    )

    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.delegate, delegation.granted_by) == (colleague, response.wsgi_request.user)


def test_an_invalid_delegation_is_refused_with_a_message(staff_client):
    _, state = in_strategy()

    response = staff_client.post(
        admin_url(Delegation, "add"),
        {"delegate": UserFactory().pk, "range_state": state.pk, "activity": "", "objective": ""},
    )

    assert response.status_code == 200
    assert "either one activity or one objective" in str(response.context["adminform"].form.errors)
    assert not Delegation.objects.exists()


def test_a_delegation_the_service_refuses_is_reported_as_a_message(staff_client):
    activity = ActivityFactory()
    elsewhere = RangeStateFactory()  # not a Range State of the activity's strategy

    response = staff_client.post(
        admin_url(Delegation, "add"),
        {"delegate": UserFactory().pk, "range_state": elsewhere.pk, "activity": activity.pk, "objective": ""},
        follow=True,
    )

    assert not Delegation.objects.exists()
    assert any("Nothing was saved" in t and "is not a Range State of" in t for t in messages_of(response))


def test_revoking_delegations_in_the_admin(staff_client):
    delegation = DelegationFactory()

    staff_client.post(
        admin_url(Delegation, "changelist"),
        {"action": "revoke_selected", "_selected_action": [delegation.pk]},
    )

    assert Delegation.objects.get().revoked_at is not None


def test_a_reporting_links_token_hash_is_never_shown(staff_client):
    link = ReportingLinkFactory(token_hash="f" * 64)

    for url in (admin_url(ReportingLink, "changelist"), admin_url(ReportingLink, "change", link.pk)):
        assert "f" * 64 not in staff_client.get(url).content.decode()


def test_withdrawing_reporting_links_in_the_admin(staff_client):
    link = ReportingLinkFactory()

    staff_client.post(
        admin_url(ReportingLink, "changelist"), {"action": "revoke_selected", "_selected_action": [link.pk]}
    )

    assert ReportingLink.objects.get().revoked_at is not None


def test_a_snapshot_added_in_the_admin_copies_the_current_statuses(staff_client):
    status = approved_status()
    meeting = MeetingFactory()

    response = staff_client.post(
        admin_url(MeetingSnapshot, "add"),
        {"meeting": meeting.pk, "strategy": status.activity.strategy_id, "note": "As presented"},
    )

    assert response.status_code == 302
    snapshot = MeetingSnapshot.objects.get()
    assert snapshot.taken_by == response.wsgi_request.user
    assert list(snapshot.statuses.values_list("entry", "status")) == [(status.entry_id, status.status)]
    page = staff_client.get(admin_url(MeetingSnapshot, "change", snapshot.pk)).content.decode()
    assert str(status.activity) in page


def test_a_snapshots_note_changed_in_the_admin_goes_through_the_service(staff_client):
    snapshot = meeting_snapshot()
    frozen = list(snapshot.statuses.values_list("entry_id", "status"))

    response = staff_client.post(
        admin_url(MeetingSnapshot, "change", snapshot.pk),
        {"note": " Corrected ", "statuses-TOTAL_FORMS": "2", "statuses-INITIAL_FORMS": "2"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = MeetingSnapshot.objects.get()
    assert stored.note == "Corrected"
    assert list(stored.statuses.values_list("entry_id", "status")) == frozen
