"""National reports: one per reporting round and Range State, saved, submitted with their entries,
accepted (approving them) or returned per section; their private comment threads."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ops.tasks import enqueue_on_commit

from .. import permissions, tasks
from ..models import (
    NationalReport,
    ProgressEntry,
    ReportComment,
)
from ..models.national import EDITABLE_FIELDS as REPORT_FIELDS
from ..models.national import REQUIRED_FIELDS as REPORT_REQUIRED_FIELDS
from ..models.national import SECTIONS
from ..permissions import Action
from .entries import (
    EditConflict,
    _contribute,
    _save,
    progress_entry_approve,
    progress_entry_return,
    progress_entry_submit,
)

# --- national reports ----------------------------------------------------------------------------
#
#   (no row) ──save──▶ in preparation ──submit──▶ submitted ──accept──▶ accepted
#                            ▲                       │
#                            └──(edit)── returned ◀──return (comments per section)
#
# Submitting submits the state's drafts and returned entries of the round with it (each through
# progress_entry_submit); accepting approves its submitted entries (progress_entry_approve), all or none.

NRS = NationalReport.Status


class ReportEditConflict(EditConflict):
    """Someone else changed the national report since the editor loaded it."""

    def __init__(self, current: NationalReport):
        self.current = current
        latest = current.history.first()
        self.changed_by = str((latest and latest.history_user) or _("someone else"))
        Exception.__init__(
            self,
            _(
                "This national report was changed by %(user)s while you were editing it. Your changes have "
                "not been saved: compare them with the current version below and apply them again."
            )
            % {"user": self.changed_by},
        )


def _lock_report(report: NationalReport) -> NationalReport:
    return (
        NationalReport.objects.select_for_update(of=("self",))
        .select_related("reporting_round__strategy", "range_state")
        .get(pk=report.pk)
    )


def _save_report(report: NationalReport, reason: str, user) -> None:
    """Saved with its reason and user in the history, as an entry is, and `user` among its contributors."""
    _save(report, reason, user)
    _contribute(report, user)


def _entry_names(entries) -> str:
    return ", ".join(sorted(entry.activity.code for entry in entries))


@transaction.atomic
def national_report_save(
    *, user, reporting_round, range_state, expected_version: int, **changes
) -> NationalReport:
    """Write a national report's cover and sections, starting it if it was not started (its version is
    then 0). `expected_version` is the version the editor started from: if the report has changed since,
    nothing is saved and ReportEditConflict says so."""
    unknown = set(changes) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    report = (
        NationalReport.objects.select_for_update(of=("self",))
        .select_related("reporting_round__strategy", "range_state")
        .filter(reporting_round=reporting_round, range_state=range_state)
        .first()
    )
    if report is None:
        report = NationalReport(reporting_round=reporting_round, range_state=range_state, created_by=user)
        permissions.require(user, Action.REPORT_EDIT, report)
        if expected_version != 0:
            raise ValidationError(_("This national report no longer exists; reload the page."))
        report.version = 0
    else:
        permissions.require(user, Action.REPORT_EDIT, report)
        if report.version != expected_version:
            raise ReportEditConflict(report)
    started = report.pk is None
    for field, value in changes.items():
        setattr(report, field, value.strip())
    report.version += 1
    try:
        with transaction.atomic():  # a savepoint: two people starting the same report at once
            _save_report(report, "Started" if started else "Edited", user)
    except IntegrityError:
        raise ReportEditConflict(
            NationalReport.objects.get(reporting_round=reporting_round, range_state=range_state)
        ) from None
    return report


@transaction.atomic
def national_report_submit(*, user, report, confirmed: bool, include=()) -> NationalReport:
    """Submit a national report the focal point confirms is complete: every required section written,
    and each of the round's drafts and returned entries of the state resolved — included (`include`,
    entry ids: submitted with the report) or deleted. Nothing is submitted unless all is."""
    current = _lock_report(report)
    permissions.require(user, Action.REPORT_SUBMIT, current)
    errors = {}
    if not confirmed:
        errors["confirmed"] = _("Confirm that the national report is complete before you submit it.")
    empty = [name for name in REPORT_REQUIRED_FIELDS if not getattr(current, name).strip()]
    if empty:
        titles = [str(NationalReport._meta.get_field(name).verbose_name) for name in empty]
        errors["sections"] = _("Complete these parts of the report before you submit it: %(parts)s.") % {
            "parts": ", ".join(titles)
        }
    pending = list(
        ProgressEntry.objects.of_national_report(current)
        .with_the_reporter()
        .select_for_update(of=("self",))
        .select_related("activity")
    )
    include = {int(pk) for pk in include}
    foreign = include - {entry.pk for entry in pending}
    if foreign:
        errors["include"] = _("Only this report's drafts and returned entries can be included with it.")
    unresolved = [entry for entry in pending if entry.pk not in include]
    if unresolved:
        errors["entries"] = _(
            "These entries of the round are still drafts or returned for changes: %(entries)s. Include each "
            "with the report, or delete it, before you submit the report."
        ) % {"entries": _entry_names(unresolved)}
    if errors:
        raise ValidationError(errors)
    for entry in pending:
        progress_entry_submit(user=user, entry=entry)
    resubmitted = current.status == NRS.RETURNED
    current.status = NRS.SUBMITTED
    current.record_submission(user)
    current.return_comments = {}  # the history keeps them with the version returned
    current.version += 1
    _save_report(current, "Resubmitted" if resubmitted else "Submitted", user)
    enqueue_on_commit(tasks.notify_report_submitted, current.pk, current.version)
    return current


def _review_entry(service, entry, **kwargs):
    """Run an entry's review service for a report's review, naming the entry in a refusal."""
    try:
        return service(entry=entry, **kwargs)
    except PermissionDenied as exc:
        raise PermissionDenied(
            _("Activity %(activity)s: %(reason)s") % {"activity": entry.activity.code, "reason": exc}
        ) from exc


@transaction.atomic
def national_report_accept(*, user, report) -> NationalReport:
    """Accept a submitted national report, approving its submitted entries; all or none (separation of
    duties applies to the report and to each entry)."""
    current = _lock_report(report)
    permissions.require(user, Action.REPORT_REVIEW, current)
    entries = ProgressEntry.objects.of_national_report(current).submitted().select_related("activity")
    for entry in entries:
        _review_entry(progress_entry_approve, entry, user=user)
    current.status = NRS.ACCEPTED
    current.record_review(user)
    current.version += 1
    current._change_reason = "Accepted"
    current._history_user = user
    current.full_clean()
    current.save()  # a review is not content: the reviewer is not a contributor
    enqueue_on_commit(tasks.notify_report_accepted, current.pk, current.version)
    return current


@transaction.atomic
def national_report_return(
    *, user, report, comments: dict, entry_comments: dict | None = None
) -> NationalReport:
    """Return a submitted national report to its state with a comment per section (SECTIONS), and
    return any of its submitted entries with a comment each (`entry_comments`: entry id → comment)."""
    comments = {name: (text or "").strip() for name, text in (comments or {}).items()}
    unknown = set(comments) - set(SECTIONS)
    if unknown:
        raise ValidationError(
            _("There is no section %(name)s in a national report.") % {"name": sorted(unknown)[0]}
        )
    comments = {name: text for name, text in comments.items() if text}
    entry_comments = {int(pk): (text or "").strip() for pk, text in (entry_comments or {}).items()}
    entry_comments = {pk: text for pk, text in entry_comments.items() if text}
    if not comments and not entry_comments:
        raise ValidationError(
            _(
                "Say what should change: returning a national report requires a comment on a section or an entry."
            )
        )
    current = _lock_report(report)
    permissions.require(user, Action.REPORT_REVIEW, current)
    entries = {
        entry.pk: entry
        for entry in ProgressEntry.objects.of_national_report(current)
        .submitted()
        .filter(pk__in=entry_comments)
        .select_related("activity")
    }
    if set(entry_comments) - set(entries):
        raise ValidationError(_("Only this report's entries awaiting review can be returned with it."))
    for pk, text in entry_comments.items():
        _review_entry(progress_entry_return, entries[pk], user=user, comment=text)
    current.status = NRS.RETURNED
    current.return_comments = comments
    current.record_review(user)
    current.version += 1
    current._change_reason = "Returned"
    current._history_user = user
    current.full_clean()
    current.save()
    enqueue_on_commit(tasks.notify_report_returned, current.pk, current.version)
    return current


@transaction.atomic
def report_comment_add(*, user, report, text: str, section: str = "", entry=None) -> ReportComment:
    """Add a comment to a national report's private discussion, about one section or one of its entries
    (which the user must be able to see)."""
    permissions.require(user, Action.REPORT_COMMENT, report)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a comment first.")})
    if entry is not None:
        belongs = (
            entry.reporting_round_id == report.reporting_round_id
            and entry.range_state_id == report.range_state_id
        )
        if not belongs or not permissions.allowed(user, Action.VIEW, entry):
            raise ValidationError({"subject": _("Choose a section or an entry of this report.")})
        section = ""
    elif section not in SECTIONS:
        raise ValidationError({"subject": _("Choose a section or an entry of this report.")})
    comment = ReportComment(report=report, section=section, entry=entry, author=user, text=text)
    comment._history_user = user
    comment.full_clean()
    comment.save()
    enqueue_on_commit(tasks.notify_report_commented, comment.pk)
    return comment
