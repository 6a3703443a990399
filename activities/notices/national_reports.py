"""The notices about a national report: submitted, returned, accepted, commented on, and the
Secretariat's reminders of it."""

from django.contrib.auth import get_user_model
from django.db.models import Q, prefetch_related_objects
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from notifications import delivery
from notifications.models import Kind

from .. import permissions
from ..models import (
    FocalPoint,
    NationalReport,
    ProgressEntry,
    ReportComment,
    ReportingRound,
    ReportReminder,
)
from ..models.national import SECTION_TITLES
from ..permissions import Action
from .common import RS, person

# --- national reports ----------------------------------------------------------------------------
#
# The national report's steps, as an entry's: submitted (to its reviewers), returned (with the comment on
# each section) and accepted (to the Range State's side), and a new comment in its private discussion (to
# the other side). What they may say: the Range State, the round, the strategy, the status, who acted, the
# sections' titles and the Secretariat's return comments (on the report's sections, which every recipient
# may read on the report's page); never a comment of the discussion (it may be about an entry and quote
# its restricted details: the page shows it to whoever may see it), nor anything of its entries but their
# activity codes.


def report_reviewers_of(report: NationalReport) -> list:
    """Who is told that `report` awaits review: the active Secretariat members who may accept or return
    it (permissions.decide(REPORT_REVIEW): all but those who wrote, changed or submitted it)."""
    staff = get_user_model().objects.filter(is_active=True)
    staff = staff.filter(Q(is_superuser=True) | Q(groups__name=permissions.SECRETARIAT_GROUP)).distinct()
    prefetch_related_objects([report], "contributors")
    return [u for u in staff.order_by("username") if permissions.allowed(u, Action.REPORT_REVIEW, report)]


def report_state_side_of(report: NationalReport) -> list:
    """The Range State's side of a report: its active focal points, and the delegates who worked on it
    (its contributors) while they still may see it; not the Secretariat."""
    focal_ids = FocalPoint.objects.filter(range_state_id=report.range_state_id).values_list(
        "user_id", flat=True
    )
    ids = set(focal_ids) | set(report.contributors.values_list("pk", flat=True))
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")
    return [
        user
        for user in users
        if not permissions.is_secretariat(user) and permissions.allowed(user, Action.REPORT_VIEW, report)
    ]


def _report_event(report_id: int, version: int):
    report = NationalReport.objects.with_context().filter(pk=report_id).first()
    if report is None:
        return None, None
    event = report.history.filter(version=version).order_by("-history_date", "-history_id").first()
    return report, event


def _report_words(report: NationalReport, event) -> dict:
    strategy = report.reporting_round.strategy
    return {
        "state": report.range_state.name,
        "round": report.reporting_round.name,
        "strategy": strategy.short_name or strategy.title,
        "status": event.get_status_display() if event else report.get_status_display(),
    }


def _send_about_report(report_id: int, version: int, *, kind, state, recipients, message) -> int:
    report, event = _report_event(report_id, version)
    if report is None or event is None or event.status != state:
        return 0
    later = report.history.filter(version__gt=version).exclude(status=state)
    if report.status != state or later.exists():
        return 0  # moved on since: e.g. accepted before the worker got to "submitted"
    sent = 0
    for recipient in recipients(report, event):
        notice = delivery.send(
            recipient=recipient,
            kind=kind,
            key=f"report:{report.pk}:v{version}",
            url=report.get_absolute_url(),
            compose=lambda recipient=recipient: message(report, event, recipient),
        )
        sent += notice is not None
    return sent


def _report_submitted_message(report, event, recipient) -> delivery.Message:
    words = _report_words(report, event) | {"person": person(event.submitted_by)}
    return delivery.Message(
        subject=gettext("For review: the national report of %(state)s, %(round)s (%(strategy)s)") % words,
        text=gettext(
            "%(person)s submitted the national report of %(state)s for the round “%(round)s” for review."
        )
        % words,
        template="activities/email/report_submitted",
        context=words,
    )


def send_report_submitted(report_id: int, version: int) -> int:
    """Tell the report's reviewers (report_reviewers_of) that it awaits review; a link to its page."""
    return _send_about_report(
        report_id,
        version,
        kind=Kind.REPORT_SUBMITTED,
        state=NationalReport.Status.SUBMITTED,
        recipients=lambda report, event: report_reviewers_of(report),
        message=_report_submitted_message,
    )


def _report_returned_message(report, event, recipient) -> delivery.Message:
    words = _report_words(report, event) | {"person": person(event.reviewed_by)}
    comments = event.return_comments or {}
    sections = [
        {"title": str(title), "comment": comments[name]}
        for name, title in SECTION_TITLES.items()
        if name in comments
    ]
    # The entries returned with it, by activity code only: each entry's own notice carries its comment
    # to those who may read it.
    returned = ProgressEntry.objects.of_national_report(report).filter(review_state=RS.RETURNED)
    codes = sorted(returned.values_list("activity__code", flat=True).distinct())
    return delivery.Message(
        subject=gettext("Returned for changes: the national report of %(state)s, %(round)s") % words,
        text=gettext(
            "%(person)s returned the national report of %(state)s for the round “%(round)s” for changes."
        )
        % words,
        template="activities/email/report_returned",
        context=words | {"sections": sections, "entries": ", ".join(codes)},
    )


def send_report_returned(report_id: int, version: int) -> int:
    """Tell the Range State's side of the report (report_state_side_of) that it was returned, with the
    comment on each section and a link to the report's page."""
    return _send_about_report(
        report_id,
        version,
        kind=Kind.REPORT_RETURNED,
        state=NationalReport.Status.RETURNED,
        recipients=lambda report, event: report_state_side_of(report),
        message=_report_returned_message,
    )


def _report_accepted_message(report, event, recipient) -> delivery.Message:
    words = _report_words(report, event) | {"person": person(event.reviewed_by)}
    return delivery.Message(
        subject=gettext("Accepted: the national report of %(state)s, %(round)s") % words,
        text=gettext("%(person)s accepted the national report of %(state)s for the round “%(round)s”.")
        % words,
        template="activities/email/report_accepted",
        context=words,
    )


def send_report_accepted(report_id: int, version: int) -> int:
    """Tell the Range State's side of the report that it was accepted (its entries approved)."""
    return _send_about_report(
        report_id,
        version,
        kind=Kind.REPORT_ACCEPTED,
        state=NationalReport.Status.ACCEPTED,
        recipients=lambda report, event: report_state_side_of(report),
        message=_report_accepted_message,
    )


def report_comment_recipients(comment: ReportComment) -> list:
    """The other side of the discussion from the comment's author. When the Secretariat writes: the
    Range State's side (report_state_side_of). When the state's side writes: the Secretariat members who
    reviewed the report or wrote in its discussion, or, when none has yet, every active Secretariat
    member. Only those who may see what the comment is about (an entry: permissions.decide(VIEW))."""
    report = comment.report
    if permissions.is_secretariat(comment.author):
        users = report_state_side_of(report)
    else:
        staff = get_user_model().objects.filter(is_active=True)
        staff = staff.filter(Q(is_superuser=True) | Q(groups__name=permissions.SECRETARIAT_GROUP)).distinct()
        involved = set(report.comments.values_list("author_id", flat=True)) | {report.reviewed_by_id}
        users = [u for u in staff.order_by("username") if u.pk in involved] or list(
            staff.order_by("username")
        )
    users = [u for u in users if u.pk != comment.author_id]
    if comment.entry_id:
        users = [u for u in users if permissions.allowed(u, Action.VIEW, comment.entry)]
    return users


def _report_commented_message(comment) -> delivery.Message:
    report = comment.report
    words = _report_words(report, None) | {"person": person(comment.author)}
    if comment.entry_id:
        words["about"] = comment.entry.activity.code
        text = gettext(
            "%(person)s commented on activity %(about)s in the national report of %(state)s (%(round)s)."
        )
    else:
        words["about"] = str(SECTION_TITLES.get(comment.section, comment.section))
        text = gettext(
            "%(person)s commented on the section “%(about)s” of the national report of %(state)s (%(round)s)."
        )
    return delivery.Message(
        subject=gettext("New comment: the national report of %(state)s, %(round)s") % words,
        text=text % words,
        template="activities/email/report_commented",
        context=words | {"line": text % words},
    )


def send_report_commented(comment_id: int) -> int:
    """Tell the other side of the discussion (report_comment_recipients) of a new comment; not its text
    (sign in to read it), since it may quote an entry's restricted details."""
    comment = (
        ReportComment.objects.select_related(
            "author", "entry__activity", "report__reporting_round__strategy", "report__range_state"
        )
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return 0
    sent = 0
    for recipient in report_comment_recipients(comment):
        notice = delivery.send(
            recipient=recipient,
            kind=Kind.REPORT_COMMENTED,
            key=f"report-comment:{comment.pk}",
            url=comment.report.get_absolute_url(),
            compose=lambda: _report_commented_message(comment),
        )
        sent += notice is not None
    return sent


def _report_reminder_message(reminder, rate) -> delivery.Message:
    reporting_round = reminder.reporting_round
    strategy = reporting_round.strategy
    report = NationalReport.objects.filter(
        reporting_round=reporting_round, range_state=reminder.range_state
    ).first()
    words = {
        "person": person(reminder.sent_by),
        "state": reminder.range_state.name,
        "round": reporting_round.name,
        "strategy": strategy.short_name or strategy.title,
        "deadline": date_format(reporting_round.deadline, "j F Y"),
        "reported": rate.reported,
        "due": rate.due,
        "status": report.get_status_display() if report else pgettext("national report", "Not started"),
    }
    return delivery.Message(
        subject=gettext("Reminder: the national report of %(state)s for “%(round)s” is due by %(deadline)s")
        % words,
        text=gettext(
            "The Secretariat reminds you that the national report of %(state)s for the round “%(round)s” "
            "(%(strategy)s) is due by %(deadline)s: %(reported)s of %(due)s activities reported so far."
        )
        % words,
        template="activities/email/report_reminder",
        context=words,
    )


def send_report_reminder(reminder_id: int) -> int:
    """Send the Secretariat's reminder (a ReportReminder) to the focal points it names, while they are
    still active focal points of the state and its report is still not submitted: what is due (the
    national report, its status), how many of how many activities are reported (reporting_rates, the
    one count) and the deadline."""
    from ..selectors import reporting_rates

    reminder = (
        ReportReminder.objects.select_related("reporting_round__strategy", "range_state", "sent_by")
        .filter(pk=reminder_id)
        .first()
    )
    if reminder is None:
        return 0
    submitted = NationalReport.objects.filter(
        reporting_round=reminder.reporting_round,
        range_state=reminder.range_state,
        status__in=(NationalReport.Status.SUBMITTED, NationalReport.Status.ACCEPTED),
    )
    if submitted.exists():
        return 0  # submitted before the worker ran
    (rate,) = reporting_rates(
        ReportingRound.objects.filter(pk=reminder.reporting_round_id), [reminder.range_state]
    )
    focal_ids = FocalPoint.objects.filter(range_state_id=reminder.range_state_id).values("user_id")
    url = NationalReport(
        reporting_round=reminder.reporting_round, range_state=reminder.range_state
    ).get_absolute_url()
    sent = 0
    for recipient in reminder.recipients.filter(is_active=True, pk__in=focal_ids).order_by("username"):
        notice = delivery.send(
            recipient=recipient,
            kind=Kind.REPORT_REMINDER,
            key=f"report-reminder:{reminder.pk}",
            url=url,
            compose=lambda: _report_reminder_message(reminder, rate),
        )
        sent += notice is not None
    return sent
