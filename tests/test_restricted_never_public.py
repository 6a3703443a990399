"""Restricted details and files never appear on a public surface: pages, API responses (JSON, CSV,
XLSX), reports and their exports, webhook payloads.

One approved entry carries restricted details, a restricted link and a restricted file, beside public
evidence; every public URL is fetched by an anonymous visitor and by a signed-in partner, and none may
contain a restricted string. A guard makes every new URL name declare whether it is public, so a new
surface cannot be added without being checked here."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from activities import services
from activities.models import Activity, DomainEvent, Meeting, RangeState, Strategy
from tests.factories import FocalPointFactory, SecretariatUserFactory, UserFactory

SECRETS = ["SECRET-DEN-SITE-7731", "SECRET-CAMERA-TRAP", "SECRET-EVIDENCE-TITLE", "secret-den-map"]
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
        narrative="Camera-trap survey in the Khosrov reserve.",
        restricted_details="Den found at SECRET-DEN-SITE-7731.",
        reporting_round=reporting_round,
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
    return {
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
    "pow",
    "national",
    "actors",
    "snapshots",
    "reporting-rate",
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
]


def public_urls(w) -> dict[str, list[str]]:
    """Every public URL name with the concrete URLs that exercise it (the entry's data in each)."""
    slug, code, entry = w["strategy"].slug, w["activity"].code, w["entry"]
    filters = f"?strategy={slug}&range_state=AM&reporting_round={w['round'].pk}"
    urls = {
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
    return urls


# URL names that are not public: they need a signed-in role, take POSTs only, or serve no entry data.
NOT_PUBLIC = {
    # sign-in and account pages
    "login", "logout", "password_change", "password_change_done", "password_reset", "password_reset_done",
    "password_reset_confirm", "password_reset_complete",
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
    "reporting:snapshot-take",
    # checked separately below: a restricted file answers 404 to the public
    "activities:evidence-download",
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


@pytest.mark.parametrize("visitor", ["anonymous", "partner"])
def test_no_public_surface_shows_restricted_details_or_files(world, client, visitor):
    if visitor == "partner":
        client.force_login(UserFactory(username="partner-ngo"))
    leaks = []
    for urls in public_urls(world).values():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            text = _text(response)
            leaks += [(url, secret) for secret in SECRETS if secret.lower() in text.lower()]
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


def test_the_reporting_focal_point_still_sees_the_restricted_details(world, client):
    client.force_login(world["entry"].reported_by)
    text = _text(client.get(reverse("activities:progress-detail", args=[world["entry"].pk])))
    assert "SECRET-DEN-SITE-7731" in text


def test_webhook_events_carry_no_restricted_details(world):
    payloads = [str(event.payload) for event in DomainEvent.objects.all()]
    assert payloads, "the approval should have written events"
    assert not any(secret.lower() in payload.lower() for payload in payloads for secret in SECRETS)
