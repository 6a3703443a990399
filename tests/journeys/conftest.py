"""What the journeys share: the seeded site with an open round and the people in it, a browser page that
keeps a screenshot when its test fails, signing in, and axe-core."""

import os
import re
import tempfile
from pathlib import Path

import pytest

from activities.models import RangeState
from tests.conftest import CHROMIUM
from tests.conftest import PASSWORD as PASSWORD  # re-exported: the journeys sign in with it
from tests.conftest import sign_in as sign_in  # re-exported: the journeys import it from here
from tests.factories import FocalPointFactory, SecretariatUserFactory, UserFactory

DESKTOP = {"width": 1280, "height": 900}
ROOT = Path(__file__).resolve().parents[2]
# Fetched by scripts/ensure-axe.sh (`make test-tools`, run by `make test` and `make journeys`).
AXE_JS = ROOT / ".cache" / "axe-core" / "package" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("JOURNEY_ARTIFACTS", Path(tempfile.gettempdir()) / "journeys"))


@pytest.fixture(scope="session")
def browser(request):
    """The shared Chromium (tests/conftest.py); the journeys are skipped, saying why, only when it is not
    installed outside CI (`make test` installs it, so in CI a missing browser fails)."""
    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip(f"{CHROMIUM} is not installed: `make test-tools` (as root) installs it")
    return request.getfixturevalue("chromium_browser")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.journey_failed = report.failed
    return report


@pytest.fixture
def new_page(request, browser, live_server):
    """Open a browser context (one person, own cookies) and page; at the end of a failed test every open
    page is saved as a screenshot under ARTIFACTS."""
    opened = []

    def open_page(*, lang=None, viewport=DESKTOP, **options):
        headers = {"Accept-Language": lang} if lang else None
        context = browser.new_context(viewport=viewport, extra_http_headers=headers, **options)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.base = live_server.url
        opened.append(page)
        return page

    yield open_page
    failed = getattr(request.node, "journey_failed", False)
    for n, page in enumerate(opened):
        if failed and not page.is_closed():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
            path = ARTIFACTS / f"{name}-{n}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
                print(f"screenshot of the failing page {page.url}: {path}")
            except Exception as error:  # a crashed page must not hide the test's own failure
                print(f"no screenshot of {page.url}: {error}")
        page.context.close()


@pytest.fixture
def site(seeded_open_round):
    """The real seed data (committed, for the live server's thread), an open round (tests/conftest.py),
    Armenia's and Iran's focal points and two members of the Secretariat."""
    reporting_round = seeded_open_round
    strategy = reporting_round.strategy
    armenia, iran = RangeState.objects.get(iso_code="AM"), RangeState.objects.get(iso_code="IR")
    return {
        "strategy": strategy,
        "round": reporting_round,
        "armenia": armenia,
        "iran": iran,
        "focal": FocalPointFactory(user=UserFactory(username="focal-armenia"), range_state=armenia).user,
        "focal_iran": FocalPointFactory(user=UserFactory(username="focal-iran"), range_state=iran).user,
        "reviewer": SecretariatUserFactory(username="secretariat-returns"),
        "approver": SecretariatUserFactory(username="secretariat-approves"),
    }


@pytest.fixture(scope="session")
def axe_source():
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: scripts/ensure-axe.sh fetches it (`make test-tools` runs it)")
    return AXE_JS.read_text()


SERIOUS = ("serious", "critical")
AXE_FIGURES = {}


class Audit:
    """axe-core run on each page a journey visits. The script is evaluated through the DevTools protocol
    (page.evaluate), which the page's Content-Security-Policy does not govern, so the site's real CSP
    stays on (no bypass_csp) and the pages are audited as served. The serious and critical violations of
    every page are gathered and asserted at the end, so one run lists them all."""

    def __init__(self, source, label):
        self.source, self.label, self.problems = source, label, []

    def __call__(self, page):
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(self.source)
        found = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                .map(v => ({id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' '))}))"""
        )
        path = page.url.removeprefix(page.base)
        counts = {
            impact: sum(1 for v in found if v["impact"] == impact)
            for impact in ("critical", "serious", "moderate", "minor")
        }
        key = f"{self.label} {re.sub(r'/[0-9]+/', '/<pk>/', path)}"
        # A page seen by several people (or in several states) keeps its worst figures.
        AXE_FIGURES[key] = {k: max(n, AXE_FIGURES.get(key, {}).get(k, 0)) for k, n in counts.items()}
        self.problems += [
            f"{path}: {v['impact']} {v['id']} at {', '.join(v['targets'][:3])}"
            for v in found
            if v["impact"] in SERIOUS
        ]

    def assert_clean(self):
        assert not self.problems, "axe-core found serious or critical violations:\n" + "\n".join(
            self.problems
        )


@pytest.fixture
def audit(axe_source, request):
    return lambda label: Audit(axe_source, label)


def pytest_terminal_summary(terminalreporter):
    if AXE_FIGURES:
        terminalreporter.section("axe-core violations per page (critical/serious/moderate/minor)")
        for page, c in sorted(AXE_FIGURES.items()):
            terminalreporter.write_line(
                f"{page}: {c['critical']}/{c['serious']}/{c['moderate']}/{c['minor']}"
            )
