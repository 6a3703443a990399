"""Two-factor sign-in (TOTP): Secretariat accounts enrol an authenticator app; an enrolled account signs
in with its password and then a code, on the sign-in page and for the admin; wrong and replayed codes
are refused and count towards the lockout; superusers must enrol when REQUIRE_2FA_FOR_SUPERUSERS is on;
a superuser removes a lost device with a command."""

import base64
import io
import re

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from activities.two_factor import TWO_FACTOR_PENDING_KEY
from activities.views.accounts import ENROL_KEY_SESSION_KEY
from tests.factories import FocalPointFactory, SecretariatUserFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"  # the factories' password
A, B = "203.0.113.1", "203.0.113.2"


def code_for(key: bytes, offset: int = 0) -> str:
    return f"{totp(key, drift=offset):06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def password_step(client, user, next_url="", ip=A):
    data = {"username": user.username, "password": PASSWORD, "next": next_url}
    return client.post(reverse("login"), data, REMOTE_ADDR=ip)


def code_step(client, code, ip=A):
    return client.post(reverse("two-factor-verify"), {"otp_token": code}, REMOTE_ADDR=ip)


def signed_in_as(client):
    return client.session.get("_auth_user_id")


# --- enrolment ------------------------------------------------------------------------------------


def test_a_secretariat_member_enrols_by_scanning_the_qr_code_and_confirming_a_first_code(client):
    user = SecretariatUserFactory()
    client.force_login(user)
    page = client.get(reverse("two-factor-enrol"))
    assert page.status_code == 200
    html = page.content.decode()
    # the QR code is inline SVG, made on the server, with nothing the strict CSP would block
    svg = re.search(r"<svg class=\"qr-code\"[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "style=" not in svg and "<script" not in svg
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    # the secret is shown as text for manual entry, and is the key the server keeps
    key = bytes.fromhex(client.session[ENROL_KEY_SESSION_KEY])
    secret = re.search(r'<code class="secret" id="otp-secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert base64.b32decode(secret.replace(" ", "")) == key

    wrong = client.post(reverse("two-factor-enrol"), {"otp_token": code_for(key, offset=5)})
    assert wrong.status_code == 200 and "not the code the app shows now" in wrong.content.decode()
    assert not TOTPDevice.objects.exists()
    letters = client.post(reverse("two-factor-enrol"), {"otp_token": "12345a"})
    assert "Enter the 6 digits" in letters.content.decode()

    done = client.post(reverse("two-factor-enrol"), {"otp_token": code_for(key)})
    assert done.status_code == 302
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.bin_key == key
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # this session is verified
    # the enrolment code is spent, and the page now says two-factor sign-in is on
    client.logout()
    password_step(client, user)
    assert code_step(client, code_for(key)).status_code == 200 and not signed_in_as(client)
    client.force_login(user)  # no code: signed out again by the first request
    assert client.get(reverse("two-factor-enrol")).status_code == 302 and not signed_in_as(client)


def test_focal_points_are_not_offered_two_factor_enrolment(client):
    client.force_login(FocalPointFactory().user)
    response = client.get(reverse("two-factor-enrol"))
    assert response.status_code == 403
    assert "Two-factor sign-in is for Secretariat accounts" in response.content.decode()


def test_an_enrolled_account_sees_that_it_is_on_and_cannot_enrol_a_second_device(client):
    user = SecretariatUserFactory()
    device = enrolled(user)
    password_step(client, user)
    code_step(client, code_for(device.bin_key))
    page = client.get(reverse("two-factor-enrol"))
    assert "Two-factor sign-in is on for this account" in page.content.decode()
    assert "qr-code" not in page.content.decode()


# --- signing in -----------------------------------------------------------------------------------


def test_an_enrolled_account_is_signed_in_only_after_the_code(client):
    user = SecretariatUserFactory()
    device = enrolled(user)
    response = password_step(client, user, next_url=reverse("activities:review-queue"))
    assert response.status_code == 302 and response["Location"] == reverse("two-factor-verify")
    assert not signed_in_as(client)
    assert client.get(reverse("activities:home")).status_code == 302  # still anonymous
    page = client.get(reverse("two-factor-verify"))
    assert page.status_code == 200 and user.username in page.content.decode()
    response = code_step(client, code_for(device.bin_key))
    assert response.status_code == 302 and response["Location"] == reverse("activities:review-queue")
    assert signed_in_as(client) == str(user.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert TWO_FACTOR_PENDING_KEY not in client.session
    assert client.get(reverse("activities:review-queue")).status_code == 200


def test_an_account_without_a_device_signs_in_with_its_password_alone(client):
    user = SecretariatUserFactory()
    assert password_step(client, user).status_code == 302
    assert signed_in_as(client) == str(user.pk)
    assert client.get(reverse("activities:home")).status_code == 200


def test_a_wrong_code_is_refused_and_counted_as_a_failed_sign_in(client):
    user = SecretariatUserFactory()
    device = enrolled(user)
    password_step(client, user)
    response = code_step(client, code_for(device.bin_key, offset=10))
    assert response.status_code == 200
    assert "That code is not right, or it has been used already" in response.content.decode()
    assert not signed_in_as(client)
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.failures_since_start == 1
    assert code_for(device.bin_key, offset=10) not in attempt.post_data  # codes are not kept


def test_a_code_used_once_is_refused_the_second_time(client):
    user = SecretariatUserFactory()
    device = enrolled(user)
    code = code_for(device.bin_key)
    password_step(client, user)
    assert code_step(client, code).status_code == 302
    client.logout()
    password_step(client, user, ip=B)
    replay = code_step(client, code, ip=B)
    assert replay.status_code == 200 and "has been used already" in replay.content.decode()
    assert not signed_in_as(client)


def test_repeated_wrong_codes_lock_the_account_like_wrong_passwords(client, settings):
    user = SecretariatUserFactory()
    device = enrolled(user)
    wrong = code_for(device.bin_key, offset=10)  # ten steps ahead: outside the accepted window
    password_step(client, user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert code_step(client, wrong).status_code == 200
    locked = code_step(client, wrong)
    assert locked.status_code == 429 and "Sign-in locked for now" in locked.content.decode()
    # the right code does not help now, nor the right password from another address
    assert code_step(client, code_for(device.bin_key)).status_code == 429
    assert not signed_in_as(client)
    assert password_step(client, user, ip=B).status_code == 429


def test_the_code_step_needs_a_recent_password_step_in_the_same_browser(client):
    user = SecretariatUserFactory()
    device = enrolled(user)
    response = code_step(client, code_for(device.bin_key))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    password_step(client, user)
    session = client.session
    session[TWO_FACTOR_PENDING_KEY] = {**session[TWO_FACTOR_PENDING_KEY], "started": 0}
    session.save()
    response = code_step(client, code_for(device.bin_key))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not signed_in_as(client)


def test_a_session_of_an_enrolled_account_that_skipped_the_code_is_signed_out(client):
    # e.g. a sign-in that did not go through the code step; every path is covered by the middleware
    user = SecretariatUserFactory()
    enrolled(user)
    client.force_login(user)
    response = client.get(reverse("activities:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not signed_in_as(client)


# --- the admin ------------------------------------------------------------------------------------


def test_the_admin_signs_in_on_the_sign_in_page_with_its_code_step(client):
    staff = StaffUserFactory()
    device = enrolled(staff)
    # the admin's login (GET, or a password POSTed to it) is the site's sign-in page
    for response in (client.get(reverse("admin:login")), client.post(reverse("admin:login"), {})):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next=%2Fadmin%2F"
    posted = client.post(reverse("admin:login"), {"username": staff.username, "password": PASSWORD})
    assert posted.status_code == 302 and not signed_in_as(client)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("admin:login"))
    # password, then code: in the admin
    assert password_step(client, staff, next_url=reverse("admin:index"))["Location"] == reverse(
        "two-factor-verify"
    )
    assert client.get(reverse("admin:index")).status_code == 302  # not before the code
    response = code_step(client, code_for(device.bin_key))
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_superusers_see_who_has_two_factor_sign_in_but_not_the_secret_keys(client):
    device = enrolled(SecretariatUserFactory(username="reviewer-2fa"))
    superuser = StaffUserFactory()
    client.force_login(superuser)
    listing = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert listing.status_code == 200 and "reviewer-2fa" in listing.content.decode()
    detail = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert detail.status_code == 200 and device.key not in detail.content.decode()
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    client.force_login(UserFactory(is_staff=True))  # staff, not a superuser
    assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 403


# --- the requirement for superusers ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/reports/", "/admin/", "/home/"])
def test_with_the_requirement_on_a_superuser_must_enrol_before_anything_else(client, settings, path):
    settings.REQUIRE_2FA_FOR_SUPERUSERS = True
    client.force_login(StaffUserFactory())
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two-factor-enrol')}?next={path.replace('/', '%2F')}"
    assert client.get(reverse("two-factor-enrol")).status_code == 200


def test_with_the_requirement_on_the_api_tells_a_superusers_session_to_enrol_in_json(client, settings):
    settings.REQUIRE_2FA_FOR_SUPERUSERS = True
    client.force_login(StaffUserFactory())
    response = client.get(reverse("api:activity-list"))
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "two_factor_required"


def test_with_the_requirement_on_a_superuser_enrols_and_then_uses_the_site(client, settings):
    settings.REQUIRE_2FA_FOR_SUPERUSERS = True
    superuser = StaffUserFactory()
    client.force_login(superuser)
    client.get(f"{reverse('two-factor-enrol')}?next=/admin/")
    key = bytes.fromhex(client.session[ENROL_KEY_SESSION_KEY])
    response = client.post(reverse("two-factor-enrol"), {"otp_token": code_for(key), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # signing out is always possible
    assert client.post(reverse("logout")).status_code == 302


def test_a_superuser_who_enrolled_in_another_browser_signs_in_again_there_with_the_code(client, settings):
    settings.REQUIRE_2FA_FOR_SUPERUSERS = True
    superuser = StaffUserFactory()
    client.force_login(superuser)  # this browser's session began before the enrolment
    device = enrolled(superuser)  # ... done in another browser
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not signed_in_as(client)
    password_step(client, superuser, next_url="/admin/")
    assert code_step(client, code_for(device.bin_key))["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_with_the_requirement_off_or_for_other_accounts_nobody_is_forced(client, settings):
    settings.REQUIRE_2FA_FOR_SUPERUSERS = False
    client.force_login(StaffUserFactory())
    assert client.get("/admin/").status_code == 200
    settings.REQUIRE_2FA_FOR_SUPERUSERS = True
    client.force_login(SecretariatUserFactory())  # Secretariat staff who are not superusers
    assert client.get(reverse("activities:home")).status_code == 200


def test_the_requirement_is_on_in_production_and_off_in_development():
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = "from django.conf import settings; print(settings.REQUIRE_2FA_FOR_SUPERUSERS)"
    env = {k: v for k, v in os.environ.items() if k != "REQUIRE_2FA_FOR_SUPERUSERS"}
    for debug, expected in (("0", "True"), ("1", "False")):
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=Path(__file__).resolve().parents[1],
            env=env | {"DJANGO_DEBUG": debug},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.stdout.strip().splitlines()[-1] == expected, done.stderr


# --- recovery ---------------------------------------------------------------------------------------


def test_a_superuser_removes_a_lost_device_and_its_sessions_end(client):
    user = SecretariatUserFactory(username="lost-phone")
    device = enrolled(user)
    StaffUserFactory(username="root")
    password_step(client, user)
    code_step(client, code_for(device.bin_key))
    assert client.get(reverse("activities:home")).status_code == 200
    with pytest.raises(CommandError, match="not an active superuser"):
        call_command("remove_two_factor", "lost-phone", "--by", "lost-phone")
    out = io.StringIO()
    call_command("remove_two_factor", "lost-phone", "--by", "root", stdout=out)
    assert "Removed 1 two-factor device(s) of lost-phone" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=user).exists()
    # the session verified by the removed device ends; the password alone signs in now
    assert client.get(reverse("activities:home")).status_code == 302
    assert password_step(client, user).status_code == 302 and signed_in_as(client) == str(user.pk)
    with pytest.raises(CommandError, match="no two-factor device"):
        call_command("remove_two_factor", "lost-phone", "--by", "root")
    with pytest.raises(CommandError, match="no user"):
        call_command("remove_two_factor", "nobody", "--by", "root")
