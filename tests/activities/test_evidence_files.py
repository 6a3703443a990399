"""Evidence files reach storage only with the row that names them: an upload whose database write
fails, or whose transaction is rolled back after it, leaves no file behind; a file the storage cannot
take leaves no row behind. And the file of removed evidence, kept in storage for the history, is never
served.

The failures are real: a trigger makes the database refuse a row (on SQLite and on PostgreSQL alike),
and the storage is pointed where no directory can be made."""

import contextlib
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from activities import services
from activities.models import Evidence, ProgressEntry
from tests.activities.views.pages import PDF, World, signed_in, url
from tests.factories import UserFactory

RS = ProgressEntry.ReviewState


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def stored_files(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@contextlib.contextmanager
def refused_inserts(table: str):
    """Make the database refuse every INSERT into `table` (a trigger), as a violated constraint would."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        else:
            cursor.execute(
                "CREATE OR REPLACE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_insert()"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP TRIGGER refuse_{table}" + ("" if connection.vendor == "sqlite" else f" ON {table}")
            )


def upload(name="dens.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# The evidence row itself, and the history row written after it (the file was saved before both).
REFUSED_TABLES = ["activities_evidence", "activities_historicalevidence"]


def upload_refused_by_the_database(client, world, table):
    """A focal point adds a file as evidence on the entry page while the database refuses the INSERT
    into `table`: the page fails and no evidence row is left (the caller checks the storage)."""
    entry = world.entry()
    signed_in(client, world.focal_am)
    client.raise_request_exception = False

    with refused_inserts(table):
        response = client.post(url("evidence-add", entry), {"title": "Den map", "file": upload()})

    assert response.status_code == 500
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("table", REFUSED_TABLES)
def test_a_failed_upload_on_the_entry_page_leaves_no_file(client, world, media, table):
    upload_refused_by_the_database(client, world, table)
    assert stored_files(media) == []


@pytest.mark.parametrize("table", REFUSED_TABLES)
def test_a_failed_upload_in_the_evidence_admin_leaves_no_file(client, world, media, table):
    world.secretariat.is_staff = True
    world.secretariat.save()
    signed_in(client, world.secretariat)
    client.raise_request_exception = False
    entry = world.entry()

    with refused_inserts(table):
        response = client.post(
            reverse("admin:activities_evidence_add"),
            {"entry": entry.pk, "title": "Den map", "file": upload()},
        )

    assert response.status_code == 500
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_an_admin_page_rolled_back_after_the_upload_leaves_no_file(client, world, media):
    """The entry's admin page saves the new evidence, then writes the admin's log entry: that fails, and
    the whole page's transaction is rolled back, evidence included."""
    from tests.activities.admin.test_progress import change_form

    world.secretariat.is_staff = True
    world.secretariat.save()
    signed_in(client, world.secretariat)
    client.raise_request_exception = False
    entry = world.entry()
    data = change_form(entry, reporting_round=world.round.pk) | {
        "evidence-TOTAL_FORMS": "1",
        "evidence-0-title": "Den map",
        "evidence-0-file": upload(),
    }

    with refused_inserts("django_admin_log"):
        response = client.post(reverse("admin:activities_progressentry_change", args=[entry.pk]), data)

    assert response.status_code == 500
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_the_api_takes_no_uploads(world, media):
    """The API has no upload path: its only parser is JSON, so a multipart body is refused whole."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.focal_am)
    entry = world.entry()
    for address in (reverse("api:progress-list"), reverse("api:progress-detail", args=[entry.pk])):
        response = api.generic(
            "POST" if address.endswith("/progress/") else "PATCH",
            address,
            *_multipart({"version": str(entry.version), "file": upload()}),
        )
        assert response.status_code == 415
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def _multipart(data):
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return encode_multipart(BOUNDARY, data), MULTIPART_CONTENT


# --- with real commits ------------------------------------------------------------------------------


@pytest.fixture
def committed_world(transactional_db):
    return World()


def test_an_upload_on_the_entry_page_is_stored_when_it_commits(client, committed_world, media):
    world = committed_world
    entry = world.entry()
    signed_in(client, world.focal_am)

    response = client.post(url("evidence-add", entry), {"title": "Den map", "file": upload("den map.pdf")})

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert stored_files(media) == [evidence.file.name]
    assert (media / evidence.file.name).read_bytes() == PDF
    download = client.get(url("evidence-download", evidence))
    assert "den_map.pdf" in download["Content-Disposition"]


def test_a_file_the_storage_cannot_take_leaves_no_evidence_and_says_so(
    client, committed_world, settings, tmp_path
):
    world = committed_world
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("the storage cannot make its folders under a file")
    settings.MEDIA_ROOT = blocker / "media"
    entry = world.entry()
    signed_in(client, world.focal_am)

    response = client.post(url("evidence-add", entry), {"title": "Den map", "file": upload()})

    assert response.status_code == 200
    assert "“dens.pdf” could not be stored, so it was not added" in response.content.decode()
    assert not Evidence.objects.exists()
    reasons = list(
        Evidence.history.order_by("history_id").values_list("history_type", "history_change_reason")
    )
    assert reasons == [("+", "Added"), ("-", "Removed: the file could not be stored")]
    assert not os.path.exists(blocker / "media")


def test_the_admin_says_which_file_could_not_be_stored(client, committed_world, settings, tmp_path):
    from tests.activities.admin.test_progress import messages_of

    world = committed_world
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker / "media"
    world.secretariat.is_staff = True
    world.secretariat.save()
    signed_in(client, world.secretariat)
    entry = world.entry()

    response = client.post(
        reverse("admin:activities_evidence_add"),
        {"entry": entry.pk, "title": "Den map", "file": upload()},
        follow=True,
    )

    assert any("“dens.pdf” could not be stored" in message for message in messages_of(response))
    assert not Evidence.objects.exists()


# --- removed evidence -------------------------------------------------------------------------------


def test_the_file_of_removed_restricted_evidence_is_kept_but_never_served(
    client, world, media, django_capture_on_commit_callbacks
):
    entry = world.entry()
    with django_capture_on_commit_callbacks(execute=True):
        evidence = services.evidence_add(user=world.focal_am, entry=entry, file=upload(), restricted=True)
    entry = services.progress_entry_approve(
        user=world.colleague, entry=services.progress_entry_submit(user=world.focal_am, entry=entry)
    )
    download, name = url("evidence-download", evidence), evidence.file.name

    services.evidence_remove(user=world.secretariat, evidence=evidence)

    assert stored_files(media) == [name]  # kept, for the history
    for reader in (None, UserFactory(username="partner"), world.focal_am, world.secretariat):
        client.logout()
        if reader is not None:
            signed_in(client, reader)
        assert client.get(download).status_code == 404
        assert client.get(f"/media/{name}").status_code == 404
        page = client.get(url("progress-detail", entry)).content.decode()
        assert download not in page and name not in page
