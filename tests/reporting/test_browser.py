"""The dashboard and the national report as headless Chromium renders them, on screen and printed (PDF)."""

import datetime
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse

from activities import services
from activities.models import Activity, ProgressEntry, RangeState, ReportingRound, Strategy
from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.browser]
S = ProgressEntry.Status
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def site(transactional_db):
    """The real seed data plus approved progress made through the services, committed for the live server."""
    call_command("seed", verbosity=0)
    strategy = Strategy.objects.get(slug="persian-leopard-2023-2032")
    reporter, reviewer = StaffUserFactory(username="reporter"), StaffUserFactory(username="reviewer")
    rnd = ReportingRound.objects.create(
        strategy=strategy,
        name="2025 annual",
        opens_on=datetime.date(2025, 1, 1),
        deadline=datetime.date(2025, 6, 30),
    )
    armenia, iran = RangeState.objects.get(iso_code="AM"), RangeState.objects.get(iso_code="IR")
    statuses = [
        S.COMPLETED,
        S.IN_PROGRESS,
        S.IN_PROGRESS,
        S.DELAYED,
        S.NOT_STARTED,
        S.COMPLETED,
        S.NOT_APPLICABLE,
    ]
    activities = list(Activity.objects.due_in_round(rnd).order_by("sort_key")[:28])
    for i, activity in enumerate(activities):
        for state in (armenia, iran) if i % 3 else (armenia,):
            entry = services.progress_entry_create(
                user=reporter,
                activity=activity,
                range_state=state,
                reporting_date=datetime.date(2025, 5, 1 + i % 28),
                status=statuses[i % len(statuses)],
                narrative=f"{state.name}: work on {activity.code} reported by the national focal point. "
                "Camera-trap surveys were carried out in two protected areas.",
                source="Annual report of the Ministry of Environment, 2025",
                amount_spent_usd=1000 * (i + 1),
                reporting_round=rnd,
                restricted_details="Den sites near the border (restricted)",
            )
            if i % 4 == 0:
                services.evidence_add(
                    user=reporter, entry=entry, title="Survey report", url="https://example.org/survey.pdf"
                )
                services.evidence_add(
                    user=reporter,
                    entry=entry,
                    title="Den map",
                    url="https://example.org/dens",
                    restricted=True,
                )
            services.progress_entry_submit(user=reporter, entry=entry)
            services.progress_entry_approve(user=reviewer, entry=entry)
    return strategy, rnd


def test_dashboard_renders_on_a_desktop_and_a_phone(live_server, chromium_browser, site):
    strategy, _ = site
    path = f"{reverse('reporting:dashboard')}?strategy={strategy.slug}&since=2025-01-01"
    context = chromium_browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    assert page.goto(live_server.url + path).status == 200
    assert page.locator("svg.status-bar[role=img]").count() > 40
    page.screenshot(path="/tmp/report-dashboard.png", full_page=False)
    page.screenshot(path="/tmp/report-dashboard-full.png", full_page=True)
    page.locator("table.rollup").screenshot(path="/tmp/report-dashboard-rollup.png")
    page.locator("#table-changes").locator("..").screenshot(path="/tmp/report-dashboard-changes.png")
    page.goto(f"{live_server.url}{reverse('reporting:matrix')}?strategy={strategy.slug}")
    page.screenshot(path="/tmp/report-matrix.png")
    context.close()
    context = chromium_browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path="/tmp/report-dashboard-phone.png")
    context.close()


def test_national_report_prints_to_pdf(live_server, chromium_browser, site):
    strategy, rnd = site
    path = f"{reverse('reporting:national')}?strategy={strategy.slug}&range_state=AM&reporting_round={rnd.pk}"
    context = chromium_browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    assert page.goto(live_server.url + path).status == 200
    text = page.inner_text("main")
    assert "Den sites" not in text and "example.org/dens" not in text
    page.screenshot(path="/tmp/report-national.png")
    page.emulate_media(media="print")
    assert not page.locator(".filters").is_visible()  # the print layout hides the filters and menus
    page.pdf(path="/tmp/report-national.pdf", format="A4", print_background=True)
    context.close()
    # What the first A4 page looks like (without pdftoppm): the print stylesheet at A4's width in CSS pixels.
    context = chromium_browser.new_context(viewport={"width": 794, "height": 1123}, java_script_enabled=False)
    page = context.new_page()
    page.emulate_media(media="print")
    page.goto(live_server.url + path)
    page.screenshot(path="/tmp/report-national-print.png")
    page.screenshot(
        path="/tmp/report-national-print-2.png",
        clip={"x": 0, "y": 1123, "width": 794, "height": 1123},
        full_page=True,
    )
    context.close()
    with open("/tmp/report-national.pdf", "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "2",
                "/tmp/report-national.pdf",
                "/tmp/report-national-pdf",
            ],
            check=True,
        )


def test_every_report_fits_a_phone_without_scrolling_sideways(live_server, chromium_browser, site):
    """Each report of the registry at 360 px, with a snapshot taken before a later change so that the consolidated report has a changes table whose
    column is named after a meeting (the long label that once pushed the page to 531 px)."""
    from activities.models import Meeting
    from reporting.reports.registry import REPORTS

    strategy, rnd = site
    reviewer = StaffUserFactory(username="reviewer")
    meeting = Meeting.objects.order_by("pk").first()
    services.meeting_snapshot_take(user=reviewer, meeting=meeting, strategy=strategy)
    entry = ProgressEntry.objects.filter(range_state__iso_code="AM").order_by("pk").first()
    later = services.progress_entry_create(
        user=StaffUserFactory(username="reporter"),
        activity=entry.activity,
        range_state=entry.range_state,
        reporting_date=datetime.date(2025, 6, 1),
        status=S.DELAYED,
        narrative="Delayed: the survey team could not reach the second protected area before the snow.",
        reporting_round=rnd,
    )
    services.progress_entry_submit(user=later.reported_by, entry=later)
    services.progress_entry_approve(user=reviewer, entry=later)

    context = chromium_browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    wide = {}
    for report in REPORTS:
        params = f"strategy={strategy.slug}"
        if report.slug == "national":
            params += f"&range_state=AM&reporting_round={rnd.pk}"
        assert page.goto(f"{live_server.url}{reverse(f'reporting:{report.slug}')}?{params}").status == 200
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            wide[report.slug] = overflow
            page.screenshot(path=f"/tmp/report-{report.slug}-phone.png", full_page=True)
    context.close()
    assert wide == {}
