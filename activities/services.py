"""Writes to the strategy domain: the progress workflow, evidence, reporting rounds, delegation, links.

Every service checks permission through activities.permissions (so the web forms and the API obey the
same rules), validates before saving, runs in one transaction and returns what it made or changed.

The workflow of a progress entry:

    draft ──submit──▶ submitted ──approve──▶ approved
      ▲                   │  ▲
      └──(edit)           │  └──resubmit── returned ◀──return (with comment)──┘

Only the Secretariat edits an approved entry, and must give a reason; entries of a closed reporting
round are locked. Each change is kept by django-simple-history with its reason.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import permissions
from .models import (
    ActivityStateStatus,
    Delegation,
    DomainEvent,
    Evidence,
    FocalPoint,
    MeetingSnapshot,
    ProgressEntry,
    ReportingLink,
    ReportingRound,
    SnapshotStatus,
)
from .permissions import Action

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
        who = current.history.first().history_user if current.history.exists() else None
        super().__init__(
            f"This entry was changed by {who or 'someone else'} while you were editing it. "
            "Your changes have not been saved: compare them with the current version below and apply them again."
        )


def _save(entry: ProgressEntry, reason: str, user) -> None:
    # django-simple-history keeps the reason and the acting user with this version. The user is set
    # here, not left to the history middleware, because API token auth and management commands act
    # outside what that middleware sees.
    entry._change_reason = reason
    entry._history_user = user
    entry.full_clean()
    entry.save()


def _lock(entry: ProgressEntry) -> ProgressEntry:
    """Re-read the entry under a row lock, so concurrent reviews and edits queue instead of interleaving."""
    # of=("self",): lock the entry's row only. PostgreSQL refuses FOR UPDATE on the nullable side of
    # the outer join to reporting_round, and the joined rows need no lock.
    return (
        ProgressEntry.objects.select_for_update(of=("self",))
        .select_related("activity__strategy", "reporting_round")
        .get(pk=entry.pk)
    )


def _check_round_open(reporting_round: ReportingRound | None) -> None:
    if reporting_round is not None and reporting_round.is_closed:
        raise ValidationError({"reporting_round": f"The reporting round “{reporting_round.name}” is closed."})


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
    permissions.require(user, Action.EDIT, current)
    if current.version != expected_version:
        raise EditConflict(current)
    reason = reason.strip()
    if current.review_state == RS.APPROVED and not reason:
        raise ValidationError(
            {"reason": "Editing an approved entry requires a reason; it is kept in the history."}
        )
    if "reporting_round" in changes and changes["reporting_round"] != current.reporting_round:
        _check_round_open(changes["reporting_round"])
    for field, value in changes.items():
        setattr(current, field, value)
    current.version += 1
    _save(current, reason or "Edited", user)
    if current.review_state == RS.APPROVED:
        _refresh_state_status(current)
    return current


@transaction.atomic
def progress_entry_submit(*, user, entry) -> ProgressEntry:
    """Send a draft (or a returned entry, after changes) to the Secretariat for review."""
    current = _lock(entry)
    permissions.require(user, Action.SUBMIT, current)
    resubmitted = current.review_state == RS.RETURNED
    now = timezone.now()
    current.review_state = RS.SUBMITTED
    current.submitted_by = user
    current.submitted_at = now
    current.first_submitted_at = current.first_submitted_at or now
    current.version += 1
    _save(current, "Resubmitted" if resubmitted else "Submitted", user)
    return current


@transaction.atomic
def progress_entry_approve(*, user, entry) -> ProgressEntry:
    """Approve a submitted entry: from now on it counts in reports and public pages."""
    current = _lock(entry)
    permissions.require(user, Action.REVIEW, current)
    current.review_state = RS.APPROVED
    current.reviewed_by = user
    current.reviewed_at = timezone.now()
    current.review_comment = ""
    current.version += 1
    _save(current, "Approved", user)
    DomainEvent.objects.create(kind=DomainEvent.Kind.PROGRESS_APPROVED, payload=public_payload(current))
    _refresh_state_status(current)
    return current


@transaction.atomic
def progress_entry_return(*, user, entry, comment: str) -> ProgressEntry:
    """Return a submitted entry to its reporter; the comment says what to change."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say what should change: returning an entry requires a comment."})
    current = _lock(entry)
    permissions.require(user, Action.REVIEW, current)
    current.review_state = RS.RETURNED
    current.review_comment = comment
    current.reviewed_by = user
    current.reviewed_at = timezone.now()
    current.version += 1
    _save(current, f"Returned: {comment}", user)
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
    latest = (
        ProgressEntry.objects.filter(
            activity_id=entry.activity_id, range_state_id=entry.range_state_id, review_state=RS.APPROVED
        )
        .order_by("-reporting_date", "-reviewed_at", "-pk")
        .first()
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


# --- evidence ------------------------------------------------------------------------------------

# Extension → (content type, signatures the file must start with; empty: plain text)
EVIDENCE_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    ".csv": ("text/csv", ()),
    ".txt": ("text/plain", ()),
}


def evidence_max_bytes() -> int:
    return settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024


def validate_evidence_file(upload) -> str:
    """Check an uploaded file's type (by extension and content) and size; return its content type."""
    name = PurePath(upload.name).name
    extension = PurePath(name).suffix.lower()
    if extension not in EVIDENCE_TYPES:
        accepted = ", ".join(sorted({e.lstrip(".").upper() for e in EVIDENCE_TYPES} - {"JPEG"}))
        raise ValidationError({"file": f"“{name}” is not an accepted file type. Accepted: {accepted}."})
    if upload.size > evidence_max_bytes():
        raise ValidationError(
            {
                "file": f"“{name}” is {upload.size / 1_048_576:.1f} MB; the limit is {settings.EVIDENCE_MAX_UPLOAD_MB} MB."
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": f"“{name}” is empty."})
    content_type, signatures = EVIDENCE_TYPES[extension]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if signatures and not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            {"file": f"“{name}” does not look like a {extension.lstrip('.').upper()} file."}
        )
    if not signatures:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # The head may cut a multi-byte character in two; only an error before the end is real.
            if exc.start < len(head) - 3:
                raise ValidationError({"file": f"“{name}” is not a UTF-8 text file."}) from exc
    return content_type


@transaction.atomic
def evidence_add(
    *, user, entry, title: str = "", url: str = "", file=None, restricted: bool = False
) -> Evidence:
    """Attach a link or a file to a progress entry."""
    current = _lock(entry)
    permissions.require(user, Action.EDIT, current)
    if bool(url) == bool(file):
        raise ValidationError("Give either a link or a file.")
    evidence = Evidence(entry=current, title=title.strip(), url=url, restricted=restricted, added_by=user)
    if file is not None:
        evidence.content_type = validate_evidence_file(file)
        evidence.size = file.size
        evidence.file = file
    evidence._change_reason = "Added"
    evidence._history_user = user
    evidence.full_clean()
    evidence.save()
    return evidence


@transaction.atomic
def evidence_remove(*, user, evidence) -> None:
    """Detach evidence from its entry. The history keeps the record, and an uploaded file stays in storage."""
    permissions.require(user, Action.EDIT, _lock(evidence.entry))
    evidence._change_reason = "Removed"
    evidence._history_user = user
    evidence.delete()


# --- reporting rounds ----------------------------------------------------------------------------


def _require_secretariat(user, what: str) -> None:
    if not permissions.is_secretariat(user):
        raise PermissionDenied(f"Only the Secretariat may {what}.")


@transaction.atomic
def reporting_round_open(*, user, strategy, name: str, opens_on, deadline, kind=ReportingRound.Kind.ANNUAL):
    _require_secretariat(user, "open a reporting round")
    reporting_round = ReportingRound(
        strategy=strategy, name=name.strip(), kind=kind, opens_on=opens_on, deadline=deadline, created_by=user
    )
    reporting_round.full_clean()
    reporting_round.save()
    return reporting_round


@transaction.atomic
def reporting_round_close(*, user, reporting_round) -> ReportingRound:
    """Close a round: its entries are locked from now on."""
    _require_secretariat(user, "close a reporting round")
    if reporting_round.closed_at is None:
        reporting_round.closed_at = timezone.now()
        reporting_round.save(update_fields=["closed_at"])
    return reporting_round


@transaction.atomic
def reporting_round_reopen(*, user, reporting_round) -> ReportingRound:
    _require_secretariat(user, "reopen a reporting round")
    reporting_round.closed_at = None
    reporting_round.save(update_fields=["closed_at"])
    return reporting_round


# --- delegation ----------------------------------------------------------------------------------


@transaction.atomic
def delegation_grant(*, user, delegate, range_state, activity=None, objective=None) -> Delegation:
    """Let `delegate` draft (not submit) entries for one activity or objective in one of the user's states."""
    if not (permissions.is_secretariat(user) or range_state.pk in permissions.focal_state_ids(user)):
        raise PermissionDenied(
            f"Only {range_state}'s focal point or the Secretariat may delegate its reporting."
        )
    if delegate.pk == user.pk:
        raise ValidationError({"delegate": "You cannot delegate to yourself."})
    if not delegate.is_active:
        raise ValidationError({"delegate": f"{delegate} cannot sign in (inactive account)."})
    scope = activity or objective
    if scope is None or (activity and objective):
        raise ValidationError("Delegate either one activity or one objective.")
    if not scope.strategy.range_states.filter(pk=range_state.pk).exists():
        raise ValidationError(f"{range_state} is not a Range State of {scope.strategy}.")
    delegation = Delegation(
        range_state=range_state, delegate=delegate, granted_by=user, activity=activity, objective=objective
    )
    delegation.full_clean()
    delegation.save()
    return delegation


@transaction.atomic
def delegation_revoke(*, user, delegation) -> Delegation:
    state_id = delegation.range_state_id
    if not (permissions.is_secretariat(user) or state_id in permissions.focal_state_ids(user)):
        raise PermissionDenied(
            "Only the Range State's focal point or the Secretariat may revoke a delegation."
        )
    if delegation.revoked_at is None:
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
    return delegation


# --- password-less reporting links ---------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LinkInvalid(Exception):
    """A reporting link that cannot be used; the message says why, for the person holding it."""


@transaction.atomic
def reporting_link_create(
    *, user, focal_point, range_state, valid_days: int = 14
) -> tuple[ReportingLink, str]:
    """Make a link that signs `focal_point` in for `range_state` only. Returns the link and its token,
    which is not stored and cannot be shown again."""
    _require_secretariat(user, "send reporting links")
    if not FocalPoint.objects.filter(user=focal_point, range_state=range_state).exists():
        raise ValidationError({"focal_point": f"{focal_point} is not a focal point for {range_state}."})
    if focal_point.is_staff or focal_point.is_superuser or permissions.is_secretariat(focal_point):
        raise ValidationError(
            {"focal_point": "Reporting links are for focal points only, never for staff accounts."}
        )
    if not 1 <= valid_days <= 90:
        raise ValidationError({"valid_days": "A link is valid for 1 to 90 days."})
    token = secrets.token_urlsafe(32)
    link = ReportingLink.objects.create(
        user=focal_point,
        range_state=range_state,
        token_hash=_token_hash(token),
        created_by=user,
        expires_at=timezone.now() + datetime.timedelta(days=valid_days),
    )
    return link, token


@transaction.atomic
def reporting_link_redeem(*, token: str) -> ReportingLink:
    """Check a link's token; raise LinkInvalid with a message for its holder, or return the link."""
    link = (
        ReportingLink.objects.select_for_update(of=("self",))
        .select_related("user", "range_state")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if link is None:
        raise LinkInvalid(
            "This reporting link is not valid. Check that it was copied whole, or ask the Secretariat."
        )
    if link.revoked_at is not None:
        raise LinkInvalid("This reporting link has been withdrawn. Ask the Secretariat for a new one.")
    if link.expires_at <= timezone.now():
        raise LinkInvalid("This reporting link has expired. Ask the Secretariat for a new one.")
    if not link.user.is_active:
        raise LinkInvalid("The account this link belongs to is disabled. Contact the Secretariat.")
    link.last_used_at = timezone.now()
    link.save(update_fields=["last_used_at"])
    return link


@transaction.atomic
def reporting_link_revoke(*, user, link) -> ReportingLink:
    _require_secretariat(user, "withdraw reporting links")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


# --- meeting snapshots ---------------------------------------------------------------------------


@transaction.atomic
def meeting_snapshot_take(*, user, meeting, strategy, note: str = "") -> MeetingSnapshot:
    """Freeze the strategy's latest approved status per activity and Range State "as presented to" a meeting."""
    _require_secretariat(user, "take meeting snapshots")
    snapshot = MeetingSnapshot.objects.create(
        meeting=meeting, strategy=strategy, taken_by=user, note=note.strip()
    )
    rows = ActivityStateStatus.objects.filter(activity__strategy=strategy).values_list(
        "activity_id", "range_state_id", "entry_id", "status", "reporting_date"
    )
    SnapshotStatus.objects.bulk_create(
        (
            SnapshotStatus(
                snapshot=snapshot,
                activity_id=activity_id,
                range_state_id=range_state_id,
                entry_id=entry_id,
                status=status,
                reporting_date=reporting_date,
            )
            for activity_id, range_state_id, entry_id, status, reporting_date in rows.iterator()
        ),
        batch_size=1000,
    )
    return snapshot
