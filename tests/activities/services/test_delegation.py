"""Delegation in activities.services: a focal point lets a colleague draft one activity or objective in
one of their Range States, and revokes it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activities import services
from activities.models import Delegation, ProgressEntry
from tests.factories import (
    ActivityFactory,
    FocalPointFactory,
    ObjectiveFactory,
    RangeStateFactory,
    UserFactory,
)

from .workflow import create


def test_a_focal_point_delegates_an_activity_in_their_state(w):
    colleague = UserFactory()

    delegation = services.delegation_grant(
        user=w.focal, delegate=colleague, range_state=w.armenia, activity=w.activity
    )

    assert (delegation.granted_by, delegation.activity, delegation.objective) == (w.focal, w.activity, None)
    assert delegation.is_active
    stored = Delegation.objects.get(delegate=colleague)
    assert (stored.granted_by, stored.range_state, stored.activity, stored.revoked_at) == (
        w.focal,
        w.armenia,
        w.activity,
        None,
    )


def test_a_focal_point_delegates_an_objective(w):
    colleague = UserFactory()
    objective = w.activity.result.objective

    delegation = services.delegation_grant(
        user=w.focal, delegate=colleague, range_state=w.armenia, objective=objective
    )

    assert delegation.objective == objective
    assert Delegation.objects.get(delegate=colleague).objective == objective


def test_the_secretariat_may_delegate_for_any_state(w):
    colleague = UserFactory()

    services.delegation_grant(user=w.secretariat, delegate=colleague, range_state=w.iran, activity=w.activity)

    stored = Delegation.objects.get(delegate=colleague)
    assert (stored.range_state, stored.granted_by) == (w.iran, w.secretariat)


@pytest.mark.parametrize("who", ["partner", "expert", "other_state_focal"])
def test_only_the_states_focal_point_or_the_secretariat_delegates(w, who):
    if who == "other_state_focal":
        user = UserFactory()
        FocalPointFactory(user=user, range_state=w.iran)
    else:
        user = getattr(w, who)
    count = Delegation.objects.count()

    with pytest.raises(PermissionDenied):
        services.delegation_grant(
            user=user, delegate=UserFactory(), range_state=w.armenia, activity=w.activity
        )
    assert Delegation.objects.count() == count


def test_a_focal_point_signed_in_by_link_delegates_only_for_the_links_state(w):
    FocalPointFactory(user=w.focal, range_state=w.iran)
    w.focal.reporting_link_state_id = w.iran.pk
    count = Delegation.objects.count()

    with pytest.raises(PermissionDenied):
        services.delegation_grant(
            user=w.focal, delegate=UserFactory(), range_state=w.armenia, activity=w.activity
        )
    assert Delegation.objects.count() == count


def test_invalid_delegations_are_refused(w):
    colleague = UserFactory()
    objective = w.activity.result.objective
    grant = services.delegation_grant

    with pytest.raises(ValidationError, match="yourself"):
        grant(user=w.focal, delegate=w.focal, range_state=w.armenia, activity=w.activity)
    with pytest.raises(ValidationError, match="inactive"):
        grant(user=w.focal, delegate=UserFactory(is_active=False), range_state=w.armenia, activity=w.activity)
    with pytest.raises(ValidationError, match="either one activity or one objective"):
        grant(user=w.focal, delegate=colleague, range_state=w.armenia)
    with pytest.raises(ValidationError, match="either one activity or one objective"):
        grant(
            user=w.focal, delegate=colleague, range_state=w.armenia, activity=w.activity, objective=objective
        )
    elsewhere = RangeStateFactory()
    FocalPointFactory(user=w.focal, range_state=elsewhere)
    focal = type(w.focal).objects.get(pk=w.focal.pk)  # a new request sees the new assignment
    with pytest.raises(ValidationError, match="is not a Range State of"):
        grant(user=focal, delegate=colleague, range_state=elsewhere, activity=w.activity)
    assert not Delegation.objects.filter(delegate=colleague).exists()


def test_revoking_a_delegation_ends_the_delegates_drafting(w):
    delegation = Delegation.objects.get(delegate=w.expert)
    entry = create(w, user=w.expert)

    services.delegation_revoke(user=w.focal, delegation=delegation)

    assert Delegation.objects.get(pk=delegation.pk).revoked_at is not None
    fresh_expert = type(w.expert).objects.get(pk=w.expert.pk)  # a new request
    with pytest.raises(PermissionDenied):
        services.progress_entry_update(
            user=fresh_expert, entry=entry, expected_version=entry.version, narrative="x"
        )


def test_only_the_states_focal_point_or_the_secretariat_revokes(w):
    delegation = Delegation.objects.get(delegate=w.expert)
    other = UserFactory()
    FocalPointFactory(user=other, range_state=w.iran)

    for user in (other, w.expert, w.partner):
        with pytest.raises(PermissionDenied):
            services.delegation_revoke(user=user, delegation=delegation)
    assert Delegation.objects.get(pk=delegation.pk).revoked_at is None
    services.delegation_revoke(user=w.secretariat, delegation=delegation)
    assert Delegation.objects.get(pk=delegation.pk).revoked_at is not None


def test_a_delegation_of_an_objective_covers_its_activities(w):
    objective = ObjectiveFactory(strategy=w.strategy)
    in_objective = ActivityFactory(result__objective=objective)
    colleague = UserFactory()
    services.delegation_grant(user=w.focal, delegate=colleague, range_state=w.armenia, objective=objective)

    entry = create(w, user=colleague, activity=in_objective)

    assert ProgressEntry.objects.get(pk=entry.pk).reported_by == colleague
    with pytest.raises(PermissionDenied):
        create(w, user=type(colleague).objects.get(pk=colleague.pk), activity=w.activity)
    assert list(ProgressEntry.objects.values_list("activity", flat=True)) == [in_objective.pk]
