"""The sheet's columns and values, the rows of one round and state, and each row's signed identity: what
the download writes and the upload reads back."""

import datetime
import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy

from .. import permissions
from ..models import Activity, ProgressEntry
from ..permissions import Action

RS = ProgressEntry.ReviewState
SIGNER_SALT = "activities.offline_sheet"
# The most a spreadsheet cell holds (Excel's limit); text fields without a length of their own get it.
CELL_MAX_CHARS = 32767

# (key, header, width). "key" is the hidden, locked identity column; the first four are locked.
COLUMNS = (
    ("key", gettext_lazy("Row identity (do not change)"), 12),
    ("code", gettext_lazy("Activity code"), 12),
    ("activity", gettext_lazy("Activity"), 50),
    ("prefilled", gettext_lazy("Pre-filled from"), 28),
    ("status", gettext_lazy("Status"), 24),
    ("confidence", gettext_lazy("Confidence"), 24),
    ("reporting_date", gettext_lazy("Reporting date (year-month-day)"), 18),
    ("narrative", gettext_lazy("Narrative"), 60),
    ("source", gettext_lazy("Source of the information"), 40),
    ("amount_spent_usd", gettext_lazy("Amount spent (USD)"), 16),
    ("restricted_details", gettext_lazy("Restricted details"), 40),
)
LOCKED_COLUMNS = ("key", "code", "activity", "prefilled")
FIELDS = (
    "status",
    "confidence",
    "reporting_date",
    "narrative",
    "source",
    "amount_spent_usd",
    "restricted_details",
)
TEXT_FIELDS = ("narrative", "source", "restricted_details")

PREFILLED_DRAFT, PREFILLED_LOCKED, PREFILLED_APPROVED, PREFILLED_NONE = "draft", "locked", "approved", "none"
PREFILLED_LABELS = {
    PREFILLED_DRAFT: gettext_lazy("Your draft of this round"),
    PREFILLED_LOCKED: gettext_lazy("Submitted or approved in this round: an upload does not change it"),
    PREFILLED_APPROVED: gettext_lazy("The latest approved entry"),
    PREFILLED_NONE: gettext_lazy("Nothing reported yet"),
}


def max_bytes() -> int:
    return settings.OFFLINE_SHEET_MAX_BYTES


def max_rows() -> int:
    return settings.OFFLINE_SHEET_MAX_ROWS


def columns(restricted: bool):
    return [c for c in COLUMNS if restricted or c[0] != "restricted_details"]


def may_see_restricted(user, activity, range_state) -> bool:
    """Whether the sheet carries restricted details: activities.permissions's VIEW_RESTRICTED rule, asked
    for an entry of the state. Every row of a sheet is an activity the user may report on in the state,
    and for those the rule gives one answer (the Secretariat, the state's focal points, its delegates)."""
    return permissions.allowed(
        user, Action.VIEW_RESTRICTED, ProgressEntry(activity=activity, range_state=range_state)
    )


# --- values: one normal form for the digest, the comparison and the session ---------------------------


def normal(values: dict) -> dict:
    """The fields' values as plain strings (a code, an ISO date, a decimal's text, stripped text)."""
    out = {}
    for name in FIELDS:
        value = values.get(name)
        if value is None:
            out[name] = ""
        elif isinstance(value, datetime.date):
            out[name] = value.isoformat()
        elif isinstance(value, Decimal):
            out[name] = f"{value.quantize(Decimal('0.01'))}"
        else:
            out[name] = str(value).strip()
    return out


def digest(values: dict) -> str:
    return hashlib.sha256(json.dumps(normal(values), sort_keys=True).encode()).hexdigest()[:16]


def entry_values(entry: ProgressEntry | None, *, today: datetime.date | None = None) -> dict:
    if entry is None:
        return {"confidence": ProgressEntry.Confidence.EXPERT, "reporting_date": today}
    return {name: getattr(entry, name) for name in FIELDS}


def python_values(plain: dict) -> dict:
    """normal()'s strings back as the values the services take."""
    values = dict(plain)
    values["reporting_date"] = datetime.date.fromisoformat(plain["reporting_date"])
    values["amount_spent_usd"] = Decimal(plain["amount_spent_usd"]) if plain["amount_spent_usd"] else None
    return values


# --- what the sheet is about: the rows of one round and state --------------------------------------


def sheet_activities(reporting_round, range_state, user):
    """The round's due activities the user may report on in the state, with the active language's
    translations. One query, and one for translations."""
    activities = permissions.reportable_activities(
        user, range_state, Activity.objects.due_in_round(reporting_round)
    )
    return activities.select_related("result").with_translations().order_by("sort_key")


def round_entries(reporting_round, range_state, activity_ids=None) -> dict[int, ProgressEntry]:
    """Per activity, the state's entry of the round a sheet row stands for: the newest one with the
    reporter (draft or returned) when there is one, else the newest. One query."""
    entries = ProgressEntry.objects.filter(reporting_round=reporting_round, range_state=range_state)
    if activity_ids is not None:
        entries = entries.filter(activity_id__in=activity_ids)
    chosen: dict[int, ProgressEntry] = {}
    for entry in entries.order_by("-pk"):
        current = chosen.get(entry.activity_id)
        with_reporter = entry.review_state in (RS.DRAFT, RS.RETURNED)
        if current is None or (with_reporter and current.review_state not in (RS.DRAFT, RS.RETURNED)):
            chosen[entry.activity_id] = entry
    return chosen


def _identity(reporting_round, range_state, activity, entry, values) -> str:
    payload = {
        "r": reporting_round.pk,
        "s": range_state.pk,
        "a": activity.pk,
        "e": entry.pk if entry else None,
        "v": entry.version if entry else 0,
        "h": digest(values),
    }
    return signing.Signer(salt=SIGNER_SALT).sign_object(payload, compress=False)
