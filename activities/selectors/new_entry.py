"""The values a new progress entry starts from: the Range States the user may report for, and what the
latest approved entry says."""

from django.utils import timezone

from .. import permissions
from ..models import (
    ProgressEntry,
    RangeState,
)
from ..permissions import Action


def creatable_states(user, activity):
    """The strategy's Range States for which the user may create an entry on this activity."""
    states = RangeState.objects.filter(strategies=activity.strategy_id).order_by("name")
    reportable = permissions.reportable_state_ids(user)
    if reportable is None:
        return states
    ids = [
        state.pk
        for state in states.filter(pk__in=reportable)
        if permissions.allowed(user, Action.CREATE, ProgressEntry(activity=activity, range_state=state))
    ]
    return states.filter(pk__in=ids)


# What a new entry copies from the latest approved one, so a reporter changes only what has changed.
PREFILLED_FIELDS = ("status", "narrative", "source", "confidence", "restricted_details", "amount_spent_usd")


def initial_from_approved(activity, range_state) -> tuple[dict, ProgressEntry | None]:
    """Pre-fill a new entry from that state's latest approved entry for the activity, if any; return the
    initial values and the entry they came from."""
    initial = {"reporting_date": timezone.localdate(), "range_state": range_state}
    latest = ProgressEntry.objects.latest_approved(activity=activity, range_state=range_state)
    if latest is not None:
        for name in PREFILLED_FIELDS:
            initial[name] = getattr(latest, name)
    return initial, latest


def new_entry_initial(user, activity, *, range_state_code: str = "") -> tuple[dict, ProgressEntry | None]:
    """The values a new entry's form starts with: the Range State asked for (or the user's only one),
    what its latest approved entry says, and the strategy's open round with the nearest deadline."""
    choices = creatable_states(user, activity)
    wanted = range_state_code.upper()
    state = choices.filter(iso_code=wanted).first() if wanted else None
    if state is None and not permissions.is_secretariat(user):
        state = choices.first() if choices.count() == 1 else None
    initial, prefilled_from = initial_from_approved(activity, state)
    open_rounds = activity.strategy.reporting_rounds.open()
    return initial | {"reporting_round": open_rounds.order_by("deadline").first()}, prefilled_from
