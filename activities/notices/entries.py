"""The notices about a progress entry: submitted (to its reviewers), returned and approved (to its
reporter and submitter)."""

from django.contrib.auth import get_user_model
from django.db.models import Q, prefetch_related_objects
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext

from notifications import delivery
from notifications.models import Kind

from .. import permissions
from ..models import ProgressEntry
from ..permissions import Action
from .common import RS, person

# --- recipients ----------------------------------------------------------------------------------


def reviewers_of(entry: ProgressEntry) -> list:
    """Who is told that `entry` awaits review. There is no per-strategy reviewer assignment: the reviewers
    are every active Secretariat member (superusers and the "Secretariat" group) who may review it, as
    permissions.decide(REVIEW) says: all but its contributors (who reported, changed or submitted it, or
    issued the link or token that was done with), since none of them may approve it. When reviewers
    are assigned per strategy, this is the one function to change."""
    staff = get_user_model().objects.filter(is_active=True)
    staff = staff.filter(Q(is_superuser=True) | Q(groups__name=permissions.SECRETARIAT_GROUP)).distinct()
    # The rule reads the entry's contributors once per staff member: read them once.
    prefetch_related_objects([entry], "contributors")
    return [user for user in staff.order_by("username") if permissions.allowed(user, Action.REVIEW, entry)]


def reporters_of(entry: ProgressEntry, event) -> list:
    """The entry's reporter and submitter (as of the event), once each, if active and still allowed to
    see the entry (a delegate whose delegation was withdrawn is not)."""
    ids = {event.reported_by_id, event.submitted_by_id} - {None}
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")
    return [user for user in users if permissions.allowed(user, Action.VIEW, entry)]


# --- entries -------------------------------------------------------------------------------------


def _entry_event(entry_id: int, version: int):
    """The entry as it is now, and its history record as of `version` (the event: who acted, the comment
    then); (None, None) when the entry is gone."""
    entry = (
        ProgressEntry.objects.select_related(
            "activity__strategy", "activity__result", "range_state", "reporting_round"
        )
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        return None, None
    event = entry.history.filter(version=version).order_by("-history_date", "-history_id").first()
    return entry, event


def _entry_words(entry: ProgressEntry, event) -> dict:
    """What a notice may say of an entry (plain values, in the active language)."""
    activity = entry.activity
    return {
        "activity": activity.code,
        "activity_text": activity.text,
        "strategy": activity.strategy.short_name or activity.strategy.title,
        "where": entry.range_state.name if entry.range_state_id else gettext("range-wide progress"),
        "status": event.get_status_display(),
        "reporting_date": date_format(event.reporting_date, "j F Y"),
        "round": entry.reporting_round.name if entry.reporting_round_id else "",
    }


def _moved_on(entry, event) -> bool:
    """Whether the entry has left the review state the event put it in (even if it came back since: a
    return and a resubmission are new events of their own)."""
    later = entry.history.filter(version__gt=event.version).exclude(review_state=event.review_state)
    return entry.review_state != event.review_state or later.exists()


def _send_about_entry(entry_id: int, version: int, *, kind, state, recipients, url, message) -> int:
    entry, event = _entry_event(entry_id, version)
    if entry is None or event is None or event.review_state != state or _moved_on(entry, event):
        return 0  # gone, or moved on since: e.g. approved before the worker got to "submitted"
    sent = 0
    for recipient in recipients(entry, event):
        notice = delivery.send(
            recipient=recipient,
            kind=kind,
            key=f"entry:{entry.pk}:v{version}",
            url=url(entry),
            compose=lambda recipient=recipient: message(entry, event, recipient),
        )
        sent += notice is not None
    return sent


def _submitted_message(entry, event, recipient) -> delivery.Message:
    words = _entry_words(entry, event) | {"person": person(event.submitted_by)}
    return delivery.Message(
        subject=gettext("For review: activity %(activity)s (%(where)s), %(strategy)s") % words,
        text=gettext("%(person)s submitted an entry on activity %(activity)s (%(where)s) for review.")
        % words,
        template="activities/email/entry_submitted",
        context=words,
    )


def send_entry_submitted(entry_id: int, version: int) -> int:
    """Tell the entry's reviewers (reviewers_of) that it awaits review; a link to its page."""
    return _send_about_entry(
        entry_id,
        version,
        kind=Kind.ENTRY_SUBMITTED,
        state=RS.SUBMITTED,
        recipients=lambda entry, event: reviewers_of(entry),
        url=lambda entry: entry.get_absolute_url(),
        message=_submitted_message,
    )


def _returned_message(entry, event, recipient) -> delivery.Message:
    words = _entry_words(entry, event) | {"person": person(event.reviewed_by)}
    # The comment may quote restricted details: only for those who may see them.
    may_see = permissions.allowed(recipient, Action.VIEW_RESTRICTED, entry)
    return delivery.Message(
        subject=gettext("Returned for changes: activity %(activity)s (%(where)s)") % words,
        text=gettext("%(person)s returned your entry on activity %(activity)s (%(where)s) for changes.")
        % words,
        template="activities/email/entry_returned",
        context=words | {"comment": event.review_comment if may_see else ""},
    )


def send_entry_returned(entry_id: int, version: int) -> int:
    """Tell the entry's reporter and submitter that it was returned, with the reviewer's comment and a
    link straight to its edit form."""
    return _send_about_entry(
        entry_id,
        version,
        kind=Kind.ENTRY_RETURNED,
        state=RS.RETURNED,
        recipients=reporters_of,
        url=lambda entry: reverse("activities:progress-edit", kwargs={"pk": entry.pk}),
        message=_returned_message,
    )


def _approved_message(entry, event, recipient) -> delivery.Message:
    words = _entry_words(entry, event) | {"person": person(event.reviewed_by)}
    return delivery.Message(
        subject=gettext("Approved: activity %(activity)s (%(where)s)") % words,
        text=gettext("%(person)s approved your entry on activity %(activity)s (%(where)s).") % words,
        template="activities/email/entry_approved",
        context=words,
    )


def send_entry_approved(entry_id: int, version: int) -> int:
    """Tell the entry's reporter and submitter that it was approved; a link to its page."""
    return _send_about_entry(
        entry_id,
        version,
        kind=Kind.ENTRY_APPROVED,
        state=RS.APPROVED,
        recipients=reporters_of,
        url=lambda entry: entry.get_absolute_url(),
        message=_approved_message,
    )
