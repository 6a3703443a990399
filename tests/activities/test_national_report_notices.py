"""The national report's notices (activities.notices, "national reports"), read from the outbox and the
home-page notices after the worker has run the tasks the services queued: submitted (to its reviewers),
returned with a comment per section and accepted (to the Range State's focal points and the delegates who
worked on it), a new comment in its private discussion (to the other side); in the recipient's language;
never an entry's restricted details nor the discussion's text."""

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import Profile
from activities import services
from notifications.models import Kind, Notice, NoticePreference
from tests.activities.views.pages import World
from tests.factories import DelegationFactory, FocalPointFactory, UserFactory
from tests.ops.conftest import run_worker

SITE = "https://tracker.example.org"
SECRET = "SECRET-DEN-SITE-4471"
COMPLETE = {
    "prepared_by": "A. Malkhasyan, Ministry of Environment",
    "contacts": "focal@example.am",
    "achievements": "Camera-trap survey in Khosrov.",
    "challenges": "Poaching of prey species.",
    "needs": "Funding for rangers.",
    "way_forward": "Extend the survey to Zangezur.",
    "nap_status": "Drafted, not yet adopted.",
}


@pytest.fixture
def world(db, settings):
    settings.SITE_URL = SITE
    w = World()
    w.second_focal = FocalPointFactory(user=UserFactory(username="focal-am-2"), range_state=w.am).user
    w.expert = UserFactory(username="expert-am")
    DelegationFactory(delegate=w.expert, granted_by=w.focal_am, range_state=w.am, activity=w.activity)
    w.bystander = UserFactory(username="expert-elsewhere")  # a delegate who never touched the report
    DelegationFactory(delegate=w.bystander, granted_by=w.focal_am, range_state=w.am, activity=w.activity)
    return w


def started(w):
    report = services.national_report_save(
        user=w.focal_am, reporting_round=w.round, range_state=w.am, expected_version=0, **COMPLETE
    )
    # the delegate helps with one section
    return services.national_report_save(
        user=w.expert,
        reporting_round=w.round,
        range_state=w.am,
        expected_version=report.version,
        needs="Funding for rangers and camera traps.",
    )


def submitted(w):
    report = started(w)
    entry = w.entry(restricted_details=SECRET)
    report = services.national_report_submit(
        user=w.focal_am, report=report, confirmed=True, include=[entry.pk]
    )
    return report, entry


def outbox_to(user) -> list:
    """The report's e-mails to `user` (its entries' own notices link to the entries, not the report)."""
    return [m for m in mail.outbox if m.to == [user.email] and "/national-reports/" in m.body]


def recipients(kind) -> list[str]:
    return sorted(Notice.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def everything_sent() -> str:
    parts = [f"{m.subject}\n{m.body}\n{m.alternatives[0][0]}" for m in mail.outbox]
    return "\n".join(parts + list(Notice.objects.values_list("text", flat=True)))


def test_a_submitted_report_is_sent_to_the_secretariat_members_who_may_review_it(world):
    report, _ = submitted(world)
    assert mail.outbox == []  # nothing in the request: the worker sends it

    run_worker()

    assert recipients(Kind.REPORT_SUBMITTED) == ["sec-one", "sec-two"]
    [message] = outbox_to(world.secretariat)
    assert message.subject == "For review: the national report of Armenia, 2025 annual (Persian Leopard)"
    assert f"{SITE}{report.get_absolute_url()}" in message.body
    assert "focal-am submitted the national report of Armenia" in message.body
    assert not outbox_to(world.focal_ir) and not outbox_to(world.focal_am)


def test_a_secretariat_member_who_wrote_in_the_report_is_not_asked_to_review_it(world):
    report = started(world)
    report = services.national_report_save(
        user=world.colleague,
        reporting_round=world.round,
        range_state=world.am,
        expected_version=report.version,
        way_forward="Extend the survey.",
    )
    services.national_report_submit(user=world.focal_am, report=report, confirmed=True)
    run_worker()
    assert recipients(Kind.REPORT_SUBMITTED) == ["sec-one"]


def test_a_return_goes_to_the_focal_points_and_the_delegates_who_worked_on_it_with_each_sections_comment(
    world,
):
    report, entry = submitted(world)
    services.national_report_return(
        user=world.secretariat,
        report=report,
        comments={"needs": "Give the amounts needed.", "cover": "Add a phone number."},
        entry_comments={entry.pk: f"Remove {SECRET} from the narrative."},
    )
    mail.outbox.clear()
    Notice.objects.all().delete()

    run_worker()

    # the second focal point too; the delegate who never touched it, another state, the Secretariat: no
    assert recipients(Kind.REPORT_RETURNED) == ["expert-am", "focal-am", "focal-am-2"]
    [message] = outbox_to(world.second_focal)
    assert message.subject == "Returned for changes: the national report of Armenia, 2025 annual"
    assert "Cover:\nAdd a phone number." in message.body
    assert "Needs:\nGive the amounts needed." in message.body
    assert message.body.index("Cover:") < message.body.index("Needs:")  # in the report's order
    assert "Entries returned with it: 1.1.1." in message.body
    assert f"{SITE}{report.get_absolute_url()}" in message.body
    assert "Give the amounts needed." in message.alternatives[0][0]
    # the entry's comment (which quotes its restricted details) is not in the report's notice
    assert SECRET not in message.body and SECRET not in message.alternatives[0][0]


def test_the_return_is_required_whatever_the_focal_point_chose(world):
    NoticePreference.objects.create(
        user=world.focal_am, kind=Kind.REPORT_RETURNED, email=False, on_home=False
    )
    NoticePreference.objects.create(user=world.focal_am, kind=Kind.REPORT_ACCEPTED, email=False, on_home=True)
    report, _ = submitted(world)
    report = services.national_report_return(
        user=world.secretariat, report=report, comments={"needs": "More."}
    )
    run_worker()
    assert len(outbox_to(world.focal_am)) == 1
    assert Notice.objects.get(recipient=world.focal_am, kind=Kind.REPORT_RETURNED).on_home


def test_an_acceptance_is_told_to_the_states_side_as_each_chose(world):
    NoticePreference.objects.create(user=world.focal_am, kind=Kind.REPORT_ACCEPTED, email=False, on_home=True)
    report, _ = submitted(world)
    services.national_report_accept(user=world.secretariat, report=report)
    mail.outbox.clear()
    run_worker()

    assert recipients(Kind.REPORT_ACCEPTED) == ["expert-am", "focal-am", "focal-am-2"]
    accepted = [m for m in mail.outbox if "/national-reports/" in m.body]
    assert sorted(m.to[0] for m in accepted) == ["expert-am@example.org", "focal-am-2@example.org"]
    notice = Notice.objects.get(recipient=world.focal_am, kind=Kind.REPORT_ACCEPTED)
    assert notice.text == "sec-one accepted the national report of Armenia for the round “2025 annual”."
    assert notice.url == report.get_absolute_url()


def test_no_submission_notice_once_the_report_was_accepted_before_the_worker_ran(world):
    report, _ = submitted(world)
    services.national_report_accept(user=world.secretariat, report=report)
    run_worker()
    assert recipients(Kind.REPORT_SUBMITTED) == []
    assert recipients(Kind.REPORT_ACCEPTED) == ["expert-am", "focal-am", "focal-am-2"]


def test_nothing_is_sent_for_a_submission_that_rolled_back(world):
    report = started(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.national_report_submit(user=world.focal_am, report=report, confirmed=True)
        raise RuntimeError
    run_worker()
    assert not Notice.objects.filter(kind=Kind.REPORT_SUBMITTED).exists()


def test_a_secretariat_comment_goes_to_the_states_side_without_its_text(world):
    report, entry = submitted(world)
    run_worker()
    mail.outbox.clear()
    services.report_comment_add(
        user=world.secretariat, report=report, text=f"Is {SECRET} right?", entry=entry
    )
    services.report_comment_add(
        user=world.secretariat, report=report, text=f"{SECRET} again", section="needs"
    )
    run_worker()

    assert (
        recipients(Kind.REPORT_COMMENTED)
        == ["expert-am", "expert-am"] + ["focal-am"] * 2 + ["focal-am-2"] * 2
    )
    texts = sorted(
        Notice.objects.filter(kind=Kind.REPORT_COMMENTED, recipient=world.focal_am).values_list(
            "text", flat=True
        )
    )
    assert texts == [
        "sec-one commented on activity 1.1.1 in the national report of Armenia (2025 annual).",
        "sec-one commented on the section “Needs” of the national report of Armenia (2025 annual).",
    ]
    assert SECRET not in everything_sent()
    assert all(m.subject == "New comment: the national report of Armenia, 2025 annual" for m in mail.outbox)


def test_a_focal_points_comment_goes_to_the_secretariat_members_in_the_discussion_or_else_to_all(world):
    report, _ = submitted(world)
    services.report_comment_add(user=world.focal_am, report=report, text="Any news?", section="cover")
    run_worker()
    assert recipients(Kind.REPORT_COMMENTED) == ["sec-one", "sec-two"]  # nobody of the Secretariat yet

    services.report_comment_add(user=world.colleague, report=report, text="Reading it.", section="cover")
    services.report_comment_add(user=world.focal_am, report=report, text="Thanks.", section="cover")
    Notice.objects.all().delete()
    run_worker()
    # the colleague's comment to the state's side; the focal point's answer to the colleague only
    assert recipients(Kind.REPORT_COMMENTED) == ["expert-am", "focal-am", "focal-am-2", "sec-two"]
    assert not Notice.objects.filter(kind=Kind.REPORT_COMMENTED, recipient=world.secretariat).exists()


def test_the_notices_are_written_in_each_recipients_language(world):
    Profile.objects.create(user=world.secretariat, language="ru")
    Profile.objects.create(user=world.focal_am, language="ru")
    Profile.objects.create(user=world.second_focal, language="fa")
    report, _ = submitted(world)
    run_worker()
    [message] = outbox_to(world.secretariat)
    assert message.subject.startswith("На рассмотрение: национальный доклад")
    assert "Armenia" in message.subject

    services.national_report_return(user=world.colleague, report=report, comments={"needs": "Суммы?"})
    run_worker()
    [ru] = [m for m in outbox_to(world.focal_am) if "Суммы?" in m.body]
    assert ru.subject.startswith("Возвращён на доработку: национальный доклад")
    assert "Потребности:\nСуммы?" in ru.body
    [fa] = [m for m in outbox_to(world.second_focal) if "Суммы?" in m.body]
    assert "گزارش ملی" in fa.subject
    assert Notice.objects.get(recipient=world.focal_am, kind=Kind.REPORT_RETURNED).text == (
        "Пользователь sec-two вернул на доработку национальный доклад государства Armenia за цикл «2025 annual»."
    )
