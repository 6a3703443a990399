"""Reporting rounds, delegation, password-less reporting links and meeting snapshots."""

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ops.tasks import enqueue_on_commit

from .. import permissions, tasks
from ..models import (
    ActivityStateStatus,
    Delegation,
    FocalPoint,
    MeetingSnapshot,
    ReportingLink,
    ReportingRound,
    SnapshotStatus,
)
from ..names import range_state_name
from ..permissions import Action
from .entries import _stamp_once

# --- reporting rounds ----------------------------------------------------------------------------


@transaction.atomic
def reporting_round_open(*, user, strategy, name: str, opens_on, deadline, kind=ReportingRound.Kind.ANNUAL):
    permissions.require(user, Action.ROUND_OPEN)
    reporting_round = ReportingRound(
        strategy=strategy, name=name.strip(), kind=kind, opens_on=opens_on, deadline=deadline, created_by=user
    )
    reporting_round.full_clean()
    reporting_round.save()
    enqueue_on_commit(tasks.notify_round_opened, reporting_round.pk)
    return reporting_round


@transaction.atomic
def reporting_round_update(*, user, reporting_round, **changes) -> ReportingRound:
    """Change a round's name, kind or dates; its strategy is fixed once entries may answer it."""
    permissions.require(user, Action.ROUND_CHANGE)
    unknown = set(changes) - {"name", "kind", "opens_on", "deadline"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(reporting_round, field, value.strip() if field == "name" else value)
    reporting_round.full_clean()
    reporting_round.save()
    return reporting_round


@transaction.atomic
def reporting_round_close(*, user, reporting_round) -> ReportingRound:
    """Close a round: its entries are locked from now on."""
    permissions.require(user, Action.ROUND_CLOSE)
    _stamp_once(reporting_round, "closed_at")
    return reporting_round


@transaction.atomic
def reporting_round_reopen(*, user, reporting_round) -> ReportingRound:
    permissions.require(user, Action.ROUND_REOPEN)
    reporting_round.closed_at = None
    reporting_round.save(update_fields=["closed_at"])
    return reporting_round


# --- delegation ----------------------------------------------------------------------------------


@transaction.atomic
def delegation_grant(*, user, delegate, range_state, activity=None, objective=None) -> Delegation:
    """Let `delegate` draft (not submit) entries for one activity or objective in one of the user's states."""
    permissions.require(user, Action.DELEGATION_GRANT, range_state)
    if delegate.pk == user.pk:
        raise ValidationError({"delegate": _("You cannot delegate to yourself.")})
    if not delegate.is_active:
        raise ValidationError(
            {"delegate": _("%(user)s cannot sign in (inactive account).") % {"user": delegate}}
        )
    scope = activity or objective
    if scope is None or (activity and objective):
        raise ValidationError(_("Delegate either one activity or one objective."))
    if not scope.strategy.range_states.filter(pk=range_state.pk).exists():
        raise ValidationError(
            _("%(state)s is not a Range State of %(strategy)s.")
            % {"state": range_state_name(range_state), "strategy": scope.strategy}
        )
    delegation = Delegation(
        range_state=range_state, delegate=delegate, granted_by=user, activity=activity, objective=objective
    )
    delegation.full_clean()
    delegation.save()
    enqueue_on_commit(tasks.notify_delegation_granted, delegation.pk)
    return delegation


@transaction.atomic
def delegation_revoke(*, user, delegation) -> Delegation:
    permissions.require(user, Action.DELEGATION_REVOKE, delegation)
    _stamp_once(delegation, "revoked_at")
    enqueue_on_commit(tasks.notify_delegation_withdrawn, delegation.pk)
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
    permissions.require(user, Action.LINK_SEND)
    if not FocalPoint.objects.filter(user=focal_point, range_state=range_state).exists():
        raise ValidationError(
            {
                "focal_point": _("%(user)s is not a focal point for %(state)s.")
                % {"user": focal_point, "state": range_state_name(range_state)}
            }
        )
    if focal_point.is_staff or focal_point.is_superuser or permissions.is_secretariat(focal_point):
        raise ValidationError(
            {"focal_point": _("Reporting links are for focal points only, never for staff accounts.")}
        )
    if not 1 <= valid_days <= 90:
        raise ValidationError({"valid_days": _("A link is valid for 1 to 90 days.")})
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
            _("This reporting link is not valid. Check that it was copied whole, or ask the Secretariat.")
        )
    if link.revoked_at is not None:
        raise LinkInvalid(_("This reporting link has been withdrawn. Ask the Secretariat for a new one."))
    if link.expires_at <= timezone.now():
        raise LinkInvalid(_("This reporting link has expired. Ask the Secretariat for a new one."))
    if not link.user.is_active:
        raise LinkInvalid(_("The account this link belongs to is disabled. Contact the Secretariat."))
    if permissions.is_staff_account(link.user):
        # A link signs in without a password: never into an account that has since got staff rights.
        raise LinkInvalid(
            _("This reporting link cannot be used: its account has staff rights. Sign in with your password.")
        )
    link.last_used_at = timezone.now()
    link.save(update_fields=["last_used_at"])
    return link


@transaction.atomic
def reporting_link_revoke(*, user, link) -> ReportingLink:
    permissions.require(user, Action.LINK_WITHDRAW)
    _stamp_once(link, "revoked_at")
    return link


# --- meeting snapshots ---------------------------------------------------------------------------


@transaction.atomic
def meeting_snapshot_take(*, user, meeting, strategy, note: str = "") -> MeetingSnapshot:
    """Freeze the strategy's latest approved status per activity and Range State "as presented to" a meeting."""
    permissions.require(user, Action.SNAPSHOT_TAKE)
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


@transaction.atomic
def meeting_snapshot_annotate(*, user, snapshot, note: str) -> MeetingSnapshot:
    """Change a snapshot's note; the statuses it froze never change."""
    permissions.require(user, Action.SNAPSHOT_ANNOTATE)
    snapshot.note = note.strip()
    snapshot.save(update_fields=["note"])
    return snapshot
