"""The whole permission matrix of activities.permissions: each role × each action × each review state.

Expected outcomes are written out, one 4-letter string per role and action, for the review states
draft, submitted, returned, approved in that order ("y" allowed, "." refused), so a change of rule shows
up as a one-letter diff. They are never derived from the rules under test.

The world: strategy S with Range States A and B (C is a Range State of no strategy of S). Objective O1
has activities X and Y, objective O2 has activity Z. The entry under test is X in A, reported and
submitted by a focal point of A who is none of the roles.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from activities.models import Delegation, ProgressEntry
from activities.permissions import SECRETARIAT_TASKS, Action, allowed, decide, require, visible_entries
from tests.factories import (
    ActivityFactory,
    DelegationFactory,
    FocalPointFactory,
    ObjectiveFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    ReportingRoundFactory,
    ResultFactory,
    SecretariatUserFactory,
    StaffUserFactory,
    StrategyFactory,
    UserFactory,
)

RS = ProgressEntry.ReviewState
STATES = [RS.DRAFT, RS.SUBMITTED, RS.RETURNED, RS.APPROVED]
ENTRY_ACTIONS = [Action.VIEW, Action.VIEW_RESTRICTED, Action.EDIT, Action.SUBMIT, Action.REVIEW]

NOTHING = {
    Action.VIEW: "...y",  # approved entries are public
    Action.VIEW_RESTRICTED: "....",
    Action.EDIT: "....",
    Action.SUBMIT: "....",
    Action.REVIEW: "....",
}
SECRETARIAT = {
    Action.VIEW: "yyyy",
    Action.VIEW_RESTRICTED: "yyyy",
    Action.EDIT: "yyyy",  # submitted: the reviewer corrects; approved: with a reason
    Action.SUBMIT: "y.y.",
    Action.REVIEW: ".y..",  # someone else's entry only
}
OWN_FOCAL_POINT = {
    Action.VIEW: "yyyy",
    Action.VIEW_RESTRICTED: "yyyy",
    Action.EDIT: "y.y.",
    Action.SUBMIT: "y.y.",
    Action.REVIEW: "....",
}
DELEGATE_IN_SCOPE = {
    Action.VIEW: "yyyy",
    Action.VIEW_RESTRICTED: "yyyy",
    Action.EDIT: "y.y.",
    Action.SUBMIT: "....",  # drafts, never submits
    Action.REVIEW: "....",
}

# For the entry of activity X in Range State A.
EXPECTED = {
    "anonymous": NOTHING,
    "partner": NOTHING,
    "secretariat": SECRETARIAT,
    "superuser": SECRETARIAT,
    "focal_point_own": OWN_FOCAL_POINT,
    "focal_point_other": NOTHING,
    "delegate_activity": DELEGATE_IN_SCOPE,
    "delegate_objective": DELEGATE_IN_SCOPE,
    "delegate_other_activity": NOTHING,
    "delegate_other_state": NOTHING,
    "delegate_revoked": NOTHING,
    "link_for_own_state": OWN_FOCAL_POINT,
    "link_for_other_state": NOTHING,
    "inactive_focal_point": NOTHING,
    "inactive_superuser": NOTHING,
    "inactive_delegate": NOTHING,
}

# CREATE: (X in A, X range-wide, X in C which is not a Range State of the strategy)
EXPECTED_CREATE = {
    "anonymous": "...",
    "partner": "...",
    "secretariat": "yy.",
    "superuser": "yy.",
    "focal_point_own": "y..",
    "focal_point_other": "...",
    "delegate_activity": "y..",
    "delegate_objective": "y..",
    "delegate_other_activity": "...",
    "delegate_other_state": "...",
    "delegate_revoked": "...",
    "link_for_own_state": "y..",
    "link_for_other_state": "...",
    "inactive_focal_point": "...",
    "inactive_superuser": "...",
    "inactive_delegate": "...",
}

# Range-wide entries of activity X: the Secretariat's alone.
EXPECTED_RANGE_WIDE = {
    "anonymous": NOTHING,
    "partner": NOTHING,
    "secretariat": SECRETARIAT,
    "superuser": SECRETARIAT,
    "focal_point_own": NOTHING,
    "focal_point_other": NOTHING,
    "delegate_activity": NOTHING,
    "delegate_objective": NOTHING,
    "delegate_other_activity": NOTHING,
    "delegate_other_state": NOTHING,
    "delegate_revoked": NOTHING,
    "link_for_own_state": NOTHING,
    "link_for_other_state": NOTHING,
    "inactive_focal_point": NOTHING,
    "inactive_superuser": NOTHING,
    "inactive_delegate": NOTHING,
}

# Entries of a closed reporting round are locked: nobody edits, submits or reviews them; reading is
# unchanged. For the entry of X in A.
LOCKED = {Action.EDIT: "....", Action.SUBMIT: "....", Action.REVIEW: "...."}
EXPECTED_LOCKED = {
    "secretariat": {Action.VIEW: "yyyy", Action.VIEW_RESTRICTED: "yyyy", **LOCKED},
    "superuser": {Action.VIEW: "yyyy", Action.VIEW_RESTRICTED: "yyyy", **LOCKED},
    "focal_point_own": {Action.VIEW: "yyyy", Action.VIEW_RESTRICTED: "yyyy", **LOCKED},
    "delegate_activity": {Action.VIEW: "yyyy", Action.VIEW_RESTRICTED: "yyyy", **LOCKED},
    "link_for_own_state": {Action.VIEW: "yyyy", Action.VIEW_RESTRICTED: "yyyy", **LOCKED},
    "partner": {Action.VIEW: "...y", Action.VIEW_RESTRICTED: "....", **LOCKED},
    "anonymous": {Action.VIEW: "...y", Action.VIEW_RESTRICTED: "....", **LOCKED},
}


@pytest.fixture
def world(db):
    strategy = StrategyFactory()
    a, b = RangeStateFactory(name="Armenia-like"), RangeStateFactory(name="Bhutan-like")
    c = RangeStateFactory(name="Elsewhere")  # a Range State of no strategy of S
    strategy.range_states.add(a, b)
    o1 = ObjectiveFactory(strategy=strategy)
    o2 = ObjectiveFactory(strategy=strategy)
    r1 = ResultFactory(objective=o1)
    x, y = ActivityFactory(result=r1), ActivityFactory(result=r1)
    z = ActivityFactory(result__objective=o2)
    reporter = UserFactory(username="reporter-of-a")
    FocalPointFactory(user=reporter, range_state=a)
    return SimpleNamespace(strategy=strategy, a=a, b=b, c=c, o1=o1, o2=o2, x=x, y=y, z=z, reporter=reporter)


def focal_point(*states, **user_kwargs):
    user = UserFactory(**user_kwargs)
    for state in states:
        FocalPointFactory(user=user, range_state=state)
    return user


def delegate(w, range_state, *, activity=None, objective=None, revoked=False, **user_kwargs):
    user = UserFactory(**user_kwargs)
    DelegationFactory(
        delegate=user,
        granted_by=w.reporter,
        range_state=range_state,
        activity=activity,
        objective=objective,
        revoked_at=timezone.now() if revoked else None,
    )
    return user


def signed_in_by_link(user, state):
    # What ReportingLinkScopeMiddleware does for a user who signed in with a reporting link.
    user.reporting_link_state_id = state.pk
    return user


ROLES = {
    "anonymous": lambda w: AnonymousUser(),
    "partner": lambda w: UserFactory(),
    "secretariat": lambda w: SecretariatUserFactory(),
    "superuser": lambda w: StaffUserFactory(),
    "focal_point_own": lambda w: focal_point(w.a),
    "focal_point_other": lambda w: focal_point(w.b),
    "delegate_activity": lambda w: delegate(w, w.a, activity=w.x),
    "delegate_objective": lambda w: delegate(w, w.a, objective=w.o1),
    "delegate_other_activity": lambda w: delegate(w, w.a, activity=w.z),
    "delegate_other_state": lambda w: delegate(w, w.b, activity=w.x),
    "delegate_revoked": lambda w: delegate(w, w.a, activity=w.x, revoked=True),
    "link_for_own_state": lambda w: signed_in_by_link(focal_point(w.a, w.b), w.a),
    "link_for_other_state": lambda w: signed_in_by_link(focal_point(w.a, w.b), w.b),
    "inactive_focal_point": lambda w: focal_point(w.a, is_active=False),
    "inactive_superuser": lambda w: StaffUserFactory(is_active=False),
    "inactive_delegate": lambda w: delegate(w, w.a, activity=w.x, is_active=False),
}


def test_every_role_has_written_out_expectations():
    assert set(ROLES) == set(EXPECTED) == set(EXPECTED_CREATE) == set(EXPECTED_RANGE_WIDE)
    assert all(set(row) == set(ENTRY_ACTIONS) for row in EXPECTED.values())


def entry_in(w, review_state, *, activity=None, range_state="A", reporting_round=None, reported_by=None):
    submitted = review_state != RS.DRAFT
    reporter = reported_by or w.reporter
    return ProgressEntryFactory(
        activity=activity or w.x,
        range_state=w.a if range_state == "A" else range_state,
        review_state=review_state,
        reported_by=reporter,
        submitted_by=reporter if submitted else None,
        submitted_at=timezone.now() if submitted else None,
        reporting_round=reporting_round,
    )


def outcomes(user, action, entries):
    return "".join("y" if allowed(user, action, entry) else "." for entry in entries)


@pytest.mark.parametrize("action", ENTRY_ACTIONS, ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_an_entry_in_a_range_state(world, role, action):
    user = ROLES[role](world)
    entries = [entry_in(world, state) for state in STATES]

    assert outcomes(user, action, entries) == EXPECTED[role][action]


@pytest.mark.parametrize("action", ENTRY_ACTIONS, ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_a_range_wide_entry(world, role, action):
    user = ROLES[role](world)
    entries = [entry_in(world, state, range_state=None) for state in STATES]

    assert outcomes(user, action, entries) == EXPECTED_RANGE_WIDE[role][action]


@pytest.mark.parametrize("action", ENTRY_ACTIONS, ids=str)
@pytest.mark.parametrize("role", EXPECTED_LOCKED)
def test_entries_of_a_closed_round_are_locked_for_every_role(world, role, action):
    closed = ReportingRoundFactory(strategy=world.strategy, closed_at=timezone.now())
    user = ROLES[role](world)
    entries = [entry_in(world, state, reporting_round=closed) for state in STATES]

    assert outcomes(user, action, entries) == EXPECTED_LOCKED[role][action]


@pytest.mark.parametrize("role", ["secretariat", "focal_point_own", "delegate_activity"])
def test_entries_of_an_open_round_are_not_locked(world, role):
    open_round = ReportingRoundFactory(strategy=world.strategy)
    user = ROLES[role](world)
    entries = [entry_in(world, state, reporting_round=open_round) for state in STATES]

    assert outcomes(user, Action.EDIT, entries) == EXPECTED[role][Action.EDIT]


@pytest.mark.parametrize("role", ROLES)
def test_create_matrix(world, role):
    user = ROLES[role](world)
    new_entries = [
        ProgressEntry(activity=world.x, range_state=world.a),
        ProgressEntry(activity=world.x, range_state=None),
        ProgressEntry(activity=world.x, range_state=world.c),
    ]

    assert outcomes(user, Action.CREATE, new_entries) == EXPECTED_CREATE[role]


@pytest.mark.parametrize("role", ["secretariat", "superuser", "focal_point_own", "delegate_activity"])
def test_nobody_creates_in_a_closed_round(world, role):
    user = ROLES[role](world)
    closed = ReportingRoundFactory(strategy=world.strategy, closed_at=timezone.now())
    open_round = ReportingRoundFactory(strategy=world.strategy)

    assert allowed(
        user, Action.CREATE, ProgressEntry(activity=world.x, range_state=world.a, reporting_round=open_round)
    )
    assert not allowed(
        user, Action.CREATE, ProgressEntry(activity=world.x, range_state=world.a, reporting_round=closed)
    )


def test_a_focal_point_of_a_state_outside_the_strategy_cannot_create_for_it(world):
    user = focal_point(world.c)

    assert not allowed(user, Action.CREATE, ProgressEntry(activity=world.x, range_state=world.c))


def test_an_objective_delegate_may_create_for_every_activity_of_the_objective_only(world):
    user = delegate(world, world.a, objective=world.o1)

    assert allowed(user, Action.CREATE, ProgressEntry(activity=world.y, range_state=world.a))
    assert not allowed(user, Action.CREATE, ProgressEntry(activity=world.z, range_state=world.a))
    assert not allowed(user, Action.CREATE, ProgressEntry(activity=world.y, range_state=world.b))


# --- separation of duties -------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [SecretariatUserFactory, StaffUserFactory], ids=["group", "superuser"])
def test_nobody_reviews_an_entry_they_reported(world, factory):
    reviewer = factory()
    entry = entry_in(world, RS.SUBMITTED, reported_by=reviewer)
    entry.submitted_by = world.reporter
    entry.save()

    assert not allowed(reviewer, Action.REVIEW, entry)
    assert allowed(factory(), Action.REVIEW, entry)


@pytest.mark.parametrize("factory", [SecretariatUserFactory, StaffUserFactory], ids=["group", "superuser"])
def test_nobody_reviews_an_entry_they_submitted(world, factory):
    reviewer = factory()
    entry = entry_in(world, RS.SUBMITTED)
    entry.submitted_by = reviewer
    entry.save()

    assert not allowed(reviewer, Action.REVIEW, entry)
    assert allowed(factory(), Action.REVIEW, entry)


def test_a_focal_point_may_not_review_even_their_own_states_entries(world):
    assert not allowed(focal_point(world.a), Action.REVIEW, entry_in(world, RS.SUBMITTED))


def test_require_raises_permission_denied_with_the_action_named(world):
    with pytest.raises(PermissionDenied, match="may not see this progress entry"):
        require(UserFactory(), Action.VIEW_RESTRICTED, entry_in(world, RS.APPROVED))


def test_unknown_action_is_refused_loudly(world):
    with pytest.raises(ValueError):
        allowed(SecretariatUserFactory(), "delete", entry_in(world, RS.DRAFT))


# --- visible_entries is allowed(VIEW) in SQL --------------------------------------------------------


@pytest.fixture
def every_combination(world):
    """An entry for every activity × scope (A, B, C-less range-wide) × review state, in no round, an
    open round and a closed round."""
    open_round = ReportingRoundFactory(strategy=world.strategy)
    closed_round = ReportingRoundFactory(strategy=world.strategy, closed_at=timezone.now())
    entries = []
    for activity in (world.x, world.y, world.z):
        for scope in (world.a, world.b, None):
            for state in STATES:
                for reporting_round in (None, open_round, closed_round):
                    entries.append(
                        entry_in(
                            world,
                            state,
                            activity=activity,
                            range_state=scope,
                            reporting_round=reporting_round,
                        )
                    )
    return entries


@pytest.mark.parametrize("role", ROLES)
def test_visible_entries_are_exactly_those_allowed_to_view(world, every_combination, role):
    user = ROLES[role](world)

    expected = {entry.pk for entry in every_combination if allowed(user, Action.VIEW, entry)}

    assert set(visible_entries(user).values_list("pk", flat=True)) == expected


# How many of the 108 entries (3 activities × 3 scopes × 4 review states × 3 rounds) each role sees,
# written out so the equality above cannot pass by both sides being wrong the same way.
VISIBLE_COUNTS = {
    "anonymous": 27,  # approved: 3 × 3 × 3
    "partner": 27,
    "secretariat": 108,
    "superuser": 108,
    "focal_point_own": 27 + 27,  # approved + every non-approved in A (3 activities × 3 states × 3 rounds)
    "focal_point_other": 27 + 27,  # the same, in B
    "delegate_activity": 27 + 9,  # approved + X in A not approved (3 states × 3 rounds)
    "delegate_objective": 27 + 18,  # X and Y in A
    "delegate_other_activity": 27 + 9,  # Z in A
    "delegate_other_state": 27 + 9,  # X in B
    "delegate_revoked": 27,
    "link_for_own_state": 27 + 27,
    "link_for_other_state": 27 + 27,  # B's, never A's
    "inactive_focal_point": 27,
    "inactive_superuser": 27,
    "inactive_delegate": 27,
}


@pytest.mark.parametrize("role", ROLES)
def test_visible_entry_counts_per_role(world, every_combination, role):
    assert visible_entries(ROLES[role](world)).count() == VISIBLE_COUNTS[role]


def test_visible_entries_narrows_a_given_queryset(world):
    approved = entry_in(world, RS.APPROVED)
    entry_in(world, RS.DRAFT)
    own_draft = entry_in(world, RS.DRAFT, activity=world.y)

    user = focal_point(world.a)
    narrowed = visible_entries(user, ProgressEntry.objects.filter(activity=world.y))

    assert list(narrowed) == [own_draft]
    assert approved not in narrowed


# --- inactive users -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["inactive_focal_point", "inactive_superuser", "inactive_delegate"])
def test_inactive_users_get_nothing_beyond_what_the_public_sees(world, role):
    user = ROLES[role](world)
    entries = [entry_in(world, state) for state in STATES]

    for action in ENTRY_ACTIONS:
        assert outcomes(user, action, entries) == NOTHING[action], action
    assert not allowed(user, Action.CREATE, ProgressEntry(activity=world.x, range_state=world.a))
    assert not allowed(user, Action.CREATE, ProgressEntry(activity=world.x, range_state=None))


def test_a_delegation_revoked_after_the_request_started_still_needs_a_new_request(world):
    # Assignments are read once per request and cached on the user object; a fresh request
    # (a fresh user object) sees the revocation.
    user = delegate(world, world.a, activity=world.x)
    draft = entry_in(world, RS.DRAFT)
    assert allowed(user, Action.EDIT, draft)

    Delegation.objects.filter(delegate=user).update(revoked_at=timezone.now())

    fresh = get_user_model().objects.get(pk=user.pk)
    assert not allowed(fresh, Action.EDIT, draft)


def test_reporting_date_does_not_matter_to_permissions(world):
    user = focal_point(world.a)
    old = entry_in(world, RS.DRAFT)
    old.reporting_date = datetime.date(2001, 1, 1)
    old.save()

    assert allowed(user, Action.EDIT, old)


# --- one decision, carrying its reason -------------------------------------------------------------


def test_a_decision_is_truthy_when_allowed_and_falsy_with_a_reason_when_refused(world):
    entry = entry_in(world, RS.DRAFT)

    yes = decide(focal_point(world.a), Action.EDIT, entry)
    no = decide(focal_point(world.b), Action.EDIT, entry)

    assert yes and yes.allowed and yes.reason == ""
    assert not no and not no.allowed
    assert no.reason == "You may not change progress entries for Armenia-like."


REFUSALS = [
    # (role, action, review state, the reason the person is given)
    ("anonymous", Action.EDIT, RS.DRAFT, "Sign in to do this."),
    ("anonymous", Action.VIEW, RS.DRAFT, "Sign in to do this."),
    ("partner", Action.VIEW, RS.DRAFT, "You may not see this progress entry."),
    ("focal_point_own", Action.EDIT, RS.APPROVED, "Only the Secretariat corrects approved entries"),
    ("focal_point_own", Action.EDIT, RS.SUBMITTED, "This entry is awaiting review"),
    ("focal_point_own", Action.SUBMIT, RS.APPROVED, "this one is approved."),
    ("delegate_activity", Action.SUBMIT, RS.DRAFT, "Delegates prepare drafts; the focal point submits them."),
    ("focal_point_other", Action.SUBMIT, RS.DRAFT, "You may not submit progress entries for Armenia-like."),
    ("focal_point_own", Action.REVIEW, RS.SUBMITTED, "Only the Secretariat approves or returns entries."),
    ("secretariat", Action.REVIEW, RS.DRAFT, "Only submitted entries can be reviewed; this one is draft."),
]


@pytest.mark.parametrize(("role", "action", "review_state", "reason"), REFUSALS)
def test_each_refusal_says_why(world, role, action, review_state, reason):
    decision = decide(ROLES[role](world), action, entry_in(world, review_state))

    assert not decision
    assert reason in decision.reason


def test_refusals_to_create_say_why(world):
    focal = focal_point(world.a)
    other_activity_delegate = delegate(world, world.a, activity=world.z)

    range_wide = decide(focal, Action.CREATE, ProgressEntry(activity=world.x, range_state=None))
    outside = decide(
        focal_point(world.c), Action.CREATE, ProgressEntry(activity=world.x, range_state=world.c)
    )
    not_delegated = decide(
        other_activity_delegate, Action.CREATE, ProgressEntry(activity=world.x, range_state=world.a)
    )

    assert range_wide.reason == "Only the Secretariat reports range-wide progress."
    assert outside.reason == f"Elsewhere is not a Range State of {world.strategy}."
    assert not_delegated.reason == "You may not report for Armenia-like."


def test_the_reporter_of_an_entry_is_told_why_they_may_not_review_it(world):
    reviewer = SecretariatUserFactory()
    entry = entry_in(world, RS.SUBMITTED, reported_by=reviewer)

    decision = decide(reviewer, Action.REVIEW, entry)

    assert decision.reason == "Nobody approves or returns an entry they reported or submitted themselves."


def test_a_locked_entry_names_its_closed_round(world):
    closed = ReportingRoundFactory(strategy=world.strategy, name="2024 annual", closed_at=timezone.now())

    decision = decide(
        SecretariatUserFactory(), Action.EDIT, entry_in(world, RS.DRAFT, reporting_round=closed)
    )

    assert decision.reason == "The reporting round “2024 annual” is closed: its entries are locked."


# --- rules that are not about one entry ---------------------------------------------------------------

SECRETARIAT_ROLES = {"secretariat", "superuser"}


@pytest.mark.parametrize("action", SECRETARIAT_TASKS, ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_only_the_secretariat_runs_rounds_sends_links_and_takes_snapshots(world, role, action):
    decision = decide(ROLES[role](world), action)

    assert bool(decision) == (role in SECRETARIAT_ROLES)
    if not decision:
        assert decision.reason == SECRETARIAT_TASKS[action]
        assert str(decision.reason).startswith("Only the Secretariat may ")


# Who may grant a delegation in Range State A, and who may open the delegations page at all.
MAY_DELEGATE_IN_A = {"secretariat", "superuser", "focal_point_own", "link_for_own_state"}
MAY_MANAGE_DELEGATIONS = MAY_DELEGATE_IN_A | {"focal_point_other", "link_for_other_state"}


@pytest.mark.parametrize("role", ROLES)
def test_delegation_in_a_range_state_is_for_its_focal_points_and_the_secretariat(world, role):
    user = ROLES[role](world)
    in_a = DelegationFactory(range_state=world.a, granted_by=world.reporter, activity=world.x)

    grant = decide(user, Action.DELEGATION_GRANT, world.a)
    revoke = decide(user, Action.DELEGATION_REVOKE, in_a)
    manage = decide(user, Action.DELEGATIONS_MANAGE)

    assert bool(grant) == bool(revoke) == (role in MAY_DELEGATE_IN_A)
    assert bool(manage) == (role in MAY_MANAGE_DELEGATIONS)
    if not grant:
        assert (
            grant.reason == "Only Armenia-like's focal point or the Secretariat may delegate its reporting."
        )
        assert (
            revoke.reason == "Only the Range State's focal point or the Secretariat may revoke a delegation."
        )
    if not manage:
        assert manage.reason == "Only national focal points (and the Secretariat) delegate reporting."


# DELETE: (draft, submitted, returned, approved) of the entry of X in A. Never an approved entry.
EXPECTED_DELETE = {"secretariat": "yyy.", "superuser": "yyy."}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_secretariat_deletes_entries_and_never_approved_ones(world, role):
    user = ROLES[role](world)
    entries = [entry_in(world, state) for state in STATES]

    assert outcomes(user, Action.DELETE, entries) == EXPECTED_DELETE.get(role, "....")
