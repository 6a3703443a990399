"""Progress reporting on a phone (headless Chromium): a focal point signs in, reads their home page
and opens the create form; no page is wider than the screen, and everything works without JavaScript."""

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Activity, RangeState
from tests.conftest import follow, sign_in
from tests.factories import FocalPointFactory, UserFactory

pytestmark = [pytest.mark.browser]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def site(seeded_open_round):
    """The real seed data, an open round (tests/conftest.py), and Armenia's focal point with a returned
    entry and one awaiting review."""
    reporting_round = seeded_open_round
    strategy = reporting_round.strategy
    today = timezone.localdate()
    armenia = RangeState.objects.get(iso_code="AM")
    focal = FocalPointFactory(user=UserFactory(username="focal-armenia-test"), range_state=armenia).user
    reviewer = UserFactory(username="secretariat-test", is_superuser=True, is_staff=True)
    activity = Activity.objects.get(strategy=strategy, code="1.1.1.a")
    entry = services.progress_entry_create(
        user=focal,
        activity=activity,
        range_state=armenia,
        reporting_date=today,
        status="in_progress",
        narrative="Camera traps placed along the Khosrov–Zangezur corridor; analysis pending.",
        reporting_round=reporting_round,
    )
    services.progress_entry_submit(user=focal, entry=entry)
    services.progress_entry_return(
        user=reviewer,
        entry=entry,
        comment="Please add the number of camera-trap nights and attach the survey report.",
    )
    pending = services.progress_entry_create(
        user=focal,
        activity=Activity.objects.get(strategy=strategy, code="1.1.2"),
        range_state=armenia,
        reporting_date=today,
        status="completed",
        narrative="Guidelines published and shared with all protected-area administrations.",
        source="Ministry of Environment, letter of 3 March",
        confidence="documented",
        reporting_round=reporting_round,
    )
    services.progress_entry_submit(user=focal, entry=pending)
    return {"focal": focal, "activity": activity, "round": reporting_round}


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_focal_point_reports_from_a_phone(live_server, chromium_browser, site):
    # JavaScript on only to measure the page width; the pages themselves use none.
    context = chromium_browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, "focal-armenia-test", base=live_server.url)

    assert page.locator("h1").inner_text() == "My reporting"
    assert page.get_by_text("Please add the number of camera-trap nights").is_visible()
    assert page.get_by_text("21 days left").is_visible()
    assert overflow(page) <= 0
    page.screenshot(path="/tmp/progress-home-phone.png", full_page=False)
    page.screenshot(path="/tmp/progress-home-phone-full.png", full_page=True)

    follow(page.get_by_role("link", name="Report on 1.1.1.b"))
    assert page.locator("h1").inner_text() == "Report progress on 1.1.1.b"
    assert page.get_by_label("Range State").input_value() == str(RangeState.objects.get(iso_code="AM").pk)
    assert overflow(page) <= 0
    page.screenshot(path="/tmp/progress-form-phone.png", full_page=True)

    # Sending it without a status keeps the narrative and names the field in the summary
    page.get_by_label("Narrative").fill("Rangers trained in two reserves.")
    follow(page.get_by_role("button", name="Save draft"))
    assert page.get_by_role("alert").get_by_text("Status: This field is required.").is_visible()
    assert page.get_by_label("Narrative").input_value() == "Rangers trained in two reserves."
    assert overflow(page) <= 0
    page.screenshot(path="/tmp/progress-form-error-phone.png", full_page=True)

    # The returned entry's page: status, confidence and source side by side, the comment, the history
    page.goto(live_server.url + reverse("activities:home"))
    follow(page.get_by_role("link", name="Activity 1.1.1.a – Armenia"))
    assert page.get_by_text("Returned for changes").first.is_visible()
    assert page.get_by_role("button", name="Resubmit for review").is_visible()
    assert overflow(page) <= 0
    page.screenshot(path="/tmp/progress-entry-phone.png", full_page=True)
    context.close()


def test_the_review_queue_and_round_page_fit_a_phone(live_server, chromium_browser, site):
    context = chromium_browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, "secretariat-test", base=live_server.url)
    page.goto(live_server.url + reverse("activities:review-queue"))
    assert page.get_by_role("button", name="Approve selected").is_visible()
    assert overflow(page) <= 0
    page.screenshot(path="/tmp/progress-review-phone.png", full_page=True)
    page.goto(live_server.url + site["round"].get_absolute_url())
    assert page.get_by_role("table").is_visible()
    assert overflow(page) <= 0
    page.screenshot(path="/tmp/progress-round-phone.png", full_page=True)
    context.close()
