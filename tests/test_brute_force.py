"""Guessing is limited: passwords (and two-factor codes, tests/test_two_factor.py) on the sign-in page,
which is the admin's login too (django-axes: by username and by address), API tokens and reporting links
(per address). Each lockout has a clear message, ends after its cool-off, and does not lock out other
people beyond what the policy says."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from activities import services
from tests.factories import APITokenFactory, FocalPointFactory, SecretariatUserFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"  # the factories' password
A, B, C = "203.0.113.1", "203.0.113.2", "203.0.113.3"


def sign_in(client, username, password, ip, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_that_username_with_a_clear_message(client, settings):
    UserFactory(username="alice")
    bob = UserFactory(username="bob")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "alice", "guess", A).status_code == 200  # the form again, with its error
    locked = sign_in(client, "alice", "guess", A)
    assert locked.status_code == 429
    assert "Sign-in locked for now" in locked.content.decode()
    assert "Try again in 15 minutes" in locked.content.decode()
    # locked by username: the right password, even from elsewhere, does not sign alice in
    assert sign_in(client, "alice", PASSWORD, B).status_code == 429
    # another person, from another address, is not affected
    response = sign_in(client, "bob", PASSWORD, B)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(bob.pk)


def test_failures_from_one_address_lock_that_address_for_every_username(client, settings):
    UserFactory(username="carol")
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"someone-{n}", "guess", C)
    assert sign_in(client, "carol", PASSWORD, C).status_code == 429
    # carol from her own address signs in: a lockout of one address does not lock the account
    assert sign_in(client, "carol", PASSWORD, A).status_code == 302


def test_fewer_failures_than_the_limit_do_not_lock_and_a_success_resets_them(client, settings):
    UserFactory(username="dave")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "dave", "guess", A)
    assert sign_in(client, "dave", PASSWORD, A).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "dave", "guess", A)
    assert sign_in(client, "dave", PASSWORD, A).status_code == 302


def test_a_lockout_ends_after_the_cool_off(client, settings):
    UserFactory(username="erin")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "erin", "guess", A)
    assert sign_in(client, "erin", PASSWORD, A).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert sign_in(client, "erin", PASSWORD, A).status_code == 302


def test_the_admin_signs_in_through_the_locked_sign_in_page_and_the_secretariat_lifts_lockouts(
    client, settings
):
    SecretariatUserFactory(username="frank", is_staff=True)
    admin_login = reverse("admin:login")
    # passwords POSTed to the admin's login are not tried: it is the sign-in page, with its lockout
    assert sign_in(client, "frank", PASSWORD, A, url=admin_login)["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "frank", "guess", A)
    assert sign_in(client, "frank", PASSWORD, A).status_code == 429
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "frank" in listing.content.decode()
    client.logout()
    call_command("axes_reset_username", "frank", verbosity=0)
    assert sign_in(client, "frank", PASSWORD, A).status_code == 302


def test_failed_api_tokens_are_throttled_per_address(settings):
    token = APITokenFactory()
    url = reverse("api:activity-list")
    guesser, partner = APIClient(REMOTE_ADDR=A), APIClient(REMOTE_ADDR=B)
    for n in range(settings.API_TOKEN_FAILURE_LIMIT):
        guesser.credentials(HTTP_AUTHORIZATION=f"Token st_guess{n}")
        assert guesser.get(url).status_code == 401
    guesser.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    throttled = guesser.get(url)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["errors"][0]["code"] == "throttled"
    # the partner at another address, with its valid token, is not affected
    partner.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert partner.get(url).status_code == 200
    # and anonymous reads from the guesser's address go on (only token attempts are refused)
    guesser.credentials()
    assert guesser.get(url).status_code == 200


def test_failed_reporting_link_redemptions_are_throttled_per_address(client, settings):
    focal = FocalPointFactory()
    _link, token = services.reporting_link_create(
        user=SecretariatUserFactory(), focal_point=focal.user, range_state=focal.range_state
    )
    for n in range(settings.REPORTING_LINK_FAILURE_LIMIT):
        url = reverse("activities:reportinglink-redeem", args=[f"guess-{n}"])
        assert client.post(url, REMOTE_ADDR=A).status_code == 410
    good = reverse("activities:reportinglink-redeem", args=[token])
    throttled = client.post(good, REMOTE_ADDR=A)
    assert throttled.status_code == 429 and "Too many reporting links" in throttled.content.decode()
    assert "_auth_user_id" not in client.session
    # the focal point opening the link elsewhere is signed in
    assert client.post(good, REMOTE_ADDR=B).status_code == 302
    assert client.session["_auth_user_id"] == str(focal.user.pk)


def test_x_forwarded_for_counts_only_behind_a_trusted_proxy(client, settings):
    UserFactory(username="gina")
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"x{n}", "guess", A)
    # without a trusted proxy, a forged header does not move the client out of its locked address
    response = client.post(
        reverse("login"), {"username": "gina", "password": PASSWORD}, REMOTE_ADDR=A, HTTP_X_FORWARDED_FOR=B
    )
    assert response.status_code == 429
    settings.TRUSTED_PROXY_COUNT = 1
    # behind one proxy (REMOTE_ADDR is the proxy), the client is the address the proxy saw
    response = client.post(
        reverse("login"),
        {"username": "gina", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=B,
    )
    assert response.status_code == 302
