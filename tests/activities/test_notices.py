"""The reporting cycle's notices (activities.notices), read from the outbox after the worker has run the
tasks the services queued: who gets each one, who does not, what it says, that restricted text is never
in it, that nothing is sent for a change that rolled back, and that each is sent once."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from activities import notices, services
from activities.models import ReminderSent
from notifications.models import Kind, Notice, NoticePreference
from tests.activities.views.pages import World
from tests.factories import (
    ActivityFactory,
    DelegationFactory,
    EvidenceLinkFactory,
    FocalPointFactory,
    RangeStateFactory,
    SecretariatUserFactory,
    StaffUserFactory,
    UserFactory,
)
from tests.ops.conftest import run_worker

SITE = "https://tracker.example.org"
SECRET = "SECRET-DEN-SITE-4471"
SECRET_EVIDENCE = "SECRET-CAMERA-TRAP-TITLE"


@pytest.fixture
def world(db, settings):
    settings.SITE_URL = SITE
    return World()


def to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def recipients() -> list[str]:
    return sorted(address for m in mail.outbox for address in m.to)


def html(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def everything_sent() -> str:
    """Every subject, plain-text and HTML part in the outbox, and every notice's text."""
    parts = [f"{m.subject}\n{m.body}\n{html(m)}" for m in mail.outbox]
    return "\n".join(parts + list(Notice.objects.values_list("text", flat=True)))


def emails(*users) -> list[str]:
    return sorted(user.email for user in users)


# --- an entry is submitted -----------------------------------------------------------------------


def test_a_submission_is_sent_after_the_request_to_every_secretariat_member_who_may_review_it(world):
    admin = StaffUserFactory(username="admin")
    SecretariatUserFactory(username="sec-retired", is_active=False)
    entry = world.submitted()
    assert mail.outbox == []  # nothing during the request: the worker sends it

    run_worker()

    assert recipients() == emails(admin, world.secretariat, world.colleague)
    [message] = to(world.secretariat)
    assert message.subject == "For review: activity 1.1.1 (Armenia), Persian Leopard"
    assert "focal-am submitted an entry for review." in message.body
    assert "Survey leopard corridors." in message.body
    link = f"{SITE}{reverse('activities:progress-detail', args=[entry.pk])}"
    assert link in message.body and f'href="{link}"' in html(message)
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_secretariat_member_is_not_asked_to_review_what_they_reported_themselves(world):
    services.progress_entry_submit(user=world.secretariat, entry=world.entry(user=world.secretariat))
    run_worker()
    assert recipients() == emails(world.colleague)


def test_no_submission_notice_once_the_entry_has_been_reviewed_before_the_worker_ran(world):
    entry = services.progress_entry_approve(user=world.colleague, entry=world.submitted())
    run_worker()
    # The reviewers' "awaits review" is stale: only the reporter's "approved" goes out.
    assert recipients() == emails(world.focal_am)
    assert to(world.focal_am)[0].subject.startswith("Approved")
    assert not Notice.objects.filter(kind=Kind.ENTRY_SUBMITTED).exists()
    assert entry.review_state == "approved"


# --- returned and approved -----------------------------------------------------------------------


@pytest.fixture
def delegated(world):
    """An entry drafted by a delegate and submitted by Armenia's focal point."""
    expert = UserFactory(username="expert", first_name="Narine", last_name="Petrosyan")
    delegation = DelegationFactory(
        delegate=expert, granted_by=world.focal_am, range_state=world.am, activity=world.activity
    )
    draft = world.entry(user=expert)
    entry = services.progress_entry_submit(user=world.focal_am, entry=draft)
    run_worker()
    mail.outbox.clear()
    return expert, delegation, entry


def test_a_return_goes_to_reporter_and_submitter_with_the_comment_and_a_link_to_the_edit_form(
    world, delegated
):
    expert, _, entry = delegated
    services.progress_entry_return(
        user=world.secretariat, entry=entry, comment="Attach the survey map, please."
    )
    run_worker()

    assert recipients() == emails(expert, world.focal_am)
    [message] = to(expert)
    assert message.subject == "Returned for changes: activity 1.1.1 (Armenia)"
    assert "Dear Narine Petrosyan," in message.body
    assert (
        "sec-one returned your entry on activity 1.1.1 (Armenia, Persian Leopard) for changes."
        in message.body
    )
    assert "Attach the survey map, please." in message.body and "Attach the survey map, please." in html(
        message
    )
    edit = f"{SITE}{reverse('activities:progress-edit', args=[entry.pk])}"
    assert edit in message.body and f'href="{edit}"' in html(message)
    # a mandatory notice says so instead of offering to switch it off
    assert "Required:" in message.body
    notice = Notice.objects.get(recipient=expert, kind=Kind.ENTRY_RETURNED)
    assert notice.url == reverse("activities:progress-edit", args=[entry.pk]) and notice.on_home
    assert "Attach the survey map" not in notice.text  # the home page shows the comment from the entry


def test_a_return_comment_goes_to_nobody_who_may_no_longer_see_the_entry(world, delegated):
    expert, delegation, entry = delegated
    services.delegation_revoke(user=world.focal_am, delegation=delegation)
    services.progress_entry_return(
        user=world.secretariat, entry=entry, comment=f"Remove {SECRET} from the text."
    )
    run_worker()

    assert SECRET not in "\n".join(m.body + html(m) for m in to(expert))
    assert not Notice.objects.filter(recipient=expert, kind=Kind.ENTRY_RETURNED).exists()
    assert SECRET in to(world.focal_am)[0].body  # the submitter may see the restricted details


def test_an_approval_goes_to_reporter_and_submitter(world, delegated):
    expert, _, entry = delegated
    services.progress_entry_approve(user=world.colleague, entry=entry)
    run_worker()

    assert recipients() == emails(expert, world.focal_am)
    [message] = to(world.focal_am)
    assert message.subject == "Approved: activity 1.1.1 (Armenia)"
    assert "sec-two approved your entry on activity 1.1.1 (Armenia, Persian Leopard)." in message.body
    assert "Status: In progress, as of 1 May 2025." in message.body
    assert f"{SITE}{entry.get_absolute_url()}" in message.body


def test_another_states_focal_point_is_never_told_of_armenias_entries(world):
    FocalPointFactory(user=UserFactory(username="focal-ge"), range_state=RangeStateFactory(name="Georgia"))
    entry = world.submitted()
    run_worker()
    entry = services.progress_entry_return(user=world.secretariat, entry=entry, comment="More detail.")
    run_worker()
    entry = services.progress_entry_submit(user=world.focal_am, entry=entry)
    run_worker()
    services.progress_entry_approve(user=world.secretariat, entry=entry)
    run_worker()

    assert world.focal_ir.email not in recipients() and "focal-ge@example.org" not in recipients()
    assert len(to(world.focal_am)) == 2  # returned, approved
    assert not Notice.objects.filter(recipient=world.focal_ir).exists()


# --- restricted details --------------------------------------------------------------------------


def test_no_notice_of_the_whole_cycle_contains_restricted_details_or_evidence(world, delegated):
    _, delegation, _ = delegated
    entry = world.entry(restricted_details=f"Den at {SECRET}.", narrative="Corridors surveyed.")
    EvidenceLinkFactory(entry=entry, title=SECRET_EVIDENCE, url="https://example.org/secret", restricted=True)
    steps = [
        lambda entry: services.progress_entry_submit(user=world.focal_am, entry=entry),
        lambda entry: services.progress_entry_return(
            user=world.secretariat, entry=entry, comment="Add the source."
        ),
        lambda entry: services.progress_entry_submit(user=world.focal_am, entry=entry),
        lambda entry: services.progress_entry_approve(user=world.secretariat, entry=entry),
    ]
    for step in steps:
        entry = step(entry)
        run_worker()
    services.delegation_revoke(user=world.focal_am, delegation=delegation)
    run_worker()
    for day in (
        world.round.deadline - datetime.timedelta(days=1),
        world.round.deadline + datetime.timedelta(days=1),
    ):
        notices.reporting_notices_send(today=day)  # Iran: the opening notice, then the missed deadline

    kinds = set(Notice.objects.values_list("kind", flat=True))
    # those two: in the fixture; the national report's: tests/activities/test_national_report_notices.py;
    # the background exports': tests/exports/test_jobs.py
    elsewhere = {k for k in Kind if k.startswith("report_")} | {Kind.EXPORT_READY, Kind.EXPORT_FAILED}
    assert kinds == set(Kind) - {Kind.DELEGATION_GRANTED, Kind.DEADLINE_NEAR} - elsewhere
    # submitted ×2 reviewers, returned, resubmitted ×2, approved, withdrawn, Iran's opening and missed deadline
    assert len(mail.outbox) == 9
    sent = everything_sent()
    assert SECRET not in sent and SECRET_EVIDENCE not in sent and "example.org/secret" not in sent


# --- nothing on rollback; once per event ---------------------------------------------------------


def test_nothing_is_sent_for_a_change_that_rolled_back(world):
    entry = world.entry()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.progress_entry_submit(user=world.focal_am, entry=entry)
        raise RuntimeError("the request failed after the submission")
    run_worker()
    assert mail.outbox == [] and not Notice.objects.exists()


class MailServerDown(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_notice_the_mail_server_refused_is_sent_by_the_workers_retry(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    world.approved()
    run_worker()
    task = DBTaskResult.objects.get(task_path="activities.tasks.notify_entry_approved")
    assert task.status == "READY" and task.run_after > timezone.now()  # to be retried (ops.tasks)
    assert not Notice.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now())
    run_worker()
    assert recipients() == emails(world.focal_am)
    assert Notice.objects.get().kind == Kind.ENTRY_APPROVED


def test_each_event_is_sent_once_however_often_its_task_runs(world):
    entry = services.progress_entry_return(user=world.secretariat, entry=world.submitted(), comment="Why?")
    run_worker()
    mail.outbox.clear()

    assert notices.send_entry_returned(entry.pk, entry.version) == 0
    assert notices.send_entry_submitted(entry.pk - 0, entry.version - 1) == 0  # moved on: returned
    assert mail.outbox == []
    assert Notice.objects.filter(kind=Kind.ENTRY_RETURNED).count() == 1


def test_a_resubmission_is_a_new_event(world):
    entry = services.progress_entry_return(user=world.secretariat, entry=world.submitted(), comment="Why?")
    services.progress_entry_submit(user=world.focal_am, entry=entry)
    run_worker()
    # submitted twice, but the first submission had moved on (returned) by the time the worker ran
    assert len(to(world.colleague)) == 1
    assert Notice.objects.filter(recipient=world.colleague, kind=Kind.ENTRY_SUBMITTED).count() == 1
    entry = services.progress_entry_return(user=world.secretariat, entry=entry, comment="Still not.")
    run_worker()
    services.progress_entry_submit(user=world.focal_am, entry=entry)
    run_worker()
    assert len(to(world.colleague)) == 2


# --- preferences ---------------------------------------------------------------------------------


def test_a_person_who_chose_no_approval_emails_sees_them_on_their_home_page_only(world):
    NoticePreference.objects.create(user=world.focal_am, kind=Kind.ENTRY_APPROVED, email=False, on_home=True)
    world.approved()
    run_worker()
    assert to(world.focal_am) == []
    assert Notice.objects.get(recipient=world.focal_am, kind=Kind.ENTRY_APPROVED).on_home


def test_a_reviewer_who_chose_no_submission_notices_on_the_home_page_gets_the_email_only(world):
    NoticePreference.objects.create(
        user=world.colleague, kind=Kind.ENTRY_SUBMITTED, email=True, on_home=False
    )
    world.submitted()
    run_worker()
    assert len(to(world.colleague)) == 1
    assert not Notice.objects.on_home_of(world.colleague).exists()


def test_a_mandatory_notice_is_sent_whatever_is_stored_for_it(world):
    # e.g. a row written before the kind became mandatory, or by hand: it does not switch it off
    NoticePreference.objects.create(user=world.focal_am, kind=Kind.ENTRY_RETURNED, email=False, on_home=False)
    services.progress_entry_return(user=world.secretariat, entry=world.submitted(), comment="Why?")
    run_worker()
    assert len(to(world.focal_am)) == 1
    assert Notice.objects.on_home_of(world.focal_am).filter(kind=Kind.ENTRY_RETURNED).exists()


def test_a_person_without_an_email_address_gets_the_notice_on_their_home_page(world):
    world.focal_am.email = ""
    world.focal_am.save()
    world.approved()
    run_worker()
    notice = Notice.objects.get(recipient=world.focal_am, kind=Kind.ENTRY_APPROVED)
    assert notice.on_home and notice.emailed_at is None


# --- reporting rounds ----------------------------------------------------------------------------


def open_round(world, **dates):
    """A new round of the world's strategy (the world's own round announced and forgotten first)."""
    notices.send_rounds_opened(today=timezone.localdate())
    mail.outbox.clear()
    today = timezone.localdate()
    values = {"opens_on": today, "deadline": today + datetime.timedelta(days=40)} | dates
    return services.reporting_round_open(
        user=world.secretariat, strategy=world.strategy, name="2026 annual", **values
    )


def test_opening_a_round_tells_each_focal_point_what_is_due_and_the_deadline(world):
    ActivityFactory(result=world.result, code="1.1.2", due_year=timezone.localdate().year)
    elsewhere = FocalPointFactory(
        user=UserFactory(username="focal-ge"), range_state=RangeStateFactory(name="Georgia")
    )
    reporting_round = open_round(world)
    run_worker()

    assert recipients() == emails(world.focal_am, world.focal_ir)
    assert elsewhere.user.email not in recipients()
    assert "Armenia" not in to(world.focal_ir)[0].body  # each is told of their own states only
    [message] = to(world.focal_am)
    deadline = reporting_round.deadline
    assert message.subject == (
        f"Persian Leopard: the reporting round “2026 annual” is open, 2 activities due by {deadline:%-d %B %Y}"
    )
    assert "2 activities are due and not yet reported:" in message.body
    assert "  - Armenia: 2 activities" in message.body
    assert f"Its deadline is {deadline:%-d %B %Y}." in message.body
    assert f"{SITE}{reverse('activities:home')}" in message.body
    assert "Required:" in message.body
    # and it counts as the day's deadline reminder
    assert (
        ReminderSent.objects.filter(reporting_round=reporting_round, sent_on=timezone.localdate()).count()
        == 2
    )


def test_a_round_that_opens_later_is_announced_on_its_day_by_the_daily_run_once(world):
    today = timezone.localdate()
    opens = today + datetime.timedelta(days=3)
    reporting_round = open_round(world, opens_on=opens, deadline=opens + datetime.timedelta(days=60))
    run_worker()
    assert mail.outbox == []  # not open yet

    notices.reporting_notices_send(today=opens)
    notices.reporting_notices_send(today=opens)
    notices.reporting_notices_send(today=opens + datetime.timedelta(days=1))
    assert recipients() == emails(world.focal_am, world.focal_ir)
    assert all("“2026 annual” is open" in m.subject for m in mail.outbox)
    assert (
        Notice.objects.filter(kind=Kind.ROUND_OPENED, key=f"round:{reporting_round.pk}:opened").count() == 2
    )


def test_a_focal_point_assigned_after_the_opening_is_told_by_the_next_daily_run(world):
    open_round(world)
    run_worker()
    mail.outbox.clear()
    newcomer = FocalPointFactory(user=UserFactory(username="focal-am-2"), range_state=world.am).user

    notices.send_rounds_opened(today=timezone.localdate())

    assert recipients() == emails(newcomer, newcomer)  # the world's round and the new one


def test_nobody_is_told_of_a_closed_round_or_one_whose_deadline_passed(world):
    today = timezone.localdate()
    services.reporting_round_close(user=world.secretariat, reporting_round=world.round)
    open_round(
        world, opens_on=today - datetime.timedelta(days=9), deadline=today - datetime.timedelta(days=8)
    )
    run_worker()
    notices.send_rounds_opened(today=today)
    assert mail.outbox == []


# --- the deadline has passed ---------------------------------------------------------------------


def test_after_the_deadline_the_focal_points_of_states_still_owing_are_told_once(world):
    world.submitted(user=world.focal_ir, state=world.ir)  # Iran has reported everything due
    run_worker()
    mail.outbox.clear()
    day_after = world.round.deadline + datetime.timedelta(days=1)

    assert notices.reporting_notices_send(today=day_after)["passed"] == 1
    assert notices.reporting_notices_send(today=day_after + datetime.timedelta(days=1))["passed"] == 0

    assert recipients() == emails(world.focal_am)
    [message] = mail.outbox
    assert "has passed, 1 activity not reported" in message.subject
    assert "1 activity due in the round has not been reported:" in message.body
    assert "  - Armenia: 1 activity" in message.body
    assert "Required:" in message.body


@pytest.mark.parametrize("days_after", [0, 8])
def test_no_missed_deadline_notice_on_the_deadline_day_or_long_after(world, days_after):
    notices.send_deadlines_passed(today=world.round.deadline + datetime.timedelta(days=days_after))
    assert mail.outbox == []


def test_no_missed_deadline_notice_for_a_closed_round(world):
    services.reporting_round_close(user=world.secretariat, reporting_round=world.round)
    notices.send_deadlines_passed(today=world.round.deadline + datetime.timedelta(days=1))
    assert mail.outbox == []


# --- the deadline is near (the reminders) --------------------------------------------------------


def test_the_reminder_has_an_html_part_and_one_home_notice_per_round_brought_up_to_date(world):
    first = world.round.deadline - datetime.timedelta(days=5)
    notices.reporting_notices_send(today=first)  # the round's opening notice (and that day's reminder)
    mail.outbox.clear()
    notices.reporting_notices_send(today=first + datetime.timedelta(days=1))
    [message] = to(world.focal_am)
    assert "in 4 days" in message.body and "in 4 days" in html(message)
    notice = Notice.objects.get(recipient=world.focal_am, kind=Kind.DEADLINE_NEAR)
    notice.dismissed_at = timezone.now()
    notice.save()

    notices.reporting_notices_send(today=first + datetime.timedelta(days=2))

    assert Notice.objects.filter(recipient=world.focal_am, kind=Kind.DEADLINE_NEAR).count() == 1
    assert Notice.objects.on_home_of(world.focal_am).filter(kind=Kind.DEADLINE_NEAR).get().read_at is None


def test_a_focal_point_who_switched_reminders_off_gets_no_reminder_email(world):
    NoticePreference.objects.create(user=world.focal_am, kind=Kind.DEADLINE_NEAR, email=False, on_home=True)
    day = world.round.deadline - datetime.timedelta(days=3)
    notices.send_rounds_opened(today=day - datetime.timedelta(days=1))
    mail.outbox.clear()

    assert notices.reporting_notices_send(today=day)["reminded"] == 1  # Iran's

    assert recipients() == emails(world.focal_ir)
    assert Notice.objects.on_home_of(world.focal_am).filter(kind=Kind.DEADLINE_NEAR).exists()


# --- delegations ---------------------------------------------------------------------------------


def test_a_delegate_is_told_when_a_delegation_is_given_and_when_it_is_withdrawn(world):
    expert = UserFactory(username="expert")
    delegation = services.delegation_grant(
        user=world.focal_am, delegate=expert, range_state=world.am, activity=world.activity
    )
    run_worker()
    [given] = mail.outbox
    assert given.to == [expert.email]
    assert given.subject == "focal-am lets you draft progress on activity 1.1.1 for Armenia."
    assert "Survey leopard corridors." in given.body

    services.delegation_revoke(user=world.focal_am, delegation=delegation)
    services.delegation_revoke(user=world.focal_am, delegation=delegation)  # twice: told once
    run_worker()
    assert recipients() == emails(expert, expert)
    withdrawn = mail.outbox[1]
    assert withdrawn.subject == "You no longer draft progress on activity 1.1.1 for Armenia."
    assert "the delegation was withdrawn" in withdrawn.body


def test_a_delegation_withdrawn_before_the_worker_ran_is_only_told_as_withdrawn(world):
    expert = UserFactory(username="expert")
    objective = world.objective
    delegation = services.delegation_grant(
        user=world.focal_am, delegate=expert, range_state=world.am, objective=objective
    )
    services.delegation_revoke(user=world.focal_am, delegation=delegation)
    run_worker()
    [message] = mail.outbox
    assert message.subject == f"You no longer draft progress on objective {objective.number} for Armenia."


# --- reviewers -----------------------------------------------------------------------------------


def test_the_reviewers_are_the_active_secretariat_members_but_the_reporter_and_submitter(world):
    group_member = UserFactory(username="sec-three")
    group_member.groups.add(Group.objects.get(name="Secretariat"))
    entry = world.submitted()
    assert [u.username for u in notices.reviewers_of(entry)] == ["sec-one", "sec-three", "sec-two"]
    mine = services.progress_entry_submit(user=world.colleague, entry=world.entry(user=world.colleague))
    assert [u.username for u in notices.reviewers_of(mine)] == ["sec-one", "sec-three"]


def test_a_secretariat_member_who_changed_the_entry_is_not_asked_to_review_it(world):
    # sec-one corrects the focal point's draft, so is among its contributors and may not approve it:
    # asking them to review it would only lead to a refusal.
    draft = world.entry()
    services.progress_entry_update(
        user=world.secretariat, entry=draft, expected_version=draft.version, narrative="Three corridors."
    )
    entry = services.progress_entry_submit(user=world.focal_am, entry=draft)
    assert [u.username for u in notices.reviewers_of(entry)] == ["sec-two"]
    run_worker()
    assert recipients() == emails(world.colleague)
    assert not to(world.secretariat)


def test_the_issuer_of_the_reporting_link_a_submission_was_made_with_is_not_asked_to_review_it(world):
    # The focal point signed in with a link sec-two issued: sec-two's hand is on the submission.
    world.focal_am.credential_issuer_id = world.colleague.pk
    world.submitted(user=world.focal_am)
    run_worker()
    assert recipients() == emails(world.secretariat)
