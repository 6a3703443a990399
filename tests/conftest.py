import collections
import datetime
import json
import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation


@pytest.fixture(autouse=True)
def fresh_cache():
    # API throttle counters and failed-guess counts (activities.security) live in the cache, which
    # outlives a test: one test's requests must not throttle the next one's. (Cleared before each
    # test only: after it, a test's own CACHES setting may still point at a server that is down.)
    cache.clear()


@pytest.fixture(autouse=True)
def site_language():
    # LocaleMiddleware activates the request's language in the thread and leaves it there after the
    # response (the next request activates its own): a test that asked for Farsi would otherwise hand
    # Farsi to the next test that calls a builder or a service directly.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    # Tests run with DEBUG off, where the settings pick whitenoise's manifest storage; pages would
    # then need `collectstatic` to have run before they could render.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Real hashers are slow by design; tests check behaviour, not password strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded(db):
    """The real seed fixtures, loaded as `manage.py seed` loads them."""
    call_command("seed", verbosity=0)


@pytest.fixture
def seeded_open_round(transactional_db):
    """The real seed data, committed (for a live server's thread), and an open round of the Persian Leopard
    strategy, opened 30 days ago and due in 21 days: what the browser tests and the journeys start from."""
    from activities.models import Strategy
    from tests.factories import ReportingRoundFactory

    call_command("seed", verbosity=0)
    today = timezone.localdate()
    return ReportingRoundFactory(
        strategy=Strategy.objects.get(slug="persian-leopard-2023-2032"),
        name=f"{today.year} annual",
        opens_on=today - datetime.timedelta(days=30),
        deadline=today + datetime.timedelta(days=21),
    )


PASSWORD = "correct horse battery staple"  # the factories' password


def sign_in(
    page,
    username,
    *,
    base=None,
    password=PASSWORD,
    username_label="Username",
    password_label="Password",
    button="Sign in",
):
    """Sign in through the login page of the live server at `base` (default: the page's own base, which
    the journeys' new_page sets), and wait for the home page."""
    page.goto((base or page.base) + reverse("login"))
    page.get_by_label(username_label).fill(username)
    page.get_by_label(password_label).fill(password)
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"**{reverse('activities:home')}")


def follow(locator, **click):
    """Click what leads to another page and wait until that page has loaded. A bare click returns once the
    navigation starts, so what is asserted next could still be read from the page being left (the race
    that failed CI on a busy machine)."""
    with locator.page.expect_navigation():
        locator.click(**click)


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "secretariat-test", "s@example.org", "pw-for-tests-only"
    )
    client.force_login(user)
    return client


CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google's hosts,
# which this network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_browser():
    """Debian's Chromium driven by Playwright (browsers cannot be downloaded here)."""
    import os

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    # Playwright's sync API runs an event loop; Django's ORM refuses to run inside one unless told.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pytest_terminal_summary(terminalreporter):
    """The schema-fuzz figures of this run, every xdist worker's added up (tests/schemathesis/): cases,
    response statuses, failures per check and how many of them the allow-list explains. Here, because
    the xdist controller loads no conftest below this one."""
    from tests.schemathesis import FIGURES_DIR

    totals = collections.defaultdict(collections.Counter)
    for path in FIGURES_DIR.glob(f"{os.getpid()}-*.json"):
        for name, counts in json.loads(path.read_text()).items():
            totals[name].update(counts)
        path.unlink()
    if totals:
        terminalreporter.section("schemathesis figures")
        for name, counts in totals.items():
            terminalreporter.write_line(f"{name}: {dict(sorted(counts.items()))}")
