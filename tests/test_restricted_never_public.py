"""Restricted details and files never appear on a public surface: pages, API responses (JSON, CSV,
XLSX), reports and their exports, webhook payloads, e-mails and notices.

One approved entry carries restricted details, a restricted link and a restricted file, beside public
evidence; every public URL is fetched by an anonymous visitor and by a signed-in partner, and none may
contain a restricted string. A guard makes every new URL name declare whether it is public, so a new
surface cannot be added without being checked here."""

import datetime
import io
import subprocess

import docx
import openpyxl
import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from activities import services
from activities.models import Activity, DomainEvent, Landscape, Meeting, RangeState, Strategy
from notifications.models import Notice
from tests.factories import FocalPointFactory, GrantActivityFactory, SecretariatUserFactory, UserFactory
from tests.ops.conftest import run_worker

SECRETS = ["SECRET-DEN-SITE-7731", "SECRET-CAMERA-TRAP", "SECRET-EVIDENCE-TITLE", "secret-den-map"]
# What was withdrawn before approval: an earlier version of the narrative (coordinates the reporter then
# moved into the restricted field), the reviewer's return comment, and evidence removed again.
WITHDRAWN = ["SECRET-OLD-NARRATIVE-4410", "SECRET-RETURN-COMMENT", "SECRET-WITHDRAWN-LINK"]
# A national report's sections and its private discussion: only the Secretariat and the state's focal
# points read them (permissions.decide(REPORT_CONTENT)); its status and completeness are public.
REPORT_PRIVATE = ["SECRET-REPORT-CONTACT-5512", "SECRET-REPORT-CHALLENGE", "SECRET-REPORT-COMMENT"]
PUBLIC_EVIDENCE = "PUBLIC-SURVEY-REPORT"
PL = "persian-leopard-2023-2032"


@pytest.fixture
def world(seeded, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    strategy = Strategy.objects.get(slug=PL)
    activity = Activity.objects.get(strategy=strategy, code="1.1.1.a")
    armenia = RangeState.objects.get(iso_code="AM")
    focal = FocalPointFactory(range_state=armenia).user
    reviewer = SecretariatUserFactory()
    reporting_round = services.reporting_round_open(
        user=reviewer,
        strategy=strategy,
        name="2025 annual",
        opens_on=datetime.date(2025, 1, 1),
        deadline=datetime.date(2026, 12, 31),
    )
    entry = services.progress_entry_create(
        user=focal,
        activity=activity,
        range_state=armenia,
        reporting_date=datetime.date(2025, 6, 30),
        status="in_progress",
        narrative="Camera-trap survey; den at SECRET-OLD-NARRATIVE-4410.",
        reporting_round=reporting_round,
    )
    withdrawn = services.evidence_add(
        user=focal, entry=entry, title="SECRET-WITHDRAWN-LINK", url="https://example.org/w"
    )
    services.evidence_remove(user=focal, evidence=withdrawn)
    entry = services.progress_entry_submit(user=focal, entry=entry)
    entry = services.progress_entry_return(
        user=reviewer,
        entry=entry,
        comment="SECRET-RETURN-COMMENT: move the den's position to the restricted field.",
    )
    entry = services.progress_entry_update(
        user=focal,
        entry=entry,
        expected_version=entry.version,
        narrative="Camera-trap survey in the Khosrov reserve.",
        restricted_details="Den found at SECRET-DEN-SITE-7731.",
    )
    services.evidence_add(user=focal, entry=entry, title=PUBLIC_EVIDENCE, url="https://example.org/survey")
    services.evidence_add(
        user=focal,
        entry=entry,
        title="SECRET-EVIDENCE-TITLE",
        url="https://example.org/SECRET-CAMERA-TRAP",
        restricted=True,
    )
    restricted_file = services.evidence_add(
        user=focal,
        entry=entry,
        file=SimpleUploadedFile("secret-den-map.pdf", b"%PDF-1.4 den map", content_type="application/pdf"),
        restricted=True,
    )
    services.progress_entry_submit(user=focal, entry=entry)
    entry = services.progress_entry_approve(user=reviewer, entry=entry)
    meeting = Meeting.objects.get(slug="cami-technical-workshop-vilm-2025")
    snapshot = services.meeting_snapshot_take(user=reviewer, meeting=meeting, strategy=strategy)
    grant = GrantActivityFactory(activity=activity, range_state=armenia, amount_usd=1000).grant
    # the landscape page shows the tagged activity's status from this entry, never its restricted details
    arasbaran = Landscape.objects.get(code="12")
    arasbaran.activities.add(activity)
    arasbaran.progress_entries.add(entry)
    report = services.national_report_save(
        user=focal,
        reporting_round=reporting_round,
        range_state=armenia,
        expected_version=0,
        prepared_by="Ministry of Environment",
        contacts="SECRET-REPORT-CONTACT-5512, +374 10 000000",
        challenges="SECRET-REPORT-CHALLENGE: poaching near the border posts.",
    )
    services.report_comment_add(
        user=reviewer, report=report, text="SECRET-REPORT-COMMENT", section="challenges"
    )
    return {
        "national_report": report,
        "grant": grant,
        "snapshot": snapshot,
        "strategy": strategy,
        "activity": activity,
        "entry": entry,
        "round": reporting_round,
        "restricted_file": restricted_file,
    }


REPORTS = [
    "dashboard",
    "matrix",
    "timeline",
    "budget",
    "plans",
    "pow",
    "national",
    "actors",
    "snapshots",
    "reporting-rate",
    "consolidated",
]
API_LISTS = [
    "strategy-list",
    "theme-list",
    "objective-list",
    "result-list",
    "activity-list",
    "actor-list",
    "range-state-list",
    "work-programme-measure-list",
    "progress-list",
    "species-list",
    "meeting-list",
    "national-action-plan-list",
    "grant-list",
]


def public_urls(w) -> dict[str, list[str]]:
    """Every public URL name with the concrete URLs that exercise it (the entry's data in each)."""
    slug, code, entry = w["strategy"].slug, w["activity"].code, w["entry"]
    filters = f"?strategy={slug}&range_state=AM&reporting_round={w['round'].pk}"
    urls = {
        "healthz": [reverse("healthz")],
        "readyz": [reverse("readyz")],
        "activities:strategy-list": [reverse("activities:strategy-list")],
        "activities:strategy-detail": [reverse("activities:strategy-detail", args=[slug])],
        "activities:activity-detail": [reverse("activities:activity-detail", args=[slug, code])],
        "activities:progress-detail": [reverse("activities:progress-detail", args=[entry.pk])],
        "api:api-root": [reverse("api:api-root")],
        "api:schema": [reverse("api:schema")],
        "api:strategy-detail": [reverse("api:strategy-detail", args=[slug])],
        "api:theme-detail": [reverse("api:theme-detail", args=[w["activity"].result.objective.theme_id])],
        "api:objective-detail": [reverse("api:objective-detail", args=[w["activity"].result.objective_id])],
        "api:result-detail": [reverse("api:result-detail", args=[w["activity"].result_id])],
        "api:activity-detail": [reverse("api:activity-detail", args=[w["activity"].pk])],
        "api:actor-detail": [reverse("api:actor-detail", args=["ngos"])],
        "api:range-state-detail": [reverse("api:range-state-detail", args=["AM"])],
        "api:work-programme-measure-detail": [reverse("api:work-programme-measure-detail", args=["19.7"])],
        "api:progress-detail": [reverse("api:progress-detail", args=[entry.pk])],
        "api:strategy-theme-list": [reverse("api:strategy-theme-list", args=[slug])],
        "api:strategy-theme-detail": [reverse("api:strategy-theme-detail", args=[slug, 1])],
        "api:strategy-objective-list": [reverse("api:strategy-objective-list", args=[slug])],
        "api:strategy-objective-detail": [reverse("api:strategy-objective-detail", args=[slug, 1])],
        "api:strategy-result-list": [reverse("api:strategy-result-list", args=[slug])],
        "api:strategy-result-detail": [reverse("api:strategy-result-detail", args=[slug, "1.1"])],
        "api:strategy-activity-list": [reverse("api:strategy-activity-list", args=[slug])],
        "api:strategy-activity-detail": [reverse("api:strategy-activity-detail", args=[slug, code])],
        "reporting:index": [reverse("reporting:index")],
        "activities:meeting-detail": [
            reverse("activities:meeting-detail", args=["cami-technical-workshop-vilm-2025"])
        ],
        "api:species-detail": [reverse("api:species-detail", args=["persian-leopard"])],
        "activities:meeting-list": [reverse("activities:meeting-list")],
        "activities:species-list": [reverse("activities:species-list")],
        "activities:species-detail": [reverse("activities:species-detail", args=["persian-leopard"])],
        "activities:ecoregionalplan-list": [reverse("activities:ecoregionalplan-list")],
        "activities:ecoregionalplan-detail": [
            reverse("activities:ecoregionalplan-detail", args=["ecp-caucasus-2020"])
        ],
        "activities:landscape-detail": [
            reverse("activities:landscape-detail", args=["ecp-caucasus-2020", "12"]),
            reverse("activities:strategy-detail", args=[slug]) + "?landscape=12",
        ],
        "activities:funding": [reverse("activities:funding")],
        "activities:programme-detail": [reverse("activities:programme-detail", args=["sos-central-asia"])],
        "activities:grant-detail": [reverse("activities:grant-detail", args=[w["grant"].slug])],
        "api:meeting-detail": [reverse("api:meeting-detail", args=["cami-technical-workshop-vilm-2025"])],
        "api:national-action-plan-detail": [
            reverse("api:national-action-plan-detail", args=["armenia-national-action-plan-2020-2030"])
        ],
        "api:grant-detail": [reverse("api:grant-detail", args=[w["grant"].slug])],
        "api:strategy-plan-standing-list": [
            reverse("api:strategy-plan-standing-list", args=[slug]),
            reverse("api:strategy-plan-standing-list", args=[slug]) + "?format=csv",
        ],
        # the logframe as a spreadsheet (activities/logframe_xlsx): what the strategy page shows
        "activities:strategy-export": [reverse("activities:strategy-export", args=[slug])],
        # national reports: status, dates and completeness for everyone, never their sections or comments
        "api:national-report-list": [reverse("api:national-report-list")],
        "api:national-report-detail": [reverse("api:national-report-detail", args=[w["national_report"].pk])],
        # the Range State map's figures (reporting/api.py)
        "strategy-range-map": [reverse("strategy-range-map", args=[slug])],
    }
    for name in API_LISTS:
        base = reverse(f"api:{name}")
        urls[f"api:{name}"] = [base, f"{base}?format=csv", f"{base}?format=xlsx"]
    for report in REPORTS:
        # the snapshot comparison compares the snapshot with today
        query = filters + (f"&before={w['snapshot'].pk}" if report == "snapshots" else "")
        urls[f"reporting:{report}"] = [reverse(f"reporting:{report}") + query]
        export = reverse(f"reporting:{report}-export", args=["xlsx"]) + query
        urls[f"reporting:{report}-export"] = [export, export.replace(".xlsx", ".csv", 1)]
        document = reverse(f"reporting:{report}-document", args=["docx"]) + query
        urls[f"reporting:{report}-document"] = [document, document.replace(".docx", ".pdf", 1)]
    return urls


# URL names that are not public: they need a signed-in role, take POSTs only, or serve no entry data.
NOT_PUBLIC = {
    # sign-in and account pages
    "login", "logout", "password_change", "password_change_done", "password_reset", "password_reset_done",
    "password_reset_confirm", "password_reset_complete", "two-factor-enrol", "two-factor-verify",
    # the language switcher's target (POST: sets the language cookie and the profile, shows nothing)
    "set_language",
    # interactive API documentation (the schema itself is checked)
    "api:docs", "api:redoc",
    # workflow writes (POST, permission-checked) and signed-in pages
    "api:progress-approve", "api:progress-return", "api:progress-submit",
    "activities:home", "activities:progress-create", "activities:progress-edit", "activities:progress-submit",
    "activities:progress-approve", "activities:progress-return", "activities:evidence-add",
    "activities:evidence-remove", "activities:review-queue", "activities:review-bulk-approve",
    "activities:delegation-list", "activities:delegation-revoke", "activities:reportinglink-list",
    "activities:reportinglink-create", "activities:reportinglink-revoke", "activities:reportinglink-redeem",
    "activities:round-list", "activities:round-detail", "activities:round-close", "activities:round-reopen",
    "activities:national-report-list", "activities:national-report",
    # the offline spreadsheet of a national report (its Range State's focal points, delegates, Secretariat)
    "activities:national-report-sheet", "activities:national-report-sheet-download",
    # the Secretariat's strategy import (upload, preview, confirm)
    "activities:strategy-import", "activities:strategy-import-preview",
    "reporting:snapshot-take",
    # a signed-in person's own notices and their choice of notices (never entry data beyond a sentence)
    "notifications:notice-list", "notifications:notice-open", "notifications:notice-dismiss",
    "notifications:notices-read", "notifications:preferences",
    # a signed-in person's background exports (tests/exports: anyone else gets 404)
    "exports:list", "exports:download",
    # checked separately below: a restricted file answers 404 to the public
    "activities:evidence-download",
    # a redirect to activities:landscape-detail (public, checked above); it serves no entry data itself
    "activities:landscape-by-code",
}  # fmt: skip


def _url_names() -> set[str]:
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_url_is_classified_as_public_or_not(world):
    public = set(public_urls(world))
    assert public.isdisjoint(NOT_PUBLIC)
    unclassified = _url_names() - public - NOT_PUBLIC
    assert unclassified == set(), "add each new URL to public_urls() (and check it) or to NOT_PUBLIC"


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"%PDF-"):  # a meeting document as PDF: its text
        done = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
        return done.stdout.decode()
    if content.startswith(b"PK\x03\x04") and b"word/document.xml" in content:  # the same as DOCX
        document = docx.Document(io.BytesIO(content))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if content.startswith(b"PK\x03\x04"):  # an XLSX workbook: read every cell of every sheet
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value
        )
    return content.decode("utf-8")


def _made_in_the_background(client):
    """A signed-in person's large export is made by the worker (exports): the file it made for them."""
    from exports.models import ExportJob
    from tests.ops.conftest import run_worker

    run_worker()
    job = ExportJob.objects.latest("pk")
    return client.get(reverse("exports:download", args=[job.pk]))


# The walk is split into parts by URL name (every CHUNKS-th name) so that parallel test workers share it;
# the parts together are every public URL.
CHUNKS = 8


@pytest.mark.parametrize("part", range(CHUNKS))
@pytest.mark.parametrize("visitor", ["anonymous", "partner"])
def test_no_public_surface_shows_restricted_details_or_files(
    world, client, visitor, part, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path  # the background exports' files
    if visitor == "partner":
        client.force_login(UserFactory(username="partner-ngo"))
    surfaces = public_urls(world)
    leaks = []
    for name in sorted(surfaces)[part::CHUNKS]:
        for url in surfaces[name]:
            cache.clear()  # the anonymous API throttle (60 a minute) is not what this test is about
            response = client.get(url)
            if response.status_code == 303 and response["Location"] == reverse("exports:list"):
                response = _made_in_the_background(client)
            assert response.status_code == 200, (url, response.status_code)
            text = _text(response)
            leaks += [
                (url, secret)
                for secret in SECRETS + WITHDRAWN + REPORT_PRIVATE
                if secret.lower() in text.lower()
            ]
    assert leaks == []


@pytest.mark.parametrize(
    "url_name",
    ["activities:activity-detail", "activities:progress-detail", "api:progress-detail", "reporting:national"],
)
def test_the_same_surfaces_do_show_the_entry_and_its_public_evidence(world, client, url_name):
    # Without this, the test above could pass because the entry is not shown at all.
    url = public_urls(world)[url_name][0]
    text = _text(client.get(url))
    assert "Camera-trap survey in the Khosrov reserve." in text
    assert PUBLIC_EVIDENCE in text


def test_a_restricted_file_is_not_downloadable_by_the_public(world, client):
    url = reverse("activities:evidence-download", args=[world["restricted_file"].pk])
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_the_reporting_focal_point_still_sees_the_restricted_details_and_the_history(world, client):
    client.force_login(world["entry"].reported_by)
    text = _text(client.get(reverse("activities:progress-detail", args=[world["entry"].pk])))
    # the planted strings are there, for those who may see them: the test above can fail
    assert all(secret in text for secret in ["SECRET-DEN-SITE-7731", *WITHDRAWN])
    api = _text(client.get(reverse("api:progress-detail", args=[world["entry"].pk])))
    assert "SECRET-DEN-SITE-7731" in api
    report = _text(client.get(reverse("api:national-report-detail", args=[world["national_report"].pk])))
    assert all(secret in report for secret in REPORT_PRIVATE)


def test_a_correction_of_an_approved_entry_is_public_at_once_and_its_old_text_is_not(world, client):
    entry = world["entry"]
    services.progress_entry_update(
        user=SecretariatUserFactory(),
        entry=entry,
        expected_version=entry.version,
        reason="The reserve asked us to name the survey's partner.",
        narrative="Camera-trap survey in the Khosrov reserve, with WWF Armenia.",
    )
    for name in ["activities:progress-detail", "api:progress-detail", "activities:activity-detail"]:
        text = _text(client.get(public_urls(world)[name][0]))
        assert "with WWF Armenia" in text, name
        assert "Camera-trap survey in the Khosrov reserve." not in text, name  # the version before


def test_an_approved_entry_never_goes_back_to_draft(world, client):
    """So the public never sees an entry whose newer version is pending: there is none."""
    entry = world["entry"]
    focal = entry.reported_by
    with pytest.raises(PermissionDenied):
        services.progress_entry_submit(user=focal, entry=entry)
    with pytest.raises(PermissionDenied):
        services.progress_entry_update(user=focal, entry=entry, expected_version=entry.version, narrative="x")
    reviewer = SecretariatUserFactory()
    with pytest.raises(PermissionDenied):
        services.progress_entry_return(user=reviewer, entry=entry, comment="Back to draft, please.")
    client.force_login(reviewer)
    response = client.patch(
        reverse("api:progress-detail", args=[entry.pk]),
        {"version": entry.version, "review_state": "draft", "reason": "Reopen", "narrative": "Reopened."},
        content_type="application/json",
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.review_state == "approved"


def test_webhook_events_carry_no_restricted_details(world):
    payloads = [str(event.payload) for event in DomainEvent.objects.all()]
    assert payloads, "the approval should have written events"
    assert not any(secret.lower() in payload.lower() for payload in payloads for secret in SECRETS)


def test_no_email_or_notice_carries_restricted_details(world):
    run_worker()  # the submission's and the approval's notices
    assert len(mail.outbox) >= 2
    sent = [f"{m.subject}\n{m.body}\n" + "".join(c for c, _ in m.alternatives) for m in mail.outbox]
    sent += list(Notice.objects.values_list("text", flat=True))
    assert not any(secret.lower() in text.lower() for text in sent for secret in SECRETS)
