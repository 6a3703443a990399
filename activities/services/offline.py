"""Offline reporting by spreadsheet, the write: apply what a previewed upload showed (activities.
offline_sheet.plan_upload), all or nothing, each row as a draft of the round through the entries'
services (with their permission checks, history and contributors)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Activity, ProgressEntry, RangeState
from ..offline_sheet import python_values, round_entries
from .entries import progress_entry_create, progress_entry_update

RS = ProgressEntry.ReviewState


class PreviewOutdated(Exception):
    """Something the preview showed changed before it was confirmed; nothing was saved."""


@transaction.atomic
def offline_sheet_apply(*, user, reporting_round, range_state, actions: list[dict]) -> list[ProgressEntry]:
    """Create or update, as drafts of the round, the entries of a confirmed preview (`actions`:
    Plan.stored()). Refuses (PreviewOutdated) if any entry changed, appeared or left since the
    preview; then nothing is saved. Returns the entries written."""
    # Two uploads for one state confirmed at once queue on the state's row: the second then sees the
    # first one's entries and is refused, instead of both creating a draft for the same activity.
    RangeState.objects.select_for_update().filter(pk=range_state.pk).first()
    ids = [action["activity"] for action in actions]
    now = round_entries(reporting_round, range_state, ids)
    activities = Activity.objects.select_related("strategy", "result").in_bulk(ids)
    outdated = _(
        "Entries of this sheet changed in the app after the preview: nothing was saved. Upload the "
        "sheet again to see the changes."
    )
    written = []
    for action in actions:
        entry = now.get(action["activity"])
        if (entry.pk if entry else None) != action["entry"] or (entry.version if entry else 0) != action[
            "version"
        ]:
            raise PreviewOutdated(outdated)
        if entry is not None and entry.review_state not in (RS.DRAFT, RS.RETURNED):
            raise PreviewOutdated(outdated)
        values = python_values(action["values"])
        try:
            if entry is None:
                written.append(
                    progress_entry_create(
                        user=user,
                        activity=activities[action["activity"]],
                        range_state=range_state,
                        reporting_round=reporting_round,
                        **values,
                    )
                )
            else:
                changes = {name: value for name, value in values.items() if getattr(entry, name) != value}
                written.append(
                    progress_entry_update(user=user, entry=entry, expected_version=entry.version, **changes)
                )
        except ValidationError as exc:
            raise ValidationError(
                _("Row %(row)s: %(message)s") % {"row": action["row"], "message": " ".join(exc.messages)}
            ) from exc
    return written
