"""The browse pages as a phone and a desktop browser render them (headless Chromium, no JavaScript)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from activities.models import Activity, Strategy

pytestmark = [pytest.mark.browser]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def site(transactional_db):
    """The real seed data, committed so that the live server's thread sees it."""
    call_command("seed", verbosity=0)
    return Strategy.objects.get(slug="persian-leopard-2023-2032")


def open_page(browser, url, viewport):
    # No JavaScript: every page must read well without it.
    context = browser.new_context(viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    response = page.goto(url)
    assert response.status == 200
    return context, page


def horizontal_overflow(browser, url, viewport):
    """How many CSS pixels the page is wider than the viewport (measured with JavaScript on)."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(url)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    return overflow


def test_strategy_page_fits_a_phone_screen(live_server, chromium_browser, site):
    url = live_server.url + site.get_absolute_url()
    assert horizontal_overflow(chromium_browser, url, PHONE) <= 0
    context, page = open_page(chromium_browser, url, PHONE)
    assert page.locator("h1").count() == 1
    # The outline starts folded to objectives; a link to an activity opens its objective (the browser
    # expands the <details> that holds the fragment's target).
    assert not page.locator("#activity-1\\.1\\.1\\.a").is_visible()
    page.goto(url + "#activity-1.1.1.a")
    assert page.locator("#activity-1\\.1\\.1\\.a").is_visible()
    page.screenshot(path="/tmp/strategy-phone.png")
    page.goto(url + "#result-1.2")
    page.screenshot(path="/tmp/strategy-phone-result.png")
    context.close()


def test_strategy_page_on_a_desktop_screen(live_server, chromium_browser, site):
    url = live_server.url + site.get_absolute_url()
    assert horizontal_overflow(chromium_browser, url, DESKTOP) <= 0
    context, page = open_page(chromium_browser, url, DESKTOP)
    page.screenshot(path="/tmp/strategy-desktop.png")
    context.close()


def test_other_pages_fit_a_phone_screen(live_server, chromium_browser, site):
    activity = Activity.objects.get(strategy=site, code="1.1.1.a")
    caucasus = Strategy.objects.exclude(pk=site.pk).filter(activities__isnull=True).first()
    urls = [reverse("activities:strategy-list"), activity.get_absolute_url()]
    if caucasus:
        urls.append(caucasus.get_absolute_url())
    for path in urls:
        assert horizontal_overflow(chromium_browser, live_server.url + path, PHONE) <= 0, path
    context, page = open_page(chromium_browser, live_server.url + activity.get_absolute_url(), PHONE)
    page.screenshot(path="/tmp/activity-phone.png", full_page=True)
    context.close()


def test_keyboard_focus_is_visible_and_the_skip_link_works(live_server, chromium_browser, site):
    context = chromium_browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + site.get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    context.close()
