"""Checking an upload: the plan of what it would do, row by row (the preview), with an error per row
and cell."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils.escape import unescape

from .. import permissions
from ..exporting import CONTROL_CHARACTERS
from ..models import Activity, ProgressEntry
from .columns import (
    CELL_MAX_CHARS,
    FIELDS,
    RS,
    SIGNER_SALT,
    TEXT_FIELDS,
    columns,
    digest,
    entry_values,
    may_see_restricted,
    normal,
    round_entries,
    sheet_activities,
)
from .reading import SheetRefused, _text, read_upload


@dataclass
class CellError:
    row: int
    column: str  # the column's header, as the user's sheet names it
    message: str


@dataclass
class Row:
    """One data row of the upload and what the upload would do with it."""

    row: int
    activity: Activity | None = None
    kind: str = ""  # create, update, unchanged, conflict, locked
    entry: ProgressEntry | None = None
    version: int = 0
    values: dict = field(default_factory=dict)  # normal() form
    changes: list = field(default_factory=list)  # (label, old, new) for the preview
    current: dict = field(default_factory=dict)  # the app's values (normal form), for conflicts


@dataclass
class Plan:
    rows: list[Row]
    errors: list[CellError]
    restricted: bool

    def of(self, kind) -> list[Row]:
        return [row for row in self.rows if row.kind == kind]

    creates = property(lambda self: self.of("create"))
    updates = property(lambda self: self.of("update"))
    conflicts = property(lambda self: self.of("conflict"))
    locked = property(lambda self: self.of("locked"))
    unchanged = property(lambda self: self.of("unchanged"))

    @property
    def actions(self) -> list[Row]:
        return [row for row in self.rows if row.kind in ("create", "update")]

    def stored(self) -> list[dict]:
        """What confirming applies, as plain data (kept in the session between preview and confirm)."""
        return [
            {
                "row": row.row,
                "activity": row.activity.pk,
                "entry": row.entry.pk if row.entry else None,
                "version": row.version,
                "values": row.values,
            }
            for row in self.actions
        ]


def _labels(choices) -> dict[str, str]:
    """Every way a choice may be written in a sheet: its value, and its label in each language."""
    out = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices:
                out[str(label).strip().casefold()] = value
    for value, _label in choices:
        out[value.casefold()] = value
    return out


def _headers(restricted: bool) -> dict[str, list[str]]:
    out = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out[code] = [str(header) for _key, header, _w in columns(restricted)]
    return out


def _as_downloaded(cells: dict, statuses: dict, confidences: dict, restricted: bool) -> str:
    """The digest of a row's cells read leniently (a value that is not valid is kept as typed), to
    compare with the digest of the values the row was downloaded with."""
    values = {name: _text(cells.get(name)) for name in FIELDS}
    values["status"] = statuses.get(values["status"].casefold(), values["status"])
    values["confidence"] = confidences.get(values["confidence"].casefold(), values["confidence"])
    date = cells.get("reporting_date")
    if isinstance(date, datetime.datetime):
        values["reporting_date"] = date.date()
    for name in TEXT_FIELDS:
        values[name] = unescape(values[name])
    try:
        if values["amount_spent_usd"]:
            values["amount_spent_usd"] = Decimal(values["amount_spent_usd"])
    except InvalidOperation:
        pass
    if not restricted:
        values["restricted_details"] = ""
    return digest(values)


def plan_upload(*, upload, reporting_round, range_state, user) -> Plan:
    """What uploading `upload` to the state's report for the round would do, row by row; errors per row
    and cell. A constant number of queries, whatever the number of rows: the activities, their
    translations, and the round's entries of the state."""
    restricted_possible = permissions.may_see_some_restricted(user)
    rows = read_upload(upload)
    if not rows:
        raise SheetRefused(_("The sheet is empty."))
    header = [_text(v) for v in rows[0][1]]
    while header and not header[-1]:
        header.pop()
    restricted = None
    for with_restricted in (True, False):
        if with_restricted and not restricted_possible:
            continue
        if header in _headers(with_restricted).values():
            restricted = with_restricted
            break
    if restricted is None:
        expected = [str(h) for _k, h, _w in columns(restricted_possible)]
        raise SheetRefused(
            _(
                "The first row of the sheet must name these columns, in this order: %(columns)s. Download the sheet again and fill that one in."
            )
            % {"columns": ", ".join(expected)}
        )
    activities = {a.pk: a for a in sheet_activities(reporting_round, range_state, user)}
    if (
        restricted
        and activities
        and not may_see_restricted(user, next(iter(activities.values())), range_state)
    ):
        restricted = False
    entries = round_entries(reporting_round, range_state)
    cols = columns(restricted)
    keys = [k for k, _h, _w in cols]
    names = dict(zip(keys, header, strict=True))
    statuses = _labels(ProgressEntry.Status.choices)
    confidences = _labels(ProgressEntry.Confidence.choices)
    status_labels = dict(ProgressEntry.Status.choices)
    confidence_labels = dict(ProgressEntry.Confidence.choices)
    signer = signing.Signer(salt=SIGNER_SALT)
    plan = Plan(rows=[], errors=[], restricted=restricted)
    seen: dict[int, int] = {}

    def error(number, key, message):
        plan.errors.append(CellError(row=number, column=names.get(key, key), message=message))

    for number, raw in rows[1:]:
        raw = list(raw) + [None] * (len(keys) - len(raw))
        if len(raw) > len(keys) and any(v not in (None, "") for v in raw[len(keys) :]):
            error(number, "key", _("This row has values beyond the sheet's last column; remove them."))
        cells = dict(zip(keys, raw[: len(keys)], strict=True))
        if all(v in (None, "") for v in cells.values()):
            continue
        row = Row(row=number)
        try:
            identity = signer.unsign_object(_text(cells["key"]))
        except (signing.BadSignature, ValueError, TypeError):
            error(
                number,
                "key",
                _(
                    "This row's identity is missing or was changed. Only fill in the rows of a downloaded sheet, and keep its hidden first column as it is."
                ),
            )
            continue
        if identity.get("r") != reporting_round.pk or identity.get("s") != range_state.pk:
            error(number, "key", _("This row belongs to another reporting round or Range State's sheet."))
            continue
        activity = activities.get(identity.get("a"))
        if activity is None:
            error(
                number,
                "code",
                _("Activity %(code)s is not due in this round, or not one you may report on.")
                % {"code": _text(cells["code"])},
            )
            continue
        if _text(cells["code"]) != activity.code:
            error(
                number,
                "code",
                _("The activity code was changed; it must stay %(code)s.") % {"code": activity.code},
            )
            continue
        if activity.pk in seen:
            error(
                number,
                "code",
                _("Activity %(code)s is already in row %(row)s; keep one row per activity.")
                % {"code": activity.code, "row": seen[activity.pk]},
            )
            continue
        seen[activity.pk] = number
        row.activity = activity
        entry = entries.get(activity.pk)
        if _as_downloaded(cells, statuses, confidences, restricted) == identity.get("h") and (
            entry.pk if entry else None
        ) == identity.get("e"):
            # Left as downloaded (even a row with no status yet): nothing to check, nothing to do.
            row.kind, row.entry = "unchanged", entry
            plan.rows.append(row)
            continue
        values, ok = {}, True
        status = _text(cells["status"])
        if not status:
            error(number, "status", _("Choose a status."))
            ok = False
        elif status.casefold() not in statuses:
            error(
                number,
                "status",
                _("“%(value)s” is not a status; choose one from the list.") % {"value": status[:80]},
            )
            ok = False
        else:
            values["status"] = statuses[status.casefold()]
        confidence = _text(cells["confidence"])
        if confidence and confidence.casefold() not in confidences:
            error(
                number,
                "confidence",
                _("“%(value)s” is not a confidence; choose one from the list.") % {"value": confidence[:80]},
            )
            ok = False
        else:
            values["confidence"] = confidences.get(confidence.casefold(), ProgressEntry.Confidence.EXPERT)
        date = cells["reporting_date"]
        if isinstance(date, datetime.datetime):
            values["reporting_date"] = date.date()
        elif isinstance(date, datetime.date):
            values["reporting_date"] = date
        else:
            try:
                values["reporting_date"] = datetime.date.fromisoformat(_text(date))
            except ValueError:
                message = (
                    _("Write the reporting date.")
                    if not _text(date)
                    else _("“%(value)s” is not a date; write it as year-month-day, e.g. 2025-05-01.")
                    % {"value": _text(date)[:40]}
                )
                error(number, "reporting_date", message)
                ok = False
        amount = cells["amount_spent_usd"]
        if amount in (None, ""):
            values["amount_spent_usd"] = None
        else:
            try:
                number_value = Decimal(_text(amount).replace(",", "")).quantize(Decimal("0.01"))
                if number_value < 0 or number_value >= Decimal(10) ** 12 or not number_value.is_finite():
                    raise InvalidOperation
                values["amount_spent_usd"] = number_value
            except (InvalidOperation, ValueError):
                error(
                    number,
                    "amount_spent_usd",
                    _(
                        "“%(value)s” is not an amount; write a number of US dollars without separators, e.g. 12500."
                    )
                    % {"value": _text(amount)[:40]},
                )
                ok = False
        for name in TEXT_FIELDS:
            if name not in keys:
                continue
            # OOXML writes a control character as _xHHHH_ (Excel reads it back as the character).
            text = "" if cells[name] is None else unescape(str(cells[name])).strip()
            limit = ProgressEntry._meta.get_field(name).max_length or CELL_MAX_CHARS
            match = CONTROL_CHARACTERS.search(text)
            if match:
                error(
                    number,
                    name,
                    _(
                        "This text contains an invisible control character (code %(code)s) at position %(position)s. Remove it and upload again."
                    )
                    % {"code": f"U+{ord(match.group()):04X}", "position": match.start() + 1},
                )
                ok = False
            elif len(text) > limit:
                error(
                    number,
                    name,
                    _("This text is %(length)s characters long; at most %(limit)s fit.")
                    % {"length": len(text), "limit": limit},
                )
                ok = False
            values[name] = text
        if not ok:
            continue
        if not restricted:
            # Not in the sheet: a draft keeps its own; a new entry has none.
            values["restricted_details"] = entry.restricted_details if entry else ""
        row.values = normal(values)
        row.entry, row.version = entry, entry.version if entry else 0
        if entry is not None and entry.review_state not in (RS.DRAFT, RS.RETURNED):
            row.kind = "locked"
        elif (entry.pk if entry else None) != identity.get("e") or row.version != identity.get("v"):
            row.kind = "conflict"
            row.current = normal(entry_values(entry)) if entry else {}
        elif entry is not None:
            old = normal(entry_values(entry))
            if old == row.values:
                row.kind = "unchanged"
            else:
                row.kind = "update"
        else:
            old = {}
            row.kind = "create"
        if row.kind in ("create", "update", "conflict"):
            before = row.current if row.kind == "conflict" else old
            display = {
                "status": lambda v: str(status_labels.get(v, v)),
                "confidence": lambda v: str(confidence_labels.get(v, v)),
            }
            for name in FIELDS:
                if name == "restricted_details" and not restricted:
                    continue
                was, now = before.get(name, ""), row.values[name]
                if was != now:
                    show = display.get(name, str)
                    row.changes.append((names[name], show(was) if was else "", show(now) if now else ""))
        plan.rows.append(row)
    return plan
