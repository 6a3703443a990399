"""Response headers and sessions: a Content-Security-Policy without 'unsafe-inline' on the app's own pages
(the API docs have their own), Permissions-Policy, HSTS and the HTTPS redirect in production behind a
TLS proxy, `check --deploy` clean under production settings, and shorter idle sessions for staff."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.security import STAFF_RESAVE_SECONDS, STAFF_SEEN_KEY
from tests.factories import FocalPointFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIRS = [
    ROOT / "templates",
    ROOT / "accounts",
    ROOT / "activities",
    ROOT / "notifications",
    ROOT / "reporting",
]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "path", ["/", "/reports/", "/accounts/login/", "/api/v1/", "/admin/login/", "/no-such-page/"]
)
def test_the_apps_pages_have_a_strict_content_security_policy(client, path):
    response = client.get(path)
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_the_api_docs_have_their_own_policy_and_still_no_inline_script(client, name):
    response = client.get(reverse(name))
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in directives["style-src"]
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"


def test_no_template_has_inline_script_or_style():
    offenders = []
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            if "email" in template.parts:
                continue  # e-mails are read in mail programs, which need inline styles; no CSP applies there
            text = template.read_text()
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", text):
                offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def test_staff_sessions_expire_after_a_short_idle_time_others_keep_theirs(client, settings):
    client.force_login(StaffUserFactory())
    client.get(reverse("activities:home"))
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_IDLE_MINUTES * 60 == 1800
    client.logout()
    client.force_login(FocalPointFactory().user)
    client.get(reverse("activities:home"))
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 14 * 24 * 3600


def session_writes(client, path) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]


def test_a_staff_session_is_armed_at_sign_in_so_requests_write_it_only_every_few_minutes(client):
    client.force_login(StaffUserFactory())
    armed = Session.objects.get().expire_date
    # the first request after signing in, and the next ones, write nothing
    assert session_writes(client, reverse("activities:home")) == []
    assert session_writes(client, reverse("activities:home")) == []
    assert Session.objects.get().expire_date == armed
    # once the clock was last re-armed more than a few minutes ago, a request re-arms it
    session = client.session
    session[STAFF_SEEN_KEY] -= STAFF_RESAVE_SECONDS
    session.save()
    before = Session.objects.get().expire_date
    assert session_writes(client, reverse("activities:home")) != []
    assert Session.objects.get().expire_date > before


def test_an_idle_staff_session_is_signed_out(client):
    client.force_login(StaffUserFactory())
    Session.objects.update(expire_date=Session.objects.get().expire_date - datetime.timedelta(minutes=31))
    response = client.get(reverse("activities:review-queue"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_production_redirects_to_https_and_sends_hsts_behind_the_tls_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_check_deploy_has_no_warnings_under_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env |= {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "q8$w!z2#vT7nL0pXr4eYb9cK1mJ6sH3uF5gD-aQ_oWiE+tRyUlZxCvBn",
        "DJANGO_ALLOWED_HOSTS": "tracker.example.org",
        "DJANGO_BEHIND_TLS_PROXY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
