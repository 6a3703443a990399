"""The delegations page: a focal point delegates an activity and revokes it; a delegate drafts but never
submits."""

import pytest
from django.urls import reverse

from activities.models import Delegation, ProgressEntry
from tests.factories import DelegationFactory, UserFactory

from .pages import create_url, form_data, signed_in, url

pytestmark = pytest.mark.django_db

# --- delegation ----------------------------------------------------------------------------------


def test_a_focal_point_delegates_an_activity_and_revokes_it(client, world):
    expert = UserFactory(username="expert")
    signed_in(client, world.focal_am)
    page = client.get(reverse("activities:delegation-list")).content.decode()
    assert ">Armenia</option>" in page and "Iran" not in page
    data = {
        "delegate": "expert",
        "range_state": world.am.pk,
        "strategy": world.strategy.pk,
        "activity_code": "1.1.1",
    }
    assert client.post(reverse("activities:delegation-list"), data).status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.delegate, delegation.activity, delegation.granted_by) == (
        expert,
        world.activity,
        world.focal_am,
    )
    tampered = client.post(reverse("activities:delegation-list"), data | {"range_state": world.ir.pk})
    assert "You may only delegate for your own states." in tampered.content.decode()
    missing = client.post(reverse("activities:delegation-list"), data | {"activity_code": "7.7.7"})
    assert "has no activity 7.7.7" in missing.content.decode()
    client.post(url("delegation-revoke", delegation))
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


def test_a_delegate_drafts_but_cannot_submit(client, world):
    expert = UserFactory(username="expert")
    DelegationFactory(
        delegate=expert, granted_by=world.focal_am, range_state=world.am, activity=world.activity
    )
    signed_in(client, expert)
    client.post(create_url(world.activity), form_data(world))
    entry = ProgressEntry.objects.get()
    assert "Submit for review" not in client.get(url("progress-detail", entry)).content.decode()
    assert client.post(url("progress-submit", entry)).status_code == 403
    assert client.get(reverse("activities:delegation-list")).status_code == 403
