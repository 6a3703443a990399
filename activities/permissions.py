"""Who may do what: the one place that decides.

Every view, form, admin page, API endpoint and service asks `decide()` (or its wrappers `allowed()` and
`require()`), or narrows a queryset with `visible_entries()`; nothing else in the code decides. A
`Decision` is falsy when the answer is no, and then carries the reason, in words for the person who
tried (it reveals nothing they may not see). The rules, by role:

- Secretariat staff (superusers, or members of the "Secretariat" group): see everything, log progress
  for any Range State or range-wide, review submissions — but never one they reported, submitted or
  whose content they changed — and delete entries that are not approved. Only they open, change,
  close and reopen reporting rounds, send and withdraw reporting links, issue API tokens and take
  meeting snapshots. Only superusers manage accounts, groups and focal-point assignments (the
  Secretariat group's admin permissions, activities/roles.py).
- National focal points (a FocalPoint row per Range State): see, create, edit and submit entries only
  for their own Range States, and only on strategies those states belong to; they grant and revoke
  delegations in their own states. A focal point who signed in through a reporting link acts for that
  link's one Range State only.
- Delegates (a Delegation from a focal point, for one activity or objective in one Range State): see,
  create and edit drafts within that scope; they cannot submit.
- Everyone, signed in or not: sees approved entries only, without their restricted details or files,
  and each national report's status, dates and completeness (x of y activities reported), never its
  texts nor its private discussion (REPORT_CONTENT: the Secretariat's and the state's focal points').
- Entries of a closed reporting round are locked: nobody creates, edits, submits or reviews them.

Separation of duties: an entry records its contributors (services add them): who reported it, who
changed its reported content (services.EDITABLE_FIELDS, evidence added or removed) and who submitted
it — at any time, not only since the last submission, because a change may survive a return and a
resubmission unnoticed. Someone who acts through a credential another person issued (a reporting link,
an API token) acts with the issuer's hand on it: the issuer is recorded as a contributor too, so that
the Secretariat cannot sign in as a focal point with a link it made, submit, and approve. No
contributor approves or returns the entry. Review comments are not content.

Plain functions rather than a rules library: the rules depend on the entry's workflow state and on
three kinds of assignment, and reading them top to bottom here is clearer than spreading predicates
across a registry. What a user is assigned is read once per request and cached on the user object.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from .models import Delegation, FocalPoint, NationalReport, ProgressEntry
from .names import range_state_name

SECRETARIAT_GROUP = "Secretariat"
FOCAL_POINTS_GROUP = "Focal points"

DRAFT, SUBMITTED, RETURNED, APPROVED = (
    ProgressEntry.ReviewState.DRAFT,
    ProgressEntry.ReviewState.SUBMITTED,
    ProgressEntry.ReviewState.RETURNED,
    ProgressEntry.ReviewState.APPROVED,
)


class Action(StrEnum):
    # on a progress entry (the target is the entry; for CREATE, an unsaved one)
    VIEW = "view"
    VIEW_RESTRICTED = "view_restricted"
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    REVIEW = "review"  # approve or return
    DELETE = "delete_entry"
    # on delegations (the target: none for the delegations page, the Range State to grant in, or the
    # Delegation to revoke)
    DELEGATIONS_MANAGE = "delegations_manage"
    DELEGATION_GRANT = "delegation_grant"
    DELEGATION_REVOKE = "delegation_revoke"
    # the Secretariat's tasks (no target)
    ROUND_OPEN = "round_open"
    ROUND_CLOSE = "round_close"
    ROUND_REOPEN = "round_reopen"
    ROUND_CHANGE = "round_change"
    LINK_SEND = "link_send"
    LINK_WITHDRAW = "link_withdraw"
    SNAPSHOT_TAKE = "snapshot_take"
    SNAPSHOT_ANNOTATE = "snapshot_annotate"
    REPORT_REMIND = "report_remind"  # remind Range States of their national reports (a round's overview)
    STRATEGY_IMPORT = "strategy_import"  # a logframe from a spreadsheet (preview and confirm)
    # API tokens (the target: the account the token would belong to)
    TOKEN_ISSUE = "token_issue"
    # on a national report (the target is the report; before it is started, an unsaved one)
    REPORT_VIEW = "report_view"
    REPORT_EDIT = "report_edit"
    REPORT_SUBMIT = "report_submit"
    REPORT_REVIEW = "report_review"  # accept or return
    REPORT_COMMENT = "report_comment"  # write in the report's private discussion
    # read a report's cover, sections, return comments and private discussion anywhere else than its
    # page (the API). Its status, dates and completeness are public: anybody reads them, signed in or not.
    REPORT_CONTENT = "report_content"
    # a finished background export (the target: the job, with `requested_by_id` and `rights`)
    EXPORT_DOWNLOAD = "export_download"


ENTRY_ACTIONS = frozenset(
    {
        Action.VIEW,
        Action.VIEW_RESTRICTED,
        Action.CREATE,
        Action.EDIT,
        Action.SUBMIT,
        Action.REVIEW,
        Action.DELETE,
    }
)

REPORT_ACTIONS = frozenset(
    {
        Action.REPORT_VIEW,
        Action.REPORT_EDIT,
        Action.REPORT_SUBMIT,
        Action.REPORT_REVIEW,
        Action.REPORT_COMMENT,
        Action.REPORT_CONTENT,
    }
)

# The Secretariat's tasks, each with the refusal anyone else is given (whole sentences, for translators).
SECRETARIAT_TASKS = {
    Action.ROUND_OPEN: gettext_lazy("Only the Secretariat may open a reporting round."),
    Action.ROUND_CLOSE: gettext_lazy("Only the Secretariat may close a reporting round."),
    Action.ROUND_REOPEN: gettext_lazy("Only the Secretariat may reopen a reporting round."),
    Action.ROUND_CHANGE: gettext_lazy("Only the Secretariat may change a reporting round."),
    Action.LINK_SEND: gettext_lazy("Only the Secretariat may send reporting links."),
    Action.LINK_WITHDRAW: gettext_lazy("Only the Secretariat may withdraw reporting links."),
    Action.SNAPSHOT_TAKE: gettext_lazy("Only the Secretariat may take meeting snapshots."),
    Action.SNAPSHOT_ANNOTATE: gettext_lazy("Only the Secretariat may change the note of a meeting snapshot."),
    Action.REPORT_REMIND: gettext_lazy(
        "Only the Secretariat may remind Range States of their national reports."
    ),
    Action.STRATEGY_IMPORT: gettext_lazy("Only the Secretariat may import a strategy from a spreadsheet."),
}


@dataclass(frozen=True)
class Decision:
    """The answer to "may this user do this?": falsy when not, with the reason why."""

    allowed: bool
    reason: str = ""  # or a lazily translated string

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def deny(reason: str) -> Decision:
    return Decision(False, reason)


# --- who the user is -----------------------------------------------------------------------------


def is_secretariat(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_is_secretariat"):
        user._is_secretariat = user.groups.filter(name=SECRETARIAT_GROUP).exists()
    return user._is_secretariat


def may_enrol_two_factor(user) -> bool:
    """Two-factor sign-in is for the accounts that review, approve and manage: the Secretariat and
    admin (staff) accounts."""
    return bool(user and user.is_authenticated and (user.is_staff or is_secretariat(user)))


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
        user._delegations = tuple(Delegation.objects.active().filter(delegate=user))
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


def credential_issuer_id(user) -> int | None:
    """Who issued the credential the user acts with: the Secretariat member who made the reporting link
    they signed in with, or who issued their API token (set by the middleware and the token
    authentication); None for a password sign-in."""
    return getattr(user, "credential_issuer_id", None)


def acting_user_ids(user) -> set[int]:
    """Whose hand is on what `user` does now: the user, and the issuer of the credential they act with."""
    issuer = credential_issuer_id(user)
    return {user.pk} | ({issuer} if issuer else set())


def is_staff_account(user) -> bool:
    """Staff, superuser or Secretariat: an account a credential must never let someone else act as."""
    return user.is_staff or user.is_superuser or is_secretariat(user)


def _contributed(user, entry) -> bool:
    """Did `user` report, change or submit the entry, or issue the credential someone did it with?"""
    if entry.pk is None:
        return False
    # .all() reads the prefetched contributors when the caller prefetched them (the review queue).
    return any(contributor.pk == user.pk for contributor in entry.contributors.all())


def _took_part(user, obj, author_id) -> str | None:
    """Separation of duties, for entries and national reports alike: "own" when `user` wrote (`author_id`)
    or submitted `obj`, "content" when they changed its content or issued the credential someone did
    it with (its contributors); None when they took no part and may review it."""
    if user.pk in (author_id, obj.submitted_by_id):
        return "own"
    if _contributed(user, obj):
        return "content"
    return None


def _where(entry) -> str:
    """What an entry reports on, for a refusal (read only when refusing: it may cost a query)."""
    if entry.range_state_id:
        return range_state_name(entry.range_state)
    return pgettext("what an entry reports on, in a refusal", "range-wide progress")


# --- the rules -----------------------------------------------------------------------------------


def decide(user, action: Action, target=None) -> Decision:
    """May `user` do `action` (to `target`)? See Action for the target each action takes."""
    action = Action(action)
    if action in ENTRY_ACTIONS:
        return _decide_on_entry(user, action, target)
    if action in SECRETARIAT_TASKS:
        if is_secretariat(user):
            return ALLOWED
        return deny(SECRETARIAT_TASKS[action])
    if action == Action.TOKEN_ISSUE:
        return _decide_token(user, target)
    if action in REPORT_ACTIONS:
        return _decide_on_report(user, action, target)
    if action == Action.EXPORT_DOWNLOAD:
        return _decide_export_download(user, target)
    # Delegation: the Secretariat anywhere, a focal point in their own Range States.
    if is_secretariat(user):
        return ALLOWED
    if action == Action.DELEGATIONS_MANAGE:
        if focal_state_ids(user):
            return ALLOWED
        return deny(_("Only national focal points (and the Secretariat) delegate reporting."))
    if action == Action.DELEGATION_GRANT:
        if target.pk in focal_state_ids(user):
            return ALLOWED
        return deny(
            # Translators: %(state)s is a Range State's name, in the nominative; rephrase as needed.
            _("Only %(state)s's focal point or the Secretariat may delegate its reporting.")
            % {"state": range_state_name(target)}
        )
    if action == Action.DELEGATION_REVOKE:
        if target.range_state_id in focal_state_ids(user):
            return ALLOWED
        return deny(_("Only the Range State's focal point or the Secretariat may revoke a delegation."))
    raise ValueError(f"unknown action {action!r}")


def _decide_token(user, owner) -> Decision:
    """A token acts as its owner, and whoever issues one sees its key: a staff member who could issue a
    token for a superuser or a colleague could act as them. Superusers issue tokens for anyone; the
    Secretariat for itself and for accounts without staff rights (partners, national systems)."""
    if not is_secretariat(user):
        return deny(_("Only the Secretariat issues API tokens."))
    if user.is_superuser or owner.pk == user.pk or not is_staff_account(owner):
        return ALLOWED
    return deny(
        _(
            "Only a superuser issues an API token for another staff or Secretariat account: "
            "a token acts as its owner."
        )
    )


def export_rights(user) -> dict:
    """What a user may see beyond the public, as plain JSON: recorded on a background export when it is
    made with their rights, and compared at download (`_decide_export_download`)."""
    return {
        "secretariat": is_secretariat(user),
        "states": sorted(focal_state_ids(user)),
        "delegations": sorted(
            [d.range_state_id, d.activity_id or 0, d.objective_id or 0] for d in delegations(user)
        ),
    }


def _decide_export_download(user, job) -> Decision:
    """A background export's file is for the person who asked for it, nobody else (not even a superuser:
    it is their view of the data, and anyone with the rights makes their own). It was made with their
    rights when it ran (`job.rights`): it is handed over only while they still have every one of them, so
    that a focal point whose delegation was withdrawn cannot fetch the drafts and restricted details it
    let them see."""
    if not (user and user.is_authenticated and user.is_active) or job.requested_by_id != user.pk:
        return deny(_("This export is not yours."))
    made_with = job.rights or {}
    now = export_rights(user)
    still_covered = now["secretariat"] or (
        not made_with.get("secretariat")
        and set(made_with.get("states", ())) <= set(now["states"])
        and {tuple(d) for d in made_with.get("delegations", ())} <= {tuple(d) for d in now["delegations"]}
    )
    if still_covered:
        return ALLOWED
    return deny(
        _(
            "Your access has changed since this export was made, so it may hold what you can no longer "
            "see. Ask for the export again."
        )
    )


def _decide_on_entry(user, action: Action, entry: ProgressEntry) -> Decision:
    if not (user and user.is_authenticated):
        # Visitors who are not signed in see approved entries, and do nothing else.
        if action == Action.VIEW and entry.review_state == APPROVED:
            return ALLOWED
        return deny(_("Sign in to do this."))
    state_id = entry.range_state_id
    secretariat = is_secretariat(user)
    focal = state_id is not None and state_id in focal_state_ids(user)
    delegate = state_id is not None and not focal and _delegated(user, entry.activity, state_id)

    if action in (Action.VIEW, Action.VIEW_RESTRICTED):
        if secretariat or focal or delegate or (action == Action.VIEW and entry.review_state == APPROVED):
            return ALLOWED
        return deny(_("You may not see this progress entry."))
    if action == Action.DELETE:
        # Deleting an approved entry would silently change reported statuses; report newer progress.
        if not secretariat:
            return deny(_("Only the Secretariat deletes progress entries."))
        if entry.review_state == APPROVED:
            return deny(_("Approved entries are never deleted; report newer progress as a new entry."))
        return ALLOWED
    if entry.is_locked:
        # Nothing new goes into a closed reporting round, and its entries no longer change.
        return deny(
            _("The reporting round “%(round)s” is closed: its entries are locked.")
            % {"round": entry.reporting_round.name}
        )

    if action == Action.CREATE:
        if state_id is None and not secretariat:
            return deny(_("Only the Secretariat reports range-wide progress."))
        if not (secretariat or focal or delegate):
            return deny(_("You may not report for %(where)s.") % {"where": _where(entry)})
        if state_id is not None and not _in_strategy(entry.activity, state_id):
            return deny(
                _("%(state)s is not a Range State of %(strategy)s.")
                % {"state": _where(entry), "strategy": entry.activity.strategy}
            )
        return ALLOWED
    if action == Action.EDIT:
        if entry.review_state == APPROVED and not secretariat:
            # The Secretariat corrects it with a reason, kept in the history (services.progress_entry_update).
            return deny(
                _("Only the Secretariat corrects approved entries; report newer progress as a new entry.")
            )
        if entry.review_state == SUBMITTED and not secretariat:
            # Under review: the reviewer may correct it, the reporter waits.
            return deny(
                _("This entry is awaiting review; it can be changed again if the Secretariat returns it.")
            )
        if not (secretariat or focal or delegate):
            return deny(_("You may not change progress entries for %(where)s.") % {"where": _where(entry)})
        return ALLOWED
    if action == Action.SUBMIT:
        if entry.review_state not in (DRAFT, RETURNED):
            state = entry.get_review_state_display().lower()
            return deny(
                _("Only drafts and returned entries can be submitted; this one is %(state)s.")
                % {"state": state}
            )
        if secretariat or focal:
            return ALLOWED
        if any(d.range_state_id == state_id for d in delegations(user)):
            return deny(_("Delegates prepare drafts; the focal point submits them."))
        return deny(_("You may not submit progress entries for %(where)s.") % {"where": _where(entry)})
    # REVIEW: approve or return.
    if not secretariat:
        return deny(_("Only the Secretariat approves or returns entries."))
    if entry.review_state != SUBMITTED:
        state = entry.get_review_state_display().lower()
        return deny(_("Only submitted entries can be reviewed; this one is %(state)s.") % {"state": state})
    part = _took_part(user, entry, entry.reported_by_id)
    if part == "own":
        # Separation of duties.
        return deny(_("Nobody approves or returns an entry they reported or submitted themselves."))
    if part == "content":
        # Separation of duties covers the content, and the credentials the user issued (see above).
        return deny(
            _(
                "Nobody approves or returns an entry whose reported content they changed, or that was "
                "reported, changed or submitted with a reporting link or API token they issued."
            )
        )
    return ALLOWED


def _decide_on_report(user, action: Action, report) -> Decision:
    """National reports follow the entries' rules: the state's focal points and the Secretariat prepare
    and submit it, delegates in the state help prepare it but do not submit, and the Secretariat accepts
    or returns it — never one it wrote, changed or submitted (separation of duties, as for entries)."""
    states = NationalReport.Status
    if not (user and user.is_authenticated and user.is_active):
        return deny(_("Sign in to do this."))
    state_id = report.range_state_id
    secretariat = is_secretariat(user)
    focal = state_id in focal_state_ids(user)
    delegate = not focal and any(d.range_state_id == state_id for d in delegations(user))
    if not (secretariat or focal or delegate):
        return deny(
            _("You may not see the national reports of %(state)s.")
            % {"state": range_state_name(report.range_state)}
        )
    if action == Action.REPORT_VIEW:
        return ALLOWED
    if action == Action.REPORT_CONTENT:
        # In the API, the texts and the discussion are the Secretariat's and the state's own focal
        # points': a delegate drafts one activity or objective, not the report (they read it on its page).
        if secretariat or focal:
            return ALLOWED
        return deny(
            _("Only the Secretariat and %(state)s's focal points read its national reports' texts here.")
            % {"state": range_state_name(report.range_state)}
        )
    if action == Action.REPORT_COMMENT:
        # Whoever sees the report discusses it, also after its round closes (the discussion is private).
        if report.pk is None:
            return deny(_("Start the national report before you comment on it."))
        return ALLOWED
    if report.reporting_round.is_closed:
        return deny(
            _("The reporting round “%(round)s” is closed: its national reports are locked.")
            % {"round": report.reporting_round.name}
        )
    if action == Action.REPORT_EDIT:
        if report.status in (states.SUBMITTED, states.ACCEPTED):
            return deny(
                _(
                    "This national report is %(status)s; it can be changed again if the Secretariat returns it."
                )
                % {"status": report.get_status_display().lower()}
            )
        return ALLOWED
    if action == Action.REPORT_SUBMIT:
        if report.pk is None or report.status not in (states.IN_PREPARATION, states.RETURNED):
            return deny(_("Only a national report in preparation or returned can be submitted."))
        if secretariat or focal:
            return ALLOWED
        return deny(_("Delegates help prepare the national report; the focal point submits it."))
    # REPORT_REVIEW: accept or return.
    if not secretariat:
        return deny(_("Only the Secretariat accepts or returns national reports."))
    if report.status != states.SUBMITTED:
        return deny(_("Only a submitted national report can be accepted or returned."))
    if _took_part(user, report, report.created_by_id):
        return deny(
            _(
                "Nobody accepts or returns a national report they wrote, changed or submitted, or that was "
                "prepared with a reporting link or API token they issued."
            )
        )
    return ALLOWED


def allowed(user, action: Action, target=None) -> bool:
    """`decide()` as a plain yes or no."""
    return decide(user, action, target).allowed


def require(user, action: Action, target=None) -> None:
    """Raise PermissionDenied, saying why, unless `user` may do `action`."""
    decision = decide(user, action, target)
    if not decision:
        raise PermissionDenied(decision.reason)


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


def view_scope(user) -> str:
    """What decides which entries and restricted details `user` may see, as a short string: two users
    with the same scope see the same answers (visible_entries and VIEW_RESTRICTED read only this), so a
    cached answer or ETag keyed by it is never served to someone who may see more or less."""
    if is_secretariat(user):
        return "secretariat"
    states = sorted(focal_state_ids(user))
    delegated = sorted((d.range_state_id, d.activity_id or 0, d.objective_id or 0) for d in delegations(user))
    if not states and not delegated:
        return "public"  # visitors, partners and everyone else with no rights: approved entries only
    return f"states={states};delegations={delegated}"


def may_see_some_restricted(user) -> bool:
    """Could `user` see the restricted details of any entry (allowed(VIEW_RESTRICTED) for some entry)?
    An export that streams its rows decides its columns by this before reading them."""
    return is_secretariat(user) or bool(focal_state_ids(user)) or bool(delegations(user))


def reportable_state_ids(user) -> frozenset[int] | None:
    """The Range States the user may report for; None means all of them (the Secretariat)."""
    if is_secretariat(user):
        return None
    return focal_state_ids(user) | {d.range_state_id for d in delegations(user)}


def reportable_activities(user, range_state, queryset):
    """Narrow an Activity queryset to those `user` may report on in `range_state` (the CREATE rule's
    who, in SQL: the Secretariat and the state's focal points, every activity; a delegate, the activity
    or objective delegated to them in that state). Whether the state implements the strategy and the
    round is open, the caller asks decide() once."""
    if is_secretariat(user) or range_state.pk in focal_state_ids(user):
        return queryset
    scope = Q(pk__in=[])
    for d in delegations(user):
        if d.range_state_id == range_state.pk:
            scope |= Q(pk=d.activity_id) if d.activity_id else Q(result__objective_id=d.objective_id)
    return queryset.filter(scope)
