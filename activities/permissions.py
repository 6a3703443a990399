"""Who may do what to progress entries: the one place that decides.

Every view, form, API endpoint and service asks `allowed()` (or `require()`), or narrows a queryset with
`visible_entries()`; nothing else in the code decides. The rules, by role:

- Secretariat staff (superusers, or members of the "Secretariat" group): see everything, log progress
  for any Range State or range-wide, review submissions — but never their own.
- National focal points (a FocalPoint row per Range State): see, create, edit and submit entries only
  for their own Range States, and only on strategies those states belong to. A focal point who signed in
  through a reporting link acts for that link's one Range State only.
- Delegates (a Delegation from a focal point, for one activity or objective in one Range State): see,
  create and edit drafts within that scope; they cannot submit.
- Everyone, signed in or not: sees approved entries only, without their restricted details or files.

Plain functions rather than a rules library: the rules depend on the entry's workflow state and on
three kinds of assignment, and reading them top to bottom here is clearer than spreading predicates
across a registry. What a user is assigned is read once per request and cached on the user object.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from .models import Delegation, FocalPoint, ProgressEntry

SECRETARIAT_GROUP = "Secretariat"
FOCAL_POINTS_GROUP = "Focal points"

DRAFT, SUBMITTED, RETURNED, APPROVED = (
    ProgressEntry.ReviewState.DRAFT,
    ProgressEntry.ReviewState.SUBMITTED,
    ProgressEntry.ReviewState.RETURNED,
    ProgressEntry.ReviewState.APPROVED,
)


class Action(StrEnum):
    VIEW = "view"
    VIEW_RESTRICTED = "view_restricted"
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    REVIEW = "review"  # approve or return


# --- who the user is -----------------------------------------------------------------------------


def is_secretariat(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_is_secretariat"):
        user._is_secretariat = user.groups.filter(name=SECRETARIAT_GROUP).exists()
    return user._is_secretariat


def link_scope_state_id(user) -> int | None:
    """The Range State a user is limited to because they signed in with a reporting link (set by middleware)."""
    return getattr(user, "reporting_link_state_id", None)


def focal_state_ids(user) -> frozenset[int]:
    """The Range States the user is national focal point for (only the link's, when signed in by link)."""
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    if not hasattr(user, "_focal_state_ids"):
        user._focal_state_ids = frozenset(
            FocalPoint.objects.filter(user=user).values_list("range_state_id", flat=True)
        )
    scope = link_scope_state_id(user)
    return user._focal_state_ids & {scope} if scope else user._focal_state_ids


def delegations(user) -> tuple[Delegation, ...]:
    """The user's active delegations (activity or objective, in one Range State)."""
    if not (user and user.is_authenticated and user.is_active):
        return ()
    if not hasattr(user, "_delegations"):
        user._delegations = tuple(Delegation.objects.filter(delegate=user, revoked_at__isnull=True))
    scope = link_scope_state_id(user)
    return tuple(d for d in user._delegations if not scope or d.range_state_id == scope)


def _delegated(user, activity, range_state_id) -> bool:
    return any(
        d.range_state_id == range_state_id
        and (d.activity_id == activity.pk or d.objective_id == activity.result.objective_id)
        for d in delegations(user)
    )


def _in_strategy(activity, range_state_id) -> bool:
    return activity.strategy.range_states.filter(pk=range_state_id).exists()


# --- the rules -----------------------------------------------------------------------------------


def allowed(user, action: Action, entry: ProgressEntry) -> bool:
    """May `user` do `action` to `entry`? For CREATE, pass an unsaved entry with activity and range_state."""
    action = Action(action)
    state_id = entry.range_state_id
    secretariat = is_secretariat(user)
    focal = state_id is not None and state_id in focal_state_ids(user)
    delegate = state_id is not None and not focal and _delegated(user, entry.activity, state_id)

    if action == Action.VIEW:
        return entry.review_state == APPROVED or secretariat or focal or delegate
    if action == Action.VIEW_RESTRICTED:
        return secretariat or focal or delegate
    if action == Action.CREATE:
        if entry.is_locked:
            return False  # nothing new goes into a closed reporting round
        if secretariat:
            return state_id is None or _in_strategy(entry.activity, state_id)
        return (focal or delegate) and _in_strategy(entry.activity, state_id)
    if entry.is_locked:
        return False  # the entry's reporting round is closed
    if action == Action.EDIT:
        if entry.review_state == APPROVED:
            return secretariat  # with a reason, kept in the history (services.progress_entry_update)
        if entry.review_state == SUBMITTED:
            return secretariat  # under review: the reviewer may correct it, the reporter waits
        return secretariat or focal or delegate
    if action == Action.SUBMIT:
        return entry.review_state in (DRAFT, RETURNED) and (secretariat or focal)
    if action == Action.REVIEW:
        # Separation of duties: nobody approves or returns an entry they reported or submitted.
        own = user.pk in (entry.reported_by_id, entry.submitted_by_id)
        return entry.review_state == SUBMITTED and secretariat and not own
    raise ValueError(f"unknown action {action!r}")


def require(user, action: Action, entry: ProgressEntry) -> None:
    """Raise PermissionDenied, saying why, unless `allowed(user, action, entry)`."""
    if not allowed(user, action, entry):
        raise PermissionDenied(explain_denial(user, action, entry))


def explain_denial(user, action: Action, entry: ProgressEntry) -> str:
    """Why `allowed()` said no, in words for the person who tried (it reveals nothing they may not see)."""
    action = Action(action)
    if not (user and user.is_authenticated):
        return "Sign in to do this."
    where = entry.range_state.name if entry.range_state_id else "range-wide progress"
    if action in (Action.VIEW, Action.VIEW_RESTRICTED):
        return "You may not see this progress entry."
    if entry.is_locked:
        return f"The reporting round “{entry.reporting_round.name}” is closed: its entries are locked."
    if action == Action.CREATE:
        if entry.range_state_id is None:
            return "Only the Secretariat reports range-wide progress."
        if entry.range_state_id in (reportable_state_ids(user) or ()) or is_secretariat(user):
            return f"{where} is not a Range State of {entry.activity.strategy}."
        return f"You may not report for {where}."
    if action == Action.EDIT:
        if entry.review_state == APPROVED:
            return "Only the Secretariat corrects approved entries; report newer progress as a new entry."
        if entry.review_state == SUBMITTED:
            return "This entry is awaiting review; it can be changed again if the Secretariat returns it."
        return f"You may not change progress entries for {where}."
    if action == Action.SUBMIT:
        if entry.review_state not in (DRAFT, RETURNED):
            return f"Only drafts and returned entries can be submitted; this one is {entry.get_review_state_display().lower()}."
        if any(d.range_state_id == entry.range_state_id for d in delegations(user)):
            return "Delegates prepare drafts; the focal point submits them."
        return f"You may not submit progress entries for {where}."
    if action == Action.REVIEW:
        if not is_secretariat(user):
            return "Only the Secretariat approves or returns entries."
        if entry.review_state != SUBMITTED:
            return f"Only submitted entries can be reviewed; this one is {entry.get_review_state_display().lower()}."
        return "Nobody approves or returns an entry they reported or submitted themselves."
    return "You may not do this."


def visible_entries(user, queryset=None):
    """Narrow a ProgressEntry queryset to what `user` may VIEW (the same rule as allowed(VIEW), in SQL)."""
    queryset = ProgressEntry.objects.all() if queryset is None else queryset
    if is_secretariat(user):
        return queryset
    condition = Q(review_state=APPROVED)
    if states := focal_state_ids(user):
        condition |= Q(range_state_id__in=states)
    for d in delegations(user):
        scope = (
            Q(activity_id=d.activity_id)
            if d.activity_id
            else Q(activity__result__objective_id=d.objective_id)
        )
        condition |= Q(range_state_id=d.range_state_id) & scope
    return queryset.filter(condition)


def reportable_state_ids(user) -> frozenset[int] | None:
    """The Range States the user may report for; None means all of them (the Secretariat)."""
    if is_secretariat(user):
        return None
    return focal_state_ids(user) | {d.range_state_id for d in delegations(user)}
