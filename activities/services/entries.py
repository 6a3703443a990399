"""Progress entries: created, edited, submitted, approved, returned, deleted; the latest approved status
per activity and Range State kept in step (ActivityStateStatus)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ops.tasks import enqueue_on_commit

from .. import permissions, tasks
from ..models import (
    ActivityStateStatus,
    DomainEvent,
    NationalReport,
    ProgressEntry,
    ReportingRound,
)
from ..permissions import Action

RS = ProgressEntry.ReviewState
EDITABLE_FIELDS = (
    "reporting_date",
    "status",
    "narrative",
    "source",
    "confidence",
    "restricted_details",
    "amount_spent_usd",
    "reporting_round",
)


class EditConflict(Exception):
    """Someone else changed the entry since the editor loaded it; `current` is the entry as it is now."""

    def __init__(self, current: ProgressEntry):
        self.current = current
        latest = current.history.first()
        # Who saved the version the editor did not see: a username, or "someone else".
        self.changed_by = str((latest and latest.history_user) or _("someone else"))
        super().__init__(
            _(
                "This entry was changed by %(user)s while you were editing it. Your changes have not been "
                "saved: compare them with the current version below and apply them again."
            )
            % {"user": self.changed_by}
        )


def _save(entry: ProgressEntry | NationalReport, reason: str, user) -> None:
    # django-simple-history keeps the reason and the acting user with this version. The user is set
    # here, not left to the history middleware, because API token auth and management commands act
    # outside what that middleware sees.
    entry._change_reason = reason
    entry._history_user = user
    entry.full_clean()
    entry.save()


def _contribute(entry: ProgressEntry | NationalReport, user) -> None:
    """Record `user` (and whoever issued the credential they act with) among the entry's (or national
    report's) contributors,
    none of whom may review it (activities.permissions, separation of duties)."""
    entry.contributors.add(*permissions.acting_user_ids(user))


def _lock(entry: ProgressEntry) -> ProgressEntry:
    """Re-read the entry under a row lock, so concurrent reviews and edits queue instead of interleaving."""
    # of=("self",): lock the entry's row only. PostgreSQL refuses FOR UPDATE on the nullable side of
    # the outer join to reporting_round, and the joined rows need no lock.
    return (
        ProgressEntry.objects.select_for_update(of=("self",))
        .select_related("activity__strategy", "reporting_round")
        .get(pk=entry.pk)
    )


def _stamp_once(obj, field: str) -> None:
    """Set a timestamp (closed, revoked) to now, unless it is set: doing it twice keeps the first time."""
    if getattr(obj, field) is None:
        setattr(obj, field, timezone.now())
        obj.save(update_fields=[field])


def _check_round_open(reporting_round: ReportingRound | None) -> None:
    if reporting_round is not None and reporting_round.is_closed:
        raise ValidationError(
            {
                "reporting_round": _("The reporting round “%(round)s” is closed.")
                % {"round": reporting_round.name}
            }
        )


# --- progress entries ----------------------------------------------------------------------------


@transaction.atomic
def progress_entry_create(
    *,
    user,
    activity,
    range_state,
    reporting_date: datetime.date,
    status: str,
    narrative: str = "",
    source: str = "",
    confidence: str = ProgressEntry.Confidence.EXPERT,
    restricted_details: str = "",
    amount_spent_usd=None,
    reporting_round: ReportingRound | None = None,
) -> ProgressEntry:
    """Record a draft progress entry for an activity in a Range State (None: range-wide)."""
    entry = ProgressEntry(
        activity=activity,
        range_state=range_state,
        reporting_date=reporting_date,
        status=status,
        narrative=narrative,
        source=source,
        confidence=confidence,
        restricted_details=restricted_details,
        amount_spent_usd=amount_spent_usd,
        reporting_round=reporting_round,
        reported_by=user,
        review_state=RS.DRAFT,
    )
    permissions.require(user, Action.CREATE, entry)
    _check_round_open(reporting_round)
    _save(entry, "Created", user)
    _contribute(entry, user)
    return entry


@transaction.atomic
def progress_entry_update(
    *, user, entry, expected_version: int, reason: str = "", **changes
) -> ProgressEntry:
    """Change an entry's fields. `expected_version` is the version the editor started from: if the entry
    has changed since, nothing is saved and EditConflict says so. An approved entry needs a reason."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = _lock(entry)
    progress_entry_check_update(
        user=user, entry=current, expected_version=expected_version, reason=reason, **changes
    )
    reason = reason.strip()
    changed = {field for field, value in changes.items() if getattr(current, field) != value}
    for field, value in changes.items():
        setattr(current, field, value)
    current.version += 1
    _save(current, reason or "Edited", user)
    if changed:
        _contribute(current, user)
    if current.review_state == RS.APPROVED:
        _refresh_state_status(current)
    return current


def progress_entry_check_version(*, entry: ProgressEntry, expected_version: int) -> None:
    """Raise EditConflict unless `entry` is still at the version the editor started from."""
    if entry.version != expected_version:
        raise EditConflict(entry)


def progress_entry_check_update(*, user, entry, expected_version: int, reason: str = "", **changes) -> None:
    """The checks progress_entry_update makes before it saves, raising what it would raise
    (PermissionDenied, EditConflict, ValidationError). The update makes them again under the row
    lock; forms call this to show a refusal beside their fields, with the user's input kept."""
    permissions.require(user, Action.EDIT, entry)
    progress_entry_check_version(entry=entry, expected_version=expected_version)
    if entry.review_state == RS.APPROVED and not reason.strip():
        raise ValidationError(
            {"reason": _("Editing an approved entry requires a reason; it is kept in the history.")}
        )
    if "reporting_round" in changes and changes["reporting_round"] != entry.reporting_round:
        _check_round_open(changes["reporting_round"])


@transaction.atomic
def progress_entry_delete(*, user, entry) -> None:
    """Delete an entry that is not approved (e.g. a draft made by mistake); the history keeps it."""
    current = _lock(entry)
    permissions.require(user, Action.DELETE, current)
    current._change_reason = "Deleted"
    current._history_user = user
    current.delete()


@transaction.atomic
def progress_entry_submit(*, user, entry) -> ProgressEntry:
    """Send a draft (or a returned entry, after changes) to the Secretariat for review."""
    current = _lock(entry)
    permissions.require(user, Action.SUBMIT, current)
    resubmitted = current.review_state == RS.RETURNED
    current.review_state = RS.SUBMITTED
    current.record_submission(user)
    current.version += 1
    _save(current, "Resubmitted" if resubmitted else "Submitted", user)
    _contribute(current, user)
    enqueue_on_commit(tasks.notify_entry_submitted, current.pk, current.version)
    return current


@transaction.atomic
def progress_entry_approve(*, user, entry) -> ProgressEntry:
    """Approve a submitted entry: from now on it counts in reports and public pages."""
    current = _lock(entry)
    permissions.require(user, Action.REVIEW, current)
    current.review_state = RS.APPROVED
    current.record_review(user)
    current.review_comment = ""
    current.version += 1
    _save(current, "Approved", user)
    enqueue_on_commit(tasks.notify_entry_approved, current.pk, current.version)
    DomainEvent.objects.create(kind=DomainEvent.Kind.PROGRESS_APPROVED, payload=public_payload(current))
    enqueue_on_commit(tasks.webhooks_sweep)
    _refresh_state_status(current)
    return current


@transaction.atomic
def progress_entry_return(*, user, entry, comment: str) -> ProgressEntry:
    """Return a submitted entry to its reporter; the comment says what to change."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": _("Say what should change: returning an entry requires a comment.")}
        )
    current = _lock(entry)
    permissions.require(user, Action.REVIEW, current)
    current.review_state = RS.RETURNED
    current.review_comment = comment
    current.record_review(user)
    current.version += 1
    # The comment is kept whole in review_comment (and so in this version of the history); the reason
    # names the step only, and the history shows the comment to those who may see it.
    _save(current, "Returned", user)
    enqueue_on_commit(tasks.notify_entry_returned, current.pk, current.version)
    return current


@dataclass
class BulkResult:
    approved: list[ProgressEntry]
    refused: list[tuple[ProgressEntry, str]]


def progress_entries_bulk_approve(*, user, entries) -> BulkResult:
    """Approve several submitted entries; each one the user may not approve is listed with the reason."""
    result = BulkResult(approved=[], refused=[])
    for entry in entries:
        try:
            result.approved.append(progress_entry_approve(user=user, entry=entry))
        except PermissionDenied as exc:
            result.refused.append((entry, str(exc)))
        except ValidationError as exc:
            result.refused.append((entry, " ".join(exc.messages)))
    return result


def public_payload(entry: ProgressEntry) -> dict:
    """What partners may know of an approved entry: never its restricted details or files."""
    return {
        "entry_id": entry.pk,
        "strategy": entry.activity.strategy.slug,
        "activity": entry.activity.code,
        "range_state": entry.range_state.iso_code if entry.range_state_id else None,
        "status": entry.status,
        "reporting_date": entry.reporting_date.isoformat(),
        "confidence": entry.confidence,
        "approved_at": entry.reviewed_at.isoformat() if entry.reviewed_at else None,
    }


def _refresh_state_status(entry: ProgressEntry) -> None:
    """Point the activity's status in the entry's Range State at its latest approved entry; record a
    status-change event when that status differs from the one before."""
    latest = ProgressEntry.objects.latest_approved(
        activity=entry.activity_id, range_state=entry.range_state_id
    )
    row = ActivityStateStatus.objects.select_for_update().filter(
        activity_id=entry.activity_id, range_state_id=entry.range_state_id
    )
    previous = row.first()
    values = {
        "entry": latest,
        "status": latest.status,
        "reporting_date": latest.reporting_date,
        "approved_at": latest.reviewed_at or timezone.now(),
        "updated_at": timezone.now(),
    }
    if previous is None:
        ActivityStateStatus.objects.create(
            activity_id=entry.activity_id, range_state_id=entry.range_state_id, **values
        )
    else:
        row.update(**values)
    if previous is None or previous.status != latest.status:
        payload = public_payload(latest) | {"previous_status": previous.status if previous else None}
        DomainEvent.objects.create(kind=DomainEvent.Kind.STATUS_CHANGED, payload=payload)
        enqueue_on_commit(tasks.webhooks_sweep)
