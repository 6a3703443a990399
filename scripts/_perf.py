"""Shared by scripts/benchmark.py and scripts/loadtest.py: Django set-up in the measuring process, a
production-like gunicorn on a free loopback port, signed-in sessions and API tokens for the people in
the dataset, and what to measure on it (the seeded strategy, the largest, a busy focal point…).

The measuring process and the server share DATABASE_URL and DJANGO_SECRET_KEY: sessions made here are
signed with that key, and the floors and checks read the same database the server serves."""

import contextlib
import http.client
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The benchmark measures the work a request costs, not the rate limit: the server it starts allows
# any rate (a partner's sync running into 429 is a different question).
UNTHROTTLED = "100000000/minute"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to the database to measure (see `manage.py generate_dataset`).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strategy_tracker.settings")
    # The server runs with DEBUG off, as in production; so does this process (same templates, storage).
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(40))
    os.environ.setdefault("DJANGO_STATIC_ROOT", tempfile.mkdtemp(prefix="strategy-tracker-static-"))
    os.environ.setdefault("API_THROTTLE_ANON", UNTHROTTLED)
    os.environ.setdefault("API_THROTTLE_USER", UNTHROTTLED)
    # Loopback, plain HTTP: production settings would redirect every request to HTTPS.
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver", "127.0.0.1", "localhost"]
    from django.core.management import call_command

    # WhiteNoise's manifest storage (DEBUG off) renders no page before collectstatic has run.
    call_command("collectstatic", interactive=False, verbosity=0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env() -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_COOKIES="0",  # plain HTTP on loopback
        DJANGO_SECURE_SSL_REDIRECT="0",  # (with DEBUG off it redirects to HTTPS by default)
    )
    return env


class Server:
    """gunicorn with production settings (DEBUG off, WhiteNoise's manifest storage, CONN_MAX_AGE as set)."""

    def __init__(self, *, workers: int = 2, args: tuple = ()):
        self.workers, self.args = workers, args
        self.port = free_port()
        self.process = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        env = server_env()  # DJANGO_STATIC_ROOT: the files setup_django() collected
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "strategy_tracker.wsgi:application",
            f"--workers={self.workers}",
            f"--bind=127.0.0.1:{self.port}",
            "--log-level=warning",
            "--timeout=120",
            *self.args,
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with code {self.process.returncode}")
            try:
                status, _, _ = request("GET", self.base, "/")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def request(method: str, base: str, path: str, *, body: bytes | None = None, headers: dict | None = None):
    """One request on a new connection (gunicorn's sync workers close it after each response)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, dict(response.getheaders()), data
    finally:
        connection.close()


def session_cookie(user) -> str:
    """A signed-in session for `user`, as django.contrib.auth.login() would store it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def api_token(user, *, name: str, scope: str) -> str:
    """A new API token for `user`; returns the key (only its hash is stored)."""
    from activities.api.authentication import generate_key
    from activities.models import APIToken

    key, prefix, key_hash = generate_key()
    APIToken.objects.create(user=user, name=name, scope=scope, prefix=prefix, key_hash=key_hash)
    return key


@dataclass
class Subjects:
    """What the benchmark and the load test measure, chosen from the data (the same on every run)."""

    seeded: object  # the Persian Leopard strategy, if present
    largest: object  # the strategy with most activities: what /reports/ opens by default
    focal_point: object  # the focal point with the most open rounds × Range States
    focal_states: list
    reviewer: object  # a Secretariat member who is not a superuser
    national_state: object
    national_round: object
    filter_state: object  # the Range State with the most approved entries
    updated_since: object  # the time after which about 1% of the approved entries changed
    create_activity: object  # an activity the focal point may report on, in one of their states
    create_state: object


def subjects() -> Subjects:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from activities.models import (
        Activity,
        FocalPoint,
        ProgressEntry,
        RangeState,
        ReportingRound,
        Strategy,
    )
    from activities.permissions import SECRETARIAT_GROUP

    # The strategy a report opens with when none is chosen (the one with most activities), as the
    # reports themselves decide it: they redirect to it.
    location = Client().get(reverse("reporting:dashboard"))["Location"]
    slug = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["strategy"][0]
    largest = Strategy.objects.get(slug=slug)
    seeded = Strategy.objects.filter(slug="persian-leopard-2023-2032").first()
    open_rounds = list(
        ReportingRound.objects.filter(closed_at__isnull=True).values_list("strategy_id", flat=True)
    )
    members = {}
    for strategy_id, state_id in Strategy.range_states.through.objects.values_list(
        "strategy_id", "rangestate_id"
    ):
        members.setdefault(state_id, set()).add(strategy_id)
    load = {}
    for user_id, state_id in FocalPoint.objects.order_by("pk").values_list("user_id", "range_state_id"):
        load[user_id] = load.get(user_id, 0) + sum(1 for s in open_rounds if s in members.get(state_id, ()))
    User = get_user_model()
    focal = User.objects.get(pk=max(load, key=lambda pk: (load[pk], -pk))) if load else None
    focal_states = list(RangeState.objects.filter(focal_points__user=focal).order_by("name")) if focal else []
    reviewer = (
        User.objects.filter(groups__name=SECRETARIAT_GROUP, is_superuser=False, is_active=True)
        .order_by("pk")
        .first()
    )
    approved = ProgressEntry.objects.approved()
    national_round = (
        ReportingRound.objects.filter(strategy=largest, closed_at__isnull=False).order_by("-deadline").first()
    )
    national_state = None
    if national_round:
        row = (
            approved.filter(reporting_round=national_round, range_state__isnull=False)
            .values("range_state")
            .annotate(n=Count("pk"))
            .order_by("-n", "range_state")
            .first()
        )
        national_state = RangeState.objects.get(pk=row["range_state"]) if row else None
    busiest = (
        approved.filter(range_state__isnull=False)
        .values("range_state")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    filter_state = RangeState.objects.get(pk=busiest["range_state"]) if busiest else None
    n = approved.count()
    marker = (
        approved.order_by("-updated_at").values_list("updated_at", flat=True)[max(n // 100 - 1, 0)]
        if n
        else None
    )
    create_state = next((s for s in focal_states if members.get(s.pk)), None)
    create_activity = (
        Activity.objects.filter(strategy__in=members.get(create_state.pk, ()))
        .order_by("strategy_id", "sort_key")
        .first()
        if create_state
        else None
    )
    return Subjects(
        seeded=seeded,
        largest=largest,
        focal_point=focal,
        focal_states=focal_states,
        reviewer=reviewer,
        national_state=national_state,
        national_round=national_round,
        filter_state=filter_state,
        updated_since=marker,
        create_activity=create_activity,
        create_state=create_state,
    )


def machine() -> dict:
    """What a figure was measured on, and what else was running at the time."""
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    busy = subprocess.run(
        ["ps", "-eo", "pcpu,args", "--sort=-pcpu"], capture_output=True, text=True, check=False
    ).stdout.splitlines()[1:6]
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
        "busiest_processes": [line.strip()[:160] for line in busy],
    }


def database() -> dict:
    from django.db import connection

    from activities.models import ActivityStateStatus, DomainEvent, ProgressEntry, Strategy

    info = {"vendor": connection.vendor}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            info["version"] = cursor.fetchone()[0].split(" (")[0]  # e.g. "PostgreSQL 15.18"
    info |= {
        "strategies": Strategy.objects.count(),
        "progress entries": ProgressEntry.objects.count(),
        "history rows": ProgressEntry.history.count(),
        "domain events": DomainEvent.objects.count(),
        "activity state statuses": ActivityStateStatus.objects.count(),
    }
    return info
