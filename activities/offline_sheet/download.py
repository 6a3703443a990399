"""The download: the XLSX of a round's due activities, pre-filled, that a reporter fills offline."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..content import localized
from ..exporting import xlsx_bytes, xlsx_value
from ..models import ActivityStateStatus, ProgressEntry
from ..names import range_state_name
from .columns import (
    COLUMNS,
    LOCKED_COLUMNS,
    PREFILLED_APPROVED,
    PREFILLED_DRAFT,
    PREFILLED_LABELS,
    PREFILLED_LOCKED,
    PREFILLED_NONE,
    RS,
    _identity,
    columns,
    entry_values,
    may_see_restricted,
    round_entries,
    sheet_activities,
)


def _choice_labels(choices) -> list[str]:
    return [str(label) for _value, label in choices]


def build_workbook(*, reporting_round, range_state, user) -> bytes:
    """The XLSX a reporter fills offline, in the active language: an instructions sheet, the data sheet
    (one row per due activity, pre-filled) and a hidden sheet of the drop-down lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    activities = list(sheet_activities(reporting_round, range_state, user))
    entries = round_entries(reporting_round, range_state, [a.pk for a in activities])
    approved = {
        row.activity_id: row.entry
        for row in ActivityStateStatus.objects.filter(
            range_state=range_state, activity__in=[a.pk for a in activities]
        ).select_related("entry")
    }
    restricted = bool(activities) and may_see_restricted(user, activities[0], range_state)
    cols = columns(restricted)
    rtl = translation.get_language_bidi()
    today = timezone.localdate()

    book = Workbook()
    data = book.active
    data.title = _("Activities")[:31]
    info = book.create_sheet(_("Instructions")[:31], 0)
    lists = book.create_sheet("Lists")
    lists.sheet_state = "hidden"
    statuses = _choice_labels(ProgressEntry.Status.choices)
    confidences = _choice_labels(ProgressEntry.Confidence.choices)
    for i, label in enumerate(statuses, start=1):
        lists.cell(row=i, column=1, value=label).data_type = "s"
    for i, label in enumerate(confidences, start=1):
        lists.cell(row=i, column=2, value=label).data_type = "s"

    for sheet in (info, data):
        sheet.sheet_view.rightToLeft = rtl
    state = range_state_name(range_state)
    lines = [
        _("Progress report of %(state)s for the reporting round “%(round)s”, downloaded on %(date)s.")
        % {"state": state, "round": reporting_round.name, "date": today.isoformat()},
        _(
            "Fill in the sheet “%(sheet)s” offline, one row per activity, then upload it from the national report's page."
        )
        % {"sheet": data.title},
        _(
            "Choose the status and the confidence from the drop-down lists. Write dates as year-month-day, e.g. 2025-05-01."
        ),
        _(
            "Each row is pre-filled: with your draft of this round if there is one, else with the latest approved entry. The column “%(column)s” says which."
        )
        % {"column": str(COLUMNS[3][1])},
        _(
            "Rows you leave as they are change nothing. Changed rows become drafts of this round; you submit them with the national report."
        ),
        _("Entries already submitted or approved in this round are not changed by an upload."),
        _(
            "If someone changes an entry in the app after you downloaded this file, the upload shows it as a conflict and keeps the app's version: download the sheet again, or leave that row out."
        ),
        _(
            "Do not add, copy or move rows, and do not change the hidden first column: it identifies each row."
        ),
    ]
    if restricted:
        lines.append(
            _("The column “%(column)s” is never public: den sites, camera-trap positions, poaching cases.")
            % {"column": str(COLUMNS[-1][1])}
        )
    info.column_dimensions["A"].width = 110
    for line in lines:
        info.append([xlsx_value(line)])
        info.cell(row=info.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    info.cell(row=1, column=1).font = Font(bold=True)

    data.append([str(header) for _key, header, _width in cols])
    for cell in data[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, (_key, _header, width) in enumerate(cols, start=1):
        data.column_dimensions[get_column_letter(index)].width = width
    data.column_dimensions["A"].hidden = True
    data.freeze_panes = "C2"
    status_labels = dict(ProgressEntry.Status.choices)
    confidence_labels = dict(ProgressEntry.Confidence.choices)
    for activity in activities:
        entry = entries.get(activity.pk)
        if entry is not None:
            source = entry
            kind = PREFILLED_DRAFT if entry.review_state in (RS.DRAFT, RS.RETURNED) else PREFILLED_LOCKED
            values = entry_values(entry)
        elif activity.pk in approved:
            source, kind = approved[activity.pk], PREFILLED_APPROVED
            values = entry_values(source) | {"reporting_date": today}
        else:
            source, kind = None, PREFILLED_NONE
            values = entry_values(None, today=today)
        if not restricted:
            values["restricted_details"] = ""
        cells = {
            "key": _identity(reporting_round, range_state, activity, entry, values),
            "code": activity.code,
            "activity": str(localized(activity, "text")),
            "prefilled": str(PREFILLED_LABELS[kind]),
            "status": str(status_labels.get(values.get("status"), "")),
            "confidence": str(confidence_labels.get(values.get("confidence"), "")),
            "reporting_date": values.get("reporting_date"),
            "narrative": values.get("narrative") or "",
            "source": values.get("source") or "",
            "amount_spent_usd": values.get("amount_spent_usd"),
            "restricted_details": values.get("restricted_details") or "",
        }
        data.append([xlsx_value(cells[key]) for key, _h, _w in cols])
        for (key, _h, _w), cell in zip(cols, data[data.max_row], strict=True):
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if key == "reporting_date":
                cell.number_format = "yyyy-mm-dd"
            if key not in LOCKED_COLUMNS and kind != PREFILLED_LOCKED:
                cell.protection = Protection(locked=False)

    last = max(data.max_row, 2)
    letters = {key: get_column_letter(i) for i, (key, _h, _w) in enumerate(cols, start=1)}
    for key, column, count in (("status", "A", len(statuses)), ("confidence", "B", len(confidences))):
        validation = DataValidation(
            type="list",
            formula1=f"Lists!${column}$1:${column}${count}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=str(dict((c[0], c[1]) for c in COLUMNS)[key]),
            error=_("Choose a value from the list."),
        )
        validation.add(f"{letters[key]}2:{letters[key]}{last}")
        data.add_data_validation(validation)
    date_validation = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="1",
        allow_blank=True,
        showErrorMessage=True,
        error=_("Write a date as year-month-day, e.g. 2025-05-01."),
    )
    date_validation.add(f"{letters['reporting_date']}2:{letters['reporting_date']}{last}")
    data.add_data_validation(date_validation)
    # Protection without a password: it keeps the identity and the activity columns from being changed
    # by mistake; the signed identity, not the protection, is what the upload trusts.
    data.protection.sheet = True
    data.protection.formatRows = False
    data.protection.formatColumns = False
    book.active = book.index(data)
    return xlsx_bytes(book)


def file_name(reporting_round, range_state) -> str:
    return f"progress-{range_state.iso_code.lower()}-round-{reporting_round.pk}.xlsx"
