"""The reporting cycle as people live it, in a real browser (Debian's Chromium through Playwright) against
a live server: each journey is one test, a failing one leaves screenshots (tests/journeys/conftest.py)."""

import json
import re

import pytest
from django.urls import reverse

from activities.models import Evidence, ProgressEntry
from tests.conftest import follow
from tests.journeys.conftest import sign_in
from tests.ops.conftest import run_worker

pytestmark = [pytest.mark.browser]

NARRATIVE = "Camera traps placed along the Khosrov–Zangezur corridor; 14 leopards identified."
COMMENT = "Please add the number of camera-trap nights."
FIXED = NARRATIVE + " 3,200 camera-trap nights."


def report_with_evidence(page, site, tmp_path, check):
    """The focal point's part up to the submission: find the due activity, fill the form with a file and a
    link, save a draft, submit it. Returns the entry."""
    check(page)
    follow(page.get_by_role("link", name="Report on 1.1.1.a"))
    check(page)
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Narrative").fill(NARRATIVE)
    report = tmp_path / "survey-report.pdf"
    report.write_bytes(b"%PDF-1.4\n% survey report\n%%EOF\n")
    page.get_by_label("Evidence files").set_input_files(report)
    page.get_by_label("Evidence links").fill("https://example.org/camera-trap-photos")
    follow(page.get_by_role("button", name="Save draft"))
    entry = ProgressEntry.objects.get(activity__code="1.1.1.a", range_state=site["armenia"])
    page.wait_for_url(f"**{entry.get_absolute_url()}")
    check(page)
    assert page.get_by_text(NARRATIVE).is_visible()
    assert page.get_by_role("link", name="survey-report.pdf").is_visible()
    follow(page.get_by_role("button", name="Submit for review"))
    page.wait_for_url(f"**{entry.get_absolute_url()}")
    check(page)
    return entry


def test_the_main_cycle_from_draft_to_approval_and_everywhere_it_shows(new_page, site, tmp_path, audit):
    check = audit("en")
    focal = new_page()
    sign_in(focal, "focal-armenia")
    entry = report_with_evidence(focal, site, tmp_path, check)
    entry.refresh_from_db()
    assert entry.review_state == "submitted"
    assert {e.url or e.file.name.rsplit("/", 1)[-1] for e in Evidence.objects.filter(entry=entry)} >= {
        "https://example.org/camera-trap-photos"
    }
    run_worker()  # the notices are tasks queued after the commit; the worker sends them

    reviewer = new_page()
    sign_in(reviewer, "secretariat-returns")
    reviewer.goto(reviewer.base + reverse("activities:review-queue"))
    check(reviewer)
    follow(reviewer.get_by_role("link", name="Open the entry for 1.1.1.a, Armenia"))
    check(reviewer)
    reviewer.get_by_label("Comment for the reporter").fill(COMMENT)
    follow(reviewer.get_by_role("button", name="Return to the reporter"))
    reviewer.wait_for_url(f"**{entry.get_absolute_url()}")
    entry.refresh_from_db()
    assert entry.review_state == "returned"
    run_worker()

    focal.goto(focal.base + reverse("activities:home"))
    check(focal)
    notices = focal.get_by_role("region", name="Notices")
    assert notices.get_by_text("1.1.1.a").first.is_visible()
    follow(focal.get_by_role("link", name="Activity 1.1.1.a – Armenia").first)
    assert focal.get_by_text(COMMENT, exact=True).is_visible()
    follow(focal.get_by_role("link", name="Edit"))
    check(focal)
    focal.get_by_label("Narrative").fill(FIXED)
    follow(focal.get_by_role("button", name="Save changes"))
    focal.wait_for_url(f"**{entry.get_absolute_url()}")
    follow(focal.get_by_role("button", name="Resubmit for review"))
    focal.wait_for_url(f"**{entry.get_absolute_url()}")
    entry.refresh_from_db()
    assert (entry.review_state, entry.narrative) == ("submitted", FIXED)

    approver = new_page()
    sign_in(approver, "secretariat-approves")
    approver.goto(approver.base + entry.get_absolute_url())
    follow(approver.get_by_role("button", name="Approve", exact=True))
    approver.wait_for_url(f"**{entry.get_absolute_url()}")
    entry.refresh_from_db()
    assert entry.review_state == "approved"

    # Everyone sees it: the dashboard, the matrix, the activity page (anonymous) and the API
    public = new_page()
    strategy = site["strategy"]
    public.goto(public.base + reverse("reporting:dashboard") + f"?strategy={strategy.slug}")
    check(public)
    public.goto(public.base + reverse("reporting:matrix") + f"?strategy={strategy.slug}")
    check(public)
    public.goto(public.base + entry.activity.get_absolute_url())
    check(public)
    assert public.get_by_text(FIXED).first.is_visible()
    response = public.request.get(public.base + f"/api/v1/progress/{entry.pk}/")
    assert response.status == 200
    assert json.loads(response.body())["narrative"] == FIXED
    check.assert_clean()


def test_a_focal_point_opening_another_states_entry_is_refused(new_page, site):
    from activities import services

    iran_entry = services.progress_entry_create(
        user=site["focal_iran"],
        activity=site["strategy"].activities.get(code="1.1.1.a"),
        range_state=site["iran"],
        reporting_date=site["round"].opens_on,
        status="in_progress",
        narrative="Surveys in Golestan National Park.",
        reporting_round=site["round"],
    )
    page = new_page()
    sign_in(page, "focal-armenia")
    response = page.goto(page.base + reverse("activities:progress-edit", args=[iran_entry.pk]))
    assert response.status in (403, 404)
    assert page.get_by_label("Narrative").count() == 0
    assert "Golestan" not in page.content()
    # Sending the form anyway (a forged POST with the page's own CSRF token) changes nothing
    token = page.context.cookies()
    csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
    forged = page.request.post(
        page.base + reverse("activities:progress-edit", args=[iran_entry.pk]),
        form={"narrative": "Overwritten by Armenia", "status": "completed", "version": "1"},
        headers={"X-CSRFToken": csrf, "Referer": page.base + "/"},
    )
    assert forged.status in (403, 404)
    iran_entry.refresh_from_db()
    assert iran_entry.narrative == "Surveys in Golestan National Park."


def test_a_partner_downloads_the_matrix_as_a_workbook_that_opens(new_page, site, tmp_path):
    import openpyxl

    page = new_page(accept_downloads=True)
    page.goto(page.base + reverse("reporting:matrix") + f"?strategy={site['strategy'].slug}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel workbook (all tables)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    cells = [
        str(c) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    ]
    assert "1.1.1.a" in cells
    assert any("Armenia" in c for c in cells)


def test_a_validation_error_keeps_every_typed_field(new_page, site):
    page = new_page()
    sign_in(page, "focal-armenia")
    page.goto(page.base + reverse("activities:progress-create", args=[site["strategy"].slug, "1.1.1.a"]))
    typed = {
        "Narrative": "Rangers trained in two reserves — «Хосров» and «Զանգեզուր».",
        "Source of the information": "Ministry of Environment, letter of 3 March",
        "Restricted details": "Den near the southern ridge",
        "Amount spent (USD)": "1500000000000000",  # far beyond what the field takes: the error
        "Evidence links": "https://example.org/report",
    }
    for label, value in typed.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("Status").select_option("completed")
    page.get_by_role("radio").first.check()
    follow(page.get_by_role("button", name="Save draft"))
    assert page.get_by_role("alert").is_visible()
    for label, value in typed.items():
        assert page.get_by_label(label).input_value() == value, label
    assert page.get_by_label("Status").input_value() == "completed"
    assert page.get_by_role("radio").first.is_checked()
    assert not ProgressEntry.objects.exists()


@pytest.mark.parametrize("lang, direction", [("ru", "ltr"), ("fa", "rtl")])
def test_the_focal_points_part_in_russian_and_in_farsi(new_page, site, tmp_path, audit, lang, direction):
    """The browser asks for the language (Accept-Language); every page answers in it, with the right
    direction. Buttons are found by their translation from the catalogue, so the journey follows the
    catalogue as it grows; the sign-in labels come from Django's own catalogue and are always translated."""
    from django.utils import translation

    with translation.override(lang):
        save, submit = translation.gettext("Save draft"), translation.gettext("Submit for review")
    check = audit(lang)
    page = new_page(lang=f"{lang},en;q=0.5")

    def same_language():
        html = page.locator("html")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == (lang, direction), page.url
        check(page)

    page.goto(page.base + reverse("login"))
    same_language()
    label = page.locator("label[for=id_username]").inner_text()
    assert label.strip() and not label.isascii(), f"the username label is not translated: {label!r}"
    page.locator("[name=username]").fill("focal-armenia")
    page.locator("[name=password]").fill("correct horse battery staple")
    page.locator("[name=password]").press("Enter")
    page.wait_for_url(f"**{reverse('activities:home')}")
    same_language()
    follow(page.locator('a[href*="/activities/1.1.1.a/progress/new/"]').first)
    same_language()
    page.locator("[name=status]").select_option("in_progress")
    page.locator("[name=narrative]").fill("Фотоловушки установлены. تله‌های دوربینی نصب شد.")
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.locator("[name=evidence_files]").set_input_files(report)
    follow(page.get_by_role("button", name=save))
    entry = ProgressEntry.objects.get(activity__code="1.1.1.a", range_state=site["armenia"])
    page.wait_for_url(f"**{entry.get_absolute_url()}")
    same_language()
    follow(page.get_by_role("button", name=submit))
    page.wait_for_url(f"**{entry.get_absolute_url()}")
    same_language()
    entry.refresh_from_db()
    assert entry.review_state == "submitted"
    assert entry.narrative == "Фотоловушки установлены. تله‌های دوربینی نصب شد."
    assert entry.evidence.count() == 1
    check.assert_clean()


def tab_to(page, selector, *, limit=300):
    """Press Tab until the element matching selector has the focus; its focus must be visible."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            target = page.locator("*:focus")
            style = target.evaluate(
                "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.boxShadow] }"
            )
            assert style[0] != "none" or style[2] != "none", f"no visible focus on {selector}: {style}"
            return target
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus in {limit} presses of Tab")


def test_a_focal_point_reports_by_keyboard_alone(new_page, site):
    page = new_page()
    page.goto(page.base + reverse("login"))
    tab_to(page, "[name=username]")  # the sign-in form puts the focus there itself
    page.keyboard.type("focal-armenia")
    tab_to(page, "[name=password]")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('activities:home')}")

    # The first Tab on a page reaches the skip link, which is then shown; Enter moves to the content
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement") and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")

    tab_to(page, 'a[href*="/activities/1.1.1.a/progress/new/"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/activities/1.1.1.a/progress/new/**")
    tab_to(page, "[name=status]")
    page.keyboard.type("In progress")
    tab_to(page, "[name=narrative]")
    page.keyboard.type("Reported with the keyboard alone.")
    tab_to(page, "[name=confidence]")  # a radio group is one Tab stop; the arrows choose in it
    page.keyboard.press("ArrowDown")
    tab_to(page, "form.form button[type=submit]")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"/progress/[0-9]+/$"))
    entry = ProgressEntry.objects.get(activity__code="1.1.1.a", range_state=site["armenia"])
    tab_to(page, 'form[action$="/submit/"] button')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    entry.refresh_from_db()
    assert (entry.status, entry.narrative, entry.review_state) == (
        "in_progress",
        "Reported with the keyboard alone.",
        "submitted",
    )
    assert entry.confidence
