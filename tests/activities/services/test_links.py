"""Password-less reporting links in activities.services: made by the Secretariat for a focal point's
own state, redeemed once valid, withdrawn."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities import services
from activities.models import ReportingLink
from activities.services import LinkInvalid
from tests.factories import FocalPointFactory, SecretariatUserFactory, UserFactory


def make_link(w, **kwargs):
    return services.reporting_link_create(
        user=w.secretariat, focal_point=w.focal, range_state=w.armenia, **kwargs
    )


def test_the_secretariat_makes_a_link_whose_token_is_not_stored(w):
    link, token = make_link(w, valid_days=7)

    stored = ReportingLink.objects.get(pk=link.pk)
    assert len(token) >= 40
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ReportingLink.objects.filter(pk=link.pk).values().get())
    assert stored.created_by == w.secretariat
    assert (stored.expires_at - timezone.now()).days == 6  # 7 days, less the seconds since


@pytest.mark.parametrize("who", ["focal", "expert", "partner"])
def test_only_the_secretariat_makes_links(w, who):
    with pytest.raises(PermissionDenied):
        services.reporting_link_create(user=getattr(w, who), focal_point=w.focal, range_state=w.armenia)
    assert not ReportingLink.objects.exists()


@pytest.mark.parametrize("staff", ["is_staff", "is_superuser", "secretariat_group"])
def test_links_are_never_made_for_staff_accounts(w, staff):
    target = SecretariatUserFactory() if staff == "secretariat_group" else UserFactory(**{staff: True})
    FocalPointFactory(user=target, range_state=w.armenia)

    with pytest.raises(ValidationError, match="never for staff"):
        services.reporting_link_create(user=w.secretariat, focal_point=target, range_state=w.armenia)
    assert not ReportingLink.objects.exists()


def test_links_are_made_only_for_the_focal_points_own_state(w):
    with pytest.raises(ValidationError, match="is not a focal point for"):
        services.reporting_link_create(user=w.secretariat, focal_point=w.focal, range_state=w.iran)
    assert not ReportingLink.objects.exists()


@pytest.mark.parametrize("days", [0, 91])
def test_links_are_valid_for_one_to_ninety_days(w, days):
    with pytest.raises(ValidationError, match="1 to 90 days"):
        make_link(w, valid_days=days)
    assert not ReportingLink.objects.exists()


def test_redeeming_a_valid_link_returns_it_and_notes_its_use(w):
    link, token = make_link(w)

    redeemed = services.reporting_link_redeem(token=token)

    assert redeemed == link
    assert (redeemed.user, redeemed.range_state) == (w.focal, w.armenia)
    assert ReportingLink.objects.get(pk=link.pk).last_used_at is not None


def test_redeeming_an_expired_link_fails(w):
    link, token = make_link(w)
    ReportingLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    with pytest.raises(LinkInvalid, match="expired"):
        services.reporting_link_redeem(token=token)
    assert ReportingLink.objects.get(pk=link.pk).last_used_at is None


def test_redeeming_a_revoked_link_fails(w):
    link, token = make_link(w)
    services.reporting_link_revoke(user=w.secretariat, link=link)

    with pytest.raises(LinkInvalid, match="withdrawn"):
        services.reporting_link_redeem(token=token)
    assert ReportingLink.objects.get(pk=link.pk).last_used_at is None


@pytest.mark.parametrize("token", ["", "not-the-token", "x" * 43])
def test_redeeming_a_wrong_token_fails(w, token):
    link, _ = make_link(w)

    with pytest.raises(LinkInvalid, match="not valid"):
        services.reporting_link_redeem(token=token)
    assert ReportingLink.objects.get(pk=link.pk).last_used_at is None


def test_redeeming_a_link_of_a_disabled_account_fails(w):
    link, token = make_link(w)
    type(w.focal).objects.filter(pk=w.focal.pk).update(is_active=False)

    with pytest.raises(LinkInvalid, match="disabled"):
        services.reporting_link_redeem(token=token)
    assert ReportingLink.objects.get(pk=link.pk).last_used_at is None


def test_only_the_secretariat_revokes_links(w):
    link, _ = make_link(w)

    with pytest.raises(PermissionDenied):
        services.reporting_link_revoke(user=w.focal, link=link)
    assert ReportingLink.objects.get(pk=link.pk).revoked_at is None
