"""An entry's page: its history (earlier versions and evidence added or removed, for those who may see
restricted details), what the user may do with it, and the saved values shown beside a conflicting edit."""

import datetime
from pathlib import PurePath

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import permissions
from ..models import (
    REVIEW_TRAIL_FIELDS,
    Evidence,
    ProgressEntry,
    ReportingRound,
)
from ..permissions import Action
from ..services import EDITABLE_FIELDS

# Bookkeeping fields a reader does not need in the list of what changed.
HISTORY_EXCLUDED = [
    "id",
    "updated_at",
    "activity",
    "reported_by",
    *REVIEW_TRAIL_FIELDS,
]


def _history_value(field, value, rounds) -> str:
    """A field's value as the history shows it: choices by label, rounds by name, dates in words."""
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.name == "reporting_round":
        return str(rounds.get(value, value))
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


# The reasons the services record in the history (stored in English, as data), as the history shows them.
# Returns were recorded as "Returned: <comment>" before the comment was kept in review_comment only.
HISTORY_REASONS = {
    "Created": gettext_lazy("Created"),
    "Changed": gettext_lazy("Changed"),
    "Edited": gettext_lazy("Edited"),
    "Submitted": gettext_lazy("Submitted"),
    "Resubmitted": gettext_lazy("Resubmitted"),
    "Approved": gettext_lazy("Approved"),
    "Returned": gettext_lazy("Returned"),
    "Deleted": gettext_lazy("Deleted"),
}
RETURNED_PREFIX = "Returned: "


def history_reason_label(reason: str) -> str:
    """A recorded reason in the interface language: the services' own words are translated, what a
    person typed (an edit's reason, a return's comment) is shown as typed."""
    if reason in HISTORY_REASONS:
        return str(HISTORY_REASONS[reason])
    if reason.startswith(RETURNED_PREFIX):
        return _("Returned: %(comment)s") % {"comment": reason.removeprefix(RETURNED_PREFIX)}
    return reason


def entry_history(entry: ProgressEntry) -> list[dict]:
    """The entry's versions and its evidence's additions and removals, newest first, each with who, when,
    the reason, and the fields changed against the version before.

    Earlier versions hold what a reporter withdrew (e.g. a den site later moved into the restricted
    field), restricted values, restricted evidence and the reviewers' comments: only those who may see
    the entry's restricted details are shown the history (entry_page)."""
    records = list(entry.history.select_related("history_user").order_by("history_date", "history_id"))
    round_ids = {r.reporting_round_id for r in records if r.reporting_round_id}
    rounds = {r.pk: r.name for r in ReportingRound.objects.filter(pk__in=round_ids)} if round_ids else {}
    rows, previous = [], None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=HISTORY_EXCLUDED)
            for change in delta.changes:
                field = ProgressEntry._meta.get_field(change.field)
                changes.append(
                    {
                        "field": field.verbose_name,
                        "old": _history_value(field, change.old, rounds),
                        "new": _history_value(field, change.new, rounds),
                    }
                )
        reason = history_reason_label(
            record.history_change_reason or ("Created" if record.history_type == "+" else "Changed")
        )
        rows.append(
            {"date": record.history_date, "user": record.history_user, "reason": reason, "changes": changes}
        )
        previous = record
    evidence_records = Evidence.history.filter(entry_id=entry.pk, history_type__in=["+", "-"]).select_related(
        "history_user"
    )
    for record in evidence_records:
        added = record.history_type == "+"
        title = record.title or record.url or PurePath(record.file or "").name
        reason = (_("Added evidence “%(title)s”") if added else _("Removed evidence “%(title)s”")) % {
            "title": title
        }
        rows.append({"date": record.history_date, "user": record.history_user, "reason": reason})
    return sorted(rows, key=lambda row: row["date"], reverse=True)


def entry_page(entry: ProgressEntry, user) -> dict:
    """What an entry's page shows `user`: restricted details, restricted evidence, the history (earlier
    versions and review comments) only if they may see restricted details — everyone else sees the
    entry as it is now, which for them is always its approved state — and which workflow actions they
    may take."""
    show_restricted = permissions.allowed(user, Action.VIEW_RESTRICTED, entry)
    return {
        "entry": entry,
        "activity": entry.activity,
        "show_restricted": show_restricted,
        "evidence": entry.evidence.all() if show_restricted else entry.evidence.filter(restricted=False),
        "history": entry_history(entry) if show_restricted else None,
        "can_edit": permissions.allowed(user, Action.EDIT, entry),
        "can_submit": permissions.allowed(user, Action.SUBMIT, entry),
        "can_review": permissions.allowed(user, Action.REVIEW, entry),
    }


def entry_saved_values(current: ProgressEntry, typed: dict) -> list[dict]:
    """The saved value of each editable field, and whether it differs from what the user typed (shown
    beside the form when an edit conflicts with someone else's)."""
    rows = []
    for name in EDITABLE_FIELDS:
        field = ProgressEntry._meta.get_field(name)
        saved = getattr(current, name)
        if field.choices:
            shown = getattr(current, f"get_{name}_display")()
        else:
            shown = "—" if saved in (None, "") else str(saved)
        rows.append({"label": field.verbose_name, "value": shown, "differs": typed.get(name) != saved})
    return rows
