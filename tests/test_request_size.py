"""An oversized request body is refused from its Content-Length, before any of it is read or written to
disk: a page on the site, JSON in the API's error shape under /api/. Within the limit, uploads work."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Evidence
from tests.activities.views import conftest as page_fixtures
from tests.activities.views.pages import PDF, signed_in, url

pytestmark = pytest.mark.django_db
world = page_fixtures.world
MB = 1024 * 1024


class Untouchable(io.BytesIO):
    """A request body that fails the test if anything reads it."""

    def read(self, *args, **kwargs):
        raise AssertionError("the oversized body was read")

    readline = read


def oversized(client, path, megabytes=120):
    return client.generic(
        "POST",
        path,
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(megabytes * MB),
        **{"wsgi.input": Untouchable()},
    )


def test_a_120_mb_upload_is_refused_before_it_is_read(client, world, settings):
    entry = world.entry()
    signed_in(client, world.focal_am)
    response = oversized(client, url("evidence-add", entry))
    assert response.status_code == 413
    assert f"at most {settings.REQUEST_MAX_BODY_MB} MB" in response.content.decode()
    assert not Evidence.objects.exists()


def test_an_oversized_api_request_is_a_json_413(client, settings):
    response = oversized(client, reverse("api:progress-list"))
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"


def test_the_limit_follows_the_evidence_limit_and_uploads_within_it_work(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert settings.REQUEST_MAX_BODY_MB == settings.EVIDENCE_MAX_UPLOAD_MB + 1
    entry = world.entry()
    signed_in(client, world.focal_am)
    upload = SimpleUploadedFile("survey.pdf", PDF + b"0" * (2 * MB), content_type="application/pdf")
    response = client.post(url("evidence-add", entry), {"file": upload, "title": "Survey"})
    assert response.status_code == 302
    assert Evidence.objects.get().size > 2 * MB
