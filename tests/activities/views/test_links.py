"""Password-less reporting links on the web: made and shown once, signing in on POST only, for one Range
State, and gone once expired or withdrawn."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.middleware import LINK_SESSION_KEY
from activities.models import ProgressEntry, ReportingLink
from tests.factories import FocalPointFactory

from .pages import create_url, form_data, signed_in, url

pytestmark = pytest.mark.django_db

# --- reporting links -----------------------------------------------------------------------------


@pytest.fixture
def am_and_ir_focal_point(world):
    FocalPointFactory(user=world.focal_am, range_state=world.ir)
    return world.focal_am


def test_the_secretariat_makes_a_link_shown_once(client, world):
    signed_in(client, world.secretariat)
    data = {"focal_point": world.focal_am.pk, "range_state": world.am.pk, "valid_days": 7}
    html = client.post(reverse("activities:reportinglink-create"), data).content.decode()
    link = ReportingLink.objects.get()
    assert "http://testserver/report/" in html and "cannot be shown again" in html
    listing = client.get(reverse("activities:reportinglink-list")).content.decode()
    assert "focal-am" in listing and "/report/" not in listing
    client.post(url("reportinglink-revoke", link))
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert (
        signed_in(client, world.focal_am).get(reverse("activities:reportinglink-create")).status_code == 403
    )


def test_a_reporting_link_signs_in_on_post_only_scoped_to_its_state(client, world, am_and_ir_focal_point):
    link, token = services.reporting_link_create(
        user=world.secretariat, focal_point=world.focal_am, range_state=world.am
    )
    redeem = reverse("activities:reportinglink-redeem", args=[token])
    page = client.get(redeem)
    assert page.status_code == 200 and "Continue" in page.content.decode()
    assert "_auth_user_id" not in client.session  # a link preview signs no one in
    response = client.post(redeem)
    assert response.status_code == 302 and response.url == reverse("activities:home")
    assert client.session[LINK_SESSION_KEY] == link.pk
    assert client.get(create_url(world.activity, world.am)).status_code == 200
    html = client.get(create_url(world.activity)).content.decode()
    assert ">Armenia</option>" in html and "Iran" not in html
    tampered = client.post(create_url(world.activity), form_data(world, range_state=world.ir.pk))
    assert "You may not report for that Range State." in tampered.content.decode()
    assert not ProgressEntry.objects.exists()


def test_expired_or_revoked_links_are_gone(client, world):
    link, token = services.reporting_link_create(
        user=world.secretariat, focal_point=world.focal_am, range_state=world.am
    )
    redeem = reverse("activities:reportinglink-redeem", args=[token])
    ReportingLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.post(redeem)
    assert response.status_code == 410 and "has expired" in response.content.decode()
    ReportingLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + datetime.timedelta(days=1))
    services.reporting_link_revoke(user=world.secretariat, link=link)
    assert client.post(redeem).status_code == 410
    assert client.post(reverse("activities:reportinglink-redeem", args=["not-a-token"])).status_code == 410
    assert "_auth_user_id" not in client.session
