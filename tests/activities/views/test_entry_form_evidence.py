"""Evidence attached in the form that creates or edits an entry; required fields marked; the date's
help text matching its widget. A refused file or link saves nothing and keeps what was typed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from activities.models import Evidence, ProgressEntry

from .pages import PDF, create_url, form_data, signed_in, url

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 20


@pytest.mark.django_db(transaction=True)  # files are written when the request's transaction commits
def test_a_new_entry_takes_several_files_and_links_at_once(client, world, media):
    signed_in(client, world.focal_am)
    data = form_data(world) | {
        "evidence_files": [SimpleUploadedFile("survey.pdf", PDF), SimpleUploadedFile("map.png", PNG)],
        "evidence_links": "https://example.org/report Khosrov report 2024\n\nexample.org/photos",
    }
    response = client.post(create_url(world.activity), data)
    entry = ProgressEntry.objects.get()
    assert response.status_code == 302 and response.url == entry.get_absolute_url()
    evidence = {e.title or e.url or e.file.name.rsplit("/", 1)[-1]: e for e in entry.evidence.all()}
    assert set(evidence) == {"survey.pdf", "map.png", "Khosrov report 2024", "https://example.org/photos"}
    assert all(not e.restricted for e in evidence.values())
    stored = evidence["survey.pdf"]
    assert (media / stored.file.name).read_bytes() == PDF  # written after the commit
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "Khosrov report 2024" in page and "map.png" in page


def test_a_refused_file_saves_neither_the_entry_nor_other_evidence_and_keeps_the_text(client, world, media):
    signed_in(client, world.focal_am)
    data = form_data(world, narrative="Camera traps set in Khosrov, 14 stations.") | {
        "evidence_files": [SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile("evil.pdf", b"<html>")],
        "evidence_links": "https://example.org/report Report",
    }
    response = client.post(create_url(world.activity), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "“evil.pdf” does not look like a PDF file." in html
    assert "Camera traps set in Khosrov, 14 stations." in html and "https://example.org/report Report" in html
    assert "choose your files again" in html
    assert not ProgressEntry.objects.exists() and not Evidence.objects.exists()
    assert not list(media.rglob("*.pdf"))


def test_a_bad_link_line_is_named_and_nothing_is_saved(client, world):
    signed_in(client, world.focal_am)
    data = form_data(world) | {
        "evidence_links": "https://example.org/ok\nnot a link at all\njavascript:alert(1)"
    }
    html = client.post(create_url(world.activity), data).content.decode()
    assert "Line 2 (“not a link at all”)" in html and "Line 3" in html
    assert not ProgressEntry.objects.exists()


def test_an_entry_error_with_valid_evidence_saves_nothing(client, world):
    signed_in(client, world.focal_am)
    data = form_data(world, status="") | {"evidence_links": "https://example.org/ok Report"}
    html = client.post(create_url(world.activity), data).content.decode()
    assert "There is a problem" in html and "https://example.org/ok Report" in html
    assert not ProgressEntry.objects.exists() and not Evidence.objects.exists()


def test_editing_an_entry_adds_restricted_evidence_in_the_same_form(client, world, media):
    entry = world.entry()
    signed_in(client, world.focal_am)
    data = form_data(world, version=entry.version) | {
        "evidence_links": "https://example.org/dens Den sites",
        "evidence_restricted": "on",
    }
    del data["range_state"]
    response = client.post(url("progress-edit", entry), data)
    assert response.status_code == 302
    assert entry.evidence.get().restricted and entry.evidence.get().title == "Den sites"
    # another state's focal point sees neither the entry nor its evidence
    signed_in(client, world.focal_ir)
    assert client.get(entry.get_absolute_url()).status_code == 404
    assert client.post(url("progress-edit", entry), data).status_code in (403, 404)
    assert entry.evidence.count() == 1


def test_required_fields_are_marked_and_the_date_help_matches_the_picker(client, world):
    html = signed_in(client, world.focal_am).get(create_url(world.activity)).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'name="evidence_files"' in html and "multiple" in html
    assert html.count('<span class="required-mark">(required)</span>') == 4  # state, date, status, confidence
    assert 'name="reporting_date"' in html and 'type="date"' in html
    assert "pick it in the calendar" in html and "(YYYY-MM-DD)" not in html
    date_input = html[html.index('name="reporting_date"') - 200 : html.index('name="reporting_date"') + 200]
    assert "required" in date_input and 'aria-describedby="id_reporting_date_helptext"' in date_input
