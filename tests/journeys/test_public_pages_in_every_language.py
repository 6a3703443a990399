"""The public pages a partner or a minister's office opens, in English, Russian and Farsi, audited by
axe-core (serious and critical violations fail) and checked for language, direction and width on a phone.
The focal point's pages have their own journey in each language (test_journeys.py)."""

import pytest
from django.urls import reverse

from activities.models import Activity, Meeting
from reporting.reports.registry import REPORTS

pytestmark = [pytest.mark.browser]

PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("lang, direction", [("en", "ltr"), ("ru", "ltr"), ("fa", "rtl")])
def test_the_public_pages_are_accessible_and_fit_a_phone_in_each_language(
    new_page, site, audit, lang, direction
):
    strategy, reporting_round = site["strategy"], site["round"]
    activity = Activity.objects.filter(strategy=strategy).order_by("sort_key").first()
    meeting = Meeting.objects.order_by("pk").first()
    paths = [
        reverse("activities:home"),
        strategy.get_absolute_url(),
        activity.get_absolute_url(),
        reverse("activities:meeting-detail", kwargs={"slug": meeting.slug}),
        reverse("reporting:index"),
        reverse("activities:meeting-list"),
        reverse("activities:species-list"),
        reverse("activities:species-detail", args=["persian-leopard"]),
        reverse("activities:ecoregionalplan-detail", args=["ecp-caucasus-2020"]),
        reverse("activities:landscape-detail", args=["ecp-caucasus-2020", "12"]),
        reverse("activities:funding"),
        reverse("activities:programme-detail", args=["sos-central-asia"]),
    ]
    for report in REPORTS:
        params = f"strategy={strategy.slug}"
        if report.slug == "national":
            params += f"&range_state=AM&reporting_round={reporting_round.pk}"
        paths.append(f"{reverse(f'reporting:{report.slug}')}?{params}")

    check = audit(lang)
    page = new_page(lang=f"{lang},en;q=0.5", viewport=PHONE)
    wide = {}
    for path in paths:
        assert page.goto(page.base + path).status == 200, path
        html = page.locator("html")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == (lang, direction), path
        check(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            wide[path] = overflow
    check.assert_clean()
    assert wide == {}
