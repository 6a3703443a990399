"""Evidence in activities.services: links and files, checked by type, content and size, added and removed
under the entry's edit permission, with history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from activities import services
from activities.models import Evidence

from .workflow import create, submitted

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
ZIP = b"PK\x03\x04" + b"\x00" * 32


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("survey.pdf", PDF, "application/pdf"),
        ("den.PNG", PNG, "image/png"),
        ("trap.jpg", JPEG, "image/jpeg"),
        ("trap.jpeg", JPEG, "image/jpeg"),
        ("report.docx", ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("counts.xlsx", ZIP, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("report.odt", ZIP, "application/vnd.oasis.opendocument.text"),
        ("counts.ods", ZIP, "application/vnd.oasis.opendocument.spreadsheet"),
        ("counts.csv", b"site,count\nKhosrov,3\n", "text/csv"),
        ("notes.txt", "Leopard seen near Meghri – ընձառյուծ\n".encode(), "text/plain"),
    ],
)
def test_accepted_evidence_files_are_stored_through_the_storage_api(
    w, media, django_capture_on_commit_callbacks, name, content, content_type
):
    entry = create(w)

    with django_capture_on_commit_callbacks(execute=True):  # the file is stored when the row commits
        evidence = services.evidence_add(
            user=w.focal,
            entry=entry,
            title="Report",
            file=SimpleUploadedFile(name, content, content_type="x/y"),
        )

    evidence.refresh_from_db()
    assert evidence.content_type == content_type  # from the extension and content, not the browser
    assert evidence.size == len(content)
    assert evidence.file.name.startswith("evidence/")
    assert (media / evidence.file.name).read_bytes() == content
    assert evidence.added_by == w.focal


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "not an accepted file type"),
        ("report.pdf.exe", PDF, "not an accepted file type"),
        ("no-extension", PDF, "not an accepted file type"),
        ("fake.pdf", b"<html>not a pdf</html>", "does not look like a PDF file"),
        ("fake.png", PDF, "does not look like a PNG file"),
        ("fake.docx", PDF, "does not look like a DOCX file"),
        ("binary.txt", b"\xff\xfe\x00\x00" * 200, "not a UTF-8 text file"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_refused_evidence_files_say_why_and_store_nothing(w, media, name, content, message):
    entry = create(w)

    with pytest.raises(ValidationError, match=message) as error:
        services.evidence_add(user=w.focal, entry=entry, file=SimpleUploadedFile(name, content))

    assert "file" in error.value.message_dict
    assert not Evidence.objects.exists()
    assert not any(media.rglob("*.*"))


def test_the_size_limit_follows_the_setting(w, media, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    entry = create(w)
    limit = 1024 * 1024

    services.evidence_add(
        user=w.focal, entry=entry, file=SimpleUploadedFile("ok.pdf", PDF.ljust(limit, b" "))
    )
    with pytest.raises(ValidationError, match="the limit is 1 MB"):
        services.evidence_add(
            user=w.focal, entry=entry, file=SimpleUploadedFile("big.pdf", PDF.ljust(limit + 1, b" "))
        )

    assert entry.evidence.count() == 1


def test_evidence_is_a_link_or_a_file_never_both_nor_neither(w, media):
    entry = create(w)

    with pytest.raises(ValidationError, match="either a link or a file"):
        services.evidence_add(user=w.focal, entry=entry)
    with pytest.raises(ValidationError, match="either a link or a file"):
        services.evidence_add(
            user=w.focal, entry=entry, url="https://example.org/r.pdf", file=SimpleUploadedFile("r.pdf", PDF)
        )
    link = services.evidence_add(user=w.focal, entry=entry, url="https://example.org/r.pdf", title=" Report ")

    assert (link.url, link.title, link.is_file) == ("https://example.org/r.pdf", "Report", False)
    assert entry.evidence.count() == 1


def test_a_link_must_be_a_url(w):
    with pytest.raises(ValidationError, match="Enter a valid URL"):
        services.evidence_add(user=w.focal, entry=create(w), url="not a url")
    assert not Evidence.objects.exists()


def test_restricted_evidence_is_marked(w, media):
    evidence = services.evidence_add(
        user=w.focal, entry=create(w), file=SimpleUploadedFile("dens.pdf", PDF), restricted=True
    )

    assert Evidence.objects.get(pk=evidence.pk).restricted


def test_evidence_follows_the_entrys_edit_permission(w):
    entry = submitted(w)

    with pytest.raises(PermissionDenied, match="awaiting review"):
        services.evidence_add(user=w.focal, entry=entry, url="https://example.org/late.pdf")
    with pytest.raises(PermissionDenied):
        services.evidence_add(user=w.partner, entry=create(w), url="https://example.org/x.pdf")
    assert not Evidence.objects.exists()


def test_evidence_removal_keeps_the_history(w):
    entry = create(w)
    evidence = services.evidence_add(user=w.focal, entry=entry, url="https://example.org/r.pdf")

    pk = evidence.pk

    services.evidence_remove(user=w.expert, evidence=evidence)

    assert not Evidence.objects.exists()
    removed = Evidence.history.filter(id=pk).first()
    assert (removed.history_type, removed.history_change_reason, removed.history_user) == (
        "-",
        "Removed",
        w.expert,
    )
