"""Page weight (issue 11): every HTML page a visitor, a focal point or the Secretariat opens weighs under
100 KB as sent compressed, with its style sheets, scripts and icons; static files are served compressed
under a name that changes with their content (WhiteNoise's manifest storage), so a browser on a slow
link fetches each once a release and keeps it for a year.

The pages are the public surfaces the restricted-details test walks (every public URL, so a new page is
weighed without being listed here) and the signed-in pages of the reporting cycle. The data is the
seeded strategies with one round's entry; docs/performance.md gives the weights at full scale (the
pages that list rows are paged or summarised, so they do not grow with the data)."""

import gzip
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from activities.models import RangeState
from tests.factories import FocalPointFactory, SecretariatUserFactory
from tests.test_restricted_never_public import (
    public_urls,
    world,  # noqa: F401 (fixture)
)

LIMIT = 100 * 1024
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")


MANIFEST = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture(scope="session")
def collected_root(tmp_path_factory):
    """Static files collected once, as a deployment collects them: hashed names, compressed copies. The
    admin's, DRF's and the API documentation's own files are left out (no page here links to them, and
    compressing them took most of a minute)."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES={**settings.STORAGES, "staticfiles": MANIFEST}):
        call_command(
            "collectstatic",
            interactive=False,
            verbosity=0,
            ignore_patterns=["admin", "rest_framework", "drf_spectacular_sidecar"],
        )
    return root


@pytest.fixture
def collected(settings, collected_root):
    settings.STATIC_ROOT = collected_root
    settings.STORAGES = {**settings.STORAGES, "staticfiles": MANIFEST}
    return collected_root


def _get(client, url):
    response = client.get(url, headers={"accept-encoding": "gzip"})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def _weigh(client, url, assets: dict[str, int]) -> int:
    """Bytes sent for the page and everything it links to, each as sent to a browser accepting gzip."""
    response, body = _get(client, url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/html"), url
    html = gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body
    total = len(body)
    for asset in set(STATIC.findall(html.decode())):
        if asset not in assets:
            asset_response, asset_body = _get(Client(), asset)
            assert asset_response.status_code == 200, asset
            assets[asset] = len(asset_body)
        total += assets[asset]
    return total


# Public URL names that answer something other than an HTML page (JSON, files, probes).
NOT_HTML = re.compile(r"^api:|-export$|-document$|^healthz$|^readyz$|^strategy-range-map$")


def test_static_files_have_content_hashed_names_are_compressed_and_kept_for_a_year(client, world, collected):  # noqa: F811
    assets = set()
    for url in [
        reverse("activities:strategy-list"),
        reverse("reporting:national") + "?strategy=" + world["strategy"].slug,
    ]:
        assets |= set(STATIC.findall(client.get(url).content.decode()))
    assert {re.sub(r"\.[0-9a-f]{12}", "", a) for a in assets} >= {
        "/static/css/site.css",
        "/static/css/reports.css",
        "/static/css/maps.css",
        "/static/js/print.js",
        "/static/favicon.svg",
    }
    for asset in assets:
        assert HASHED.search(asset), f"{asset}: not a content-hashed name"
        response, body = _get(client, asset)
        assert response.status_code == 200, asset
        assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]
        if asset.endswith((".css", ".js")):
            assert response["Content-Encoding"] == "gzip", asset
            assert len(body) < (collected / asset.removeprefix("/static/")).stat().st_size, asset


def test_every_page_weighs_under_100_kb_compressed_with_its_css_and_scripts(world, collected):  # noqa: F811
    public = [url for name, urls in public_urls(world).items() if not NOT_HTML.search(name) for url in urls]
    pages = {"visitor": (None, public)}
    reporting_round, strategy, activity = world["round"], world["strategy"], world["activity"]
    armenia = RangeState.objects.get(iso_code="AM")
    pages["focal point"] = (
        FocalPointFactory(range_state=armenia).user,
        [
            reverse("activities:home"),
            reverse("activities:progress-create", args=[strategy.slug, activity.code]),
            reverse("activities:national-report", args=[reporting_round.pk, "AM"]),
        ],
    )
    pages["Secretariat"] = (
        SecretariatUserFactory(),
        [
            reverse("activities:home"),
            reverse("activities:review-queue"),
            reverse("activities:round-list"),
            reverse("activities:round-detail", args=[reporting_round.pk]),
            reverse("activities:national-report-list", args=[reporting_round.pk]),
            reverse("activities:national-report", args=[reporting_round.pk, "AM"]),
        ],
    )
    assert len(pages["visitor"][1]) >= 25  # the public HTML pages: strategies, reports, regional, funding
    assets: dict[str, int] = {}
    for role, (user, urls) in pages.items():
        reader = Client()
        if user is not None:
            reader.force_login(user)
        for url in urls:
            weight = _weigh(reader, url, assets)
            assert weight < LIMIT, f"{role} {url}: {weight:,} bytes compressed with its CSS and scripts"
