"""What a signed-in user's home page lists: for the Secretariat what awaits review, for focal points and
delegates the open rounds' rates, a due list, their delegations and their entries not yet approved."""

from django.db.models import Count

from .. import permissions
from ..models import (
    Delegation,
    ProgressEntry,
    RangeState,
    ReportingRound,
)
from .due import due_list, due_overview
from .rates import REPORTING_RATE_RULE

RS = ProgressEntry.ReviewState
PENDING = (RS.DRAFT, RS.SUBMITTED, RS.RETURNED)


def pending_entries_on(activity, user):
    """The activity's entries not yet approved that `user` may see, with their Range States."""
    pending = activity.progress_entries.pending()
    return permissions.visible_entries(user, pending).select_related("range_state")


def secretariat_home() -> dict:
    """The Secretariat's starting point: how much awaits review, and the open rounds."""
    return {
        "awaiting_review": ProgressEntry.objects.submitted().count(),
        "open_rounds": ReportingRound.objects.open().select_related("strategy"),
    }


# How many of each list of pending entries the home page shows (the newest); it says how many there are.
HOME_LIST_LIMIT = 10


def pending_entries_by_state(user) -> dict:
    """The user's entries not yet approved, per review state: the newest HOME_LIST_LIMIT of each as
    `<state>_entries`, and how many there are as `<state>_count`. Four queries, however many there are."""
    mine = permissions.visible_entries(
        user,
        ProgressEntry.objects.pending().filter(range_state_id__in=permissions.reportable_state_ids(user)),
    )
    counts = dict(mine.values_list("review_state").annotate(n=Count("pk")).order_by())
    context = {}
    for state in PENDING:
        context[f"{state}_count"] = counts.get(state, 0)
        context[f"{state}_entries"] = (
            list(
                mine.filter(review_state=state)
                .select_related("activity__strategy", "range_state")
                .order_by("-updated_at")[:HOME_LIST_LIMIT]
            )
            if counts.get(state)
            else []
        )
    return context


def reporter_home(user, query=None) -> dict:
    """A focal point's or delegate's starting point: their states, each open round's reporting rate for
    each of them, the due list of one round and state (chosen, and filtered, by the GET parameters in
    `query`), what was delegated to them, and their entries not yet approved by review state."""
    from ..forms import DueListFilter  # forms import this module

    state_ids = permissions.focal_state_ids(user)
    states = list(RangeState.objects.filter(pk__in=state_ids).order_by("name")) if state_ids else []
    overview = due_overview(states) if states else []
    due_filter = DueListFilter(query or {}, rates=overview)
    selected = due_filter.selected_rate()
    context = {
        "focal_states": states,
        "link_state_id": permissions.link_scope_state_id(user),
        "overview": overview,
        "due_filter": due_filter,
        "due": due_list(selected, **due_filter.narrowing()) if selected else None,
        "delegations": Delegation.objects.active()
        .filter(delegate=user, pk__in=[d.pk for d in permissions.delegations(user)])
        .select_related("range_state", "activity__strategy", "objective__strategy", "granted_by"),
        "home_list_limit": HOME_LIST_LIMIT,
        "reporting_rate_rule": REPORTING_RATE_RULE,
    }
    return context | pending_entries_by_state(user)


def delegations_managed_by(user):
    """The active delegations `user` may see and revoke: all for the Secretariat, else their states'."""
    active = Delegation.objects.active().select_related(
        "delegate", "range_state", "activity__strategy", "objective__strategy", "granted_by"
    )
    if not permissions.is_secretariat(user):
        active = active.filter(range_state_id__in=permissions.focal_state_ids(user))
    return active
