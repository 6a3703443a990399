"""Offline reporting by spreadsheet: a focal point downloads the round's due activities as XLSX, fills
it (here with openpyxl, as a spreadsheet program would), uploads it, sees a preview and confirms; the
entries are then drafts holding exactly what was filled. Bad rows and bad files save nothing; an entry
changed in the app since the download is a conflict, never overwritten; outsiders are refused."""

import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from activities import offline_sheet, services
from activities.models import ProgressEntry
from tests.factories import ActivityFactory, DelegationFactory, UserFactory

from .pages import RS, signed_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_page(world, state=None):
    return reverse(
        "activities:national-report-sheet", args=[world.round.pk, (state or world.am).iso_code.lower()]
    )


def download_url(world, state=None):
    return reverse(
        "activities:national-report-sheet-download",
        args=[world.round.pk, (state or world.am).iso_code.lower()],
    )


def download(client, world):
    response = client.get(download_url(world))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def data_sheet(book):
    return book["Activities"] if "Activities" in book.sheetnames else book.active


def fill(book, code, **values):
    """Write `values` (header → value) into the row of activity `code`."""
    sheet = data_sheet(book)
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == code:
            for header, value in values.items():
                cell = row[headers.index(header)]
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # text typed as text, even "=…" (openpyxl would take a formula)
            return
    raise AssertionError(f"no row for {code}")


def as_file(book, name="filled.xlsx"):
    stream = io.BytesIO()
    book.save(stream)
    return SimpleUploadedFile(name, stream.getvalue(), content_type=XLSX)


def upload(client, world, file):
    return client.post(sheet_page(world), {"step": "upload", "sheet": file})


def confirm(client, world, response, **extra):
    digest = response.context["confirm_form"].initial["digest"]
    return client.post(sheet_page(world), {"step": "confirm", "digest": digest, **extra})


@pytest.fixture
def two(world):
    """A second due activity, with an approved entry from before the round."""
    second = ActivityFactory(
        result=world.result, code="1.1.2", text="Train rangers.", due_year=world.activity.due_year
    )
    world.approved(
        activity=second,
        reporting_round=None,
        status=ProgressEntry.Status.IN_PROGRESS,
        narrative="Ten rangers trained.",
        confidence=ProgressEntry.Confidence.DOCUMENTED,
    )
    return second


@pytest.mark.django_db
def test_download_fill_upload_confirm_saves_exactly_what_was_filled(client, world, two):
    draft = world.entry(narrative="Draft started online.", status=ProgressEntry.Status.NOT_STARTED)
    signed_in(client, world.focal_am)
    book = download(client, world)
    sheet = data_sheet(book)
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    # pre-filled: the draft of the round, and the latest approved entry for the other activity
    assert rows["1.1.1"][3].value == "Your draft of this round"
    assert rows["1.1.1"][7].value == "Draft started online."
    assert rows["1.1.2"][3].value == "The latest approved entry"
    assert rows["1.1.2"][7].value == "Ten rangers trained."
    assert rows["1.1.2"][5].value == "Confirmed by document"

    fill(
        book,
        "1.1.1",
        **{
            "Status": "Completed",
            "Confidence": "Rough estimate",
            "Reporting date (year-month-day)": datetime.datetime(2025, 6, 30),
            "Narrative": "Corridors mapped.\nTwo new ones found.",
            "Source of the information": '=HYPERLINK("x")',
            "Amount spent (USD)": 12500,
            "Restricted details": "Den near the gorge.",
        },
    )
    fill(book, "1.1.2", **{"Status": "Delayed / at risk", "Reporting date (year-month-day)": "2025-07-01"})
    book.active = 0  # saved with the instructions open
    response = upload(client, world, as_file(book))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert not plan.errors
    assert [r.activity.code for r in plan.updates] == ["1.1.1"]
    assert [r.activity.code for r in plan.creates] == ["1.1.2"]
    page = response.content.decode()
    assert "Not started" in page and "Completed" in page  # old → new
    assert ProgressEntry.objects.filter(reporting_round=world.round).count() == 1  # nothing written yet

    response = confirm(client, world, response)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.review_state == RS.DRAFT and draft.version == 2
    assert draft.status == "completed" and draft.confidence == "estimate"
    assert draft.reporting_date == datetime.date(2025, 6, 30)
    assert draft.narrative == "Corridors mapped.\nTwo new ones found."
    assert draft.source == '=HYPERLINK("x")'
    assert draft.amount_spent_usd == Decimal("12500.00")
    assert draft.restricted_details == "Den near the gorge."
    new = ProgressEntry.objects.get(activity=two, reporting_round=world.round)
    assert new.review_state == RS.DRAFT and new.status == "delayed"
    assert new.reporting_date == datetime.date(2025, 7, 1)
    assert new.narrative == "Ten rangers trained." and new.confidence == "documented"
    assert new.reported_by == world.focal_am
    assert [h.history_change_reason for h in draft.history.all()] == ["Edited", "Created"]
    # the plan is used once: a second confirmation applies nothing
    assert client.post(sheet_page(world), {"step": "confirm", "digest": "x"}).status_code == 302
    assert ProgressEntry.objects.filter(reporting_round=world.round).count() == 2


@pytest.mark.django_db
def test_the_download_has_drop_downs_a_hidden_identity_and_instructions(client, world, two):
    signed_in(client, world.focal_am)
    book = download(client, world)
    assert book.sheetnames[:2] == ["Instructions", "Activities"]
    assert book["Lists"].sheet_state == "hidden"
    sheet = data_sheet(book)
    headers = [cell.value for cell in sheet[1]]
    assert headers[0] == "Row identity (do not change)" and "Restricted details" in headers
    assert sheet.column_dimensions["A"].hidden
    assert sheet.protection.sheet
    assert sheet.column_dimensions["H"].width >= 40
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    status_col, confidence_col = "E", "F"
    assert validations[f"{status_col}2:{status_col}3"].type == "list"
    assert validations[f"{status_col}2:{status_col}3"].formula1 == "Lists!$A$1:$A$6"
    assert validations[f"{confidence_col}2:{confidence_col}3"].formula1 == "Lists!$B$1:$B$3"
    assert [book["Lists"].cell(row=i, column=1).value for i in range(1, 7)] == [
        str(label) for _v, label in ProgressEntry.Status.choices
    ]
    assert sheet["B2"].protection.locked  # the code is locked
    assert sheet["E2"].protection.locked is False  # the status is to fill in


@pytest.mark.django_db
def test_in_farsi_the_sheet_is_right_to_left_with_farsi_lists_and_uploads_back(client, world):
    signed_in(client, world.focal_am)
    client.cookies["django_language"] = "fa"
    response = client.get(download_url(world), HTTP_ACCEPT_LANGUAGE="fa")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[1]
    assert sheet.sheet_view.rightToLeft
    status_fa = book["Lists"]["A3"].value  # "Completed", in Farsi
    assert status_fa != "Completed"
    sheet["E2"].value = status_fa
    response = client.post(
        sheet_page(world), {"step": "upload", "sheet": as_file(book)}, HTTP_ACCEPT_LANGUAGE="fa"
    )
    plan = response.context["plan"]
    assert not plan.errors, plan.errors
    assert plan.creates[0].values["status"] == "completed"


BAD_CELLS = [
    ("Status", "Finished", "Status", "is not a status"),
    ("Status", None, "Status", "Choose a status"),
    ("Confidence", "Certain", "Confidence", "is not a confidence"),
    ("Reporting date (year-month-day)", "30/06/2025", "Reporting date (year-month-day)", "is not a date"),
    ("Amount spent (USD)", "-5", "Amount spent (USD)", "is not an amount"),
    ("Amount spent (USD)", "lots", "Amount spent (USD)", "is not an amount"),
    # OOXML's escape of a control character (how Excel stores one; openpyxl refuses to write it raw)
    ("Narrative", "Bell_x0007_", "Narrative", "control character (code U+0007)"),
    ("Source of the information", "s" * 501, "Source of the information", "at most 500"),
    (
        "Row identity (do not change)",
        "forged",
        "Row identity (do not change)",
        "identity is missing or was changed",
    ),
    ("Activity code", "9.9.9", "Activity code", "must stay 1.1.1"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("header", "value", "column", "message"), BAD_CELLS)
def test_a_bad_cell_is_named_by_row_and_column_and_nothing_is_saved(
    client, world, two, header, value, column, message
):
    signed_in(client, world.focal_am)
    book = download(client, world)
    fill(book, "1.1.2", Status="Completed")  # a good row beside the bad one
    fill(book, "1.1.1", Status="Completed", Narrative="Surveyed.")
    fill(book, "1.1.1", **{header: value})
    response = upload(client, world, as_file(book))
    plan = response.context["plan"]
    assert [(e.row, e.column) for e in plan.errors] == [(2, column)]
    assert message in plan.errors[0].message
    assert "nothing was saved" in response.content.decode()
    assert "Save these drafts" not in response.content.decode()
    response = client.post(sheet_page(world), {"step": "confirm", "digest": "anything"})
    assert not ProgressEntry.objects.filter(reporting_round=world.round).exists()


@pytest.mark.django_db
def test_a_duplicate_row_an_undue_activity_and_another_states_row_are_errors(client, world, two):
    undue = ActivityFactory(result=world.result, code="1.1.9", due_year=world.activity.due_year + 5)
    signed_in(client, world.focal_am)
    book = download(client, world)
    sheet = data_sheet(book)
    fill(book, "1.1.1", Status="Completed")
    copy = [cell.value for cell in sheet[2]]
    sheet.append(copy)  # row 4: activity 1.1.1 again
    undue_values = offline_sheet.entry_values(None, today=datetime.date.today())
    forged = offline_sheet._identity(world.round, world.am, undue, None, undue_values)
    sheet.append([forged, "1.1.9", "x", "", "Completed"])  # row 5
    other = offline_sheet._identity(world.round, world.ir, world.activity, None, undue_values)
    sheet.append([other, "1.1.1", "x", "", "Completed"])  # row 6
    response = upload(client, world, as_file(book))
    errors = {(e.row, e.column): e.message for e in response.context["plan"].errors}
    assert "already in row 2" in errors[(4, "Activity code")]
    assert "not due in this round" in errors[(5, "Activity code")]
    assert "another reporting round or Range State" in errors[(6, "Row identity (do not change)")]
    assert not ProgressEntry.objects.filter(reporting_round=world.round).exists()


@pytest.mark.django_db
def test_an_entry_changed_since_the_download_is_a_conflict_shown_side_by_side_and_kept(client, world, two):
    draft = world.entry(narrative="Online version.")
    signed_in(client, world.focal_am)
    book = download(client, world)
    services.progress_entry_update(
        user=world.focal_am, entry=draft, expected_version=1, narrative="Changed in the app."
    )
    fill(book, "1.1.1", Narrative="Offline version.")
    fill(book, "1.1.2", Status="Completed")
    response = upload(client, world, as_file(book))
    plan = response.context["plan"]
    assert [r.activity.code for r in plan.conflicts] == ["1.1.1"] and not plan.errors
    page = response.content.decode()
    assert "Offline version." in page and "Changed in the app." in page
    # without leaving the conflicts out, nothing is saved
    assert confirm(client, world, response).status_code == 302
    assert not ProgressEntry.objects.filter(activity=two, reporting_round=world.round).exists()
    response = upload(client, world, as_file(book))
    confirm(client, world, response, leave_out_conflicts="on")
    draft.refresh_from_db()
    assert draft.narrative == "Changed in the app." and draft.version == 2
    assert ProgressEntry.objects.get(activity=two, reporting_round=world.round).status == "completed"


@pytest.mark.django_db
def test_a_draft_created_in_the_app_since_the_download_is_a_conflict(client, world):
    signed_in(client, world.focal_am)
    book = download(client, world)
    world.entry(narrative="Made online meanwhile.")
    fill(book, "1.1.1", Status="Completed", Narrative="Made offline.")
    plan = upload(client, world, as_file(book)).context["plan"]
    assert [r.activity.code for r in plan.conflicts] == ["1.1.1"]


@pytest.mark.django_db
def test_submitted_entries_are_not_changed_by_an_upload(client, world):
    submitted = world.submitted(narrative="Sent for review.")
    signed_in(client, world.focal_am)
    book = download(client, world)
    assert data_sheet(book)["D2"].value.startswith("Submitted or approved in this round")
    fill(book, "1.1.1", Narrative="Changed offline.")
    response = upload(client, world, as_file(book))
    plan = response.context["plan"]
    assert [r.activity.code for r in plan.locked] == ["1.1.1"] and not plan.actions
    assert "already submitted or approved" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.narrative == "Sent for review."


@pytest.mark.django_db
def test_another_states_focal_point_and_visitors_are_refused(client, world):
    signed_in(client, world.focal_am)
    book = download(client, world)
    fill(book, "1.1.1", Status="Completed")
    signed_in(client, world.focal_ir)
    assert client.get(download_url(world)).status_code == 403
    assert client.get(sheet_page(world)).status_code == 403
    assert upload(client, world, as_file(book)).status_code == 403
    client.logout()
    assert client.get(download_url(world)).status_code == 302  # to sign in
    assert upload(client, world, as_file(book)).status_code == 302
    assert not ProgressEntry.objects.exists()


@pytest.mark.django_db
def test_a_delegate_gets_their_activities_only_and_a_row_beyond_them_is_an_error(client, world, two):
    delegate = UserFactory(username="delegate-am")
    DelegationFactory(delegate=delegate, range_state=world.am, activity=two, granted_by=world.focal_am)
    signed_in(client, delegate)
    book = download(client, world)
    assert [row[1].value for row in data_sheet(book).iter_rows(min_row=2)] == ["1.1.2"]
    values = offline_sheet.entry_values(None, today=datetime.date.today())
    beyond = offline_sheet._identity(world.round, world.am, world.activity, None, values)
    data_sheet(book).append([beyond, "1.1.1", "x", "", "Completed"])
    errors = upload(client, world, as_file(book)).context["plan"].errors
    assert [(e.row, e.column) for e in errors] == [(3, "Activity code")]


@pytest.mark.django_db
def test_bad_files_are_refused_with_a_clear_error(client, world, settings):
    signed_in(client, world.focal_am)
    book = download(client, world)

    def refusal(file):
        response = upload(client, world, file)
        assert response.status_code == 200
        return " ".join(response.context["upload_form"].errors["sheet"])

    assert "not an XLSX file" in refusal(SimpleUploadedFile("a.xlsx", b"name,status\n1,2\n"))
    assert "not an XLSX file" in refusal(SimpleUploadedFile("a.xlsx", b"PK\x03\x04broken zip"))
    wrong = load_workbook(io.BytesIO(as_file(book).read()))
    data_sheet(wrong)["E1"].value = "State"
    message = refusal(as_file(wrong))
    assert "must name these columns" in message and "Status, Confidence" in message
    settings.OFFLINE_SHEET_MAX_ROWS = 0
    assert "more than 0 rows" in refusal(as_file(book))
    settings.OFFLINE_SHEET_MAX_BYTES = 100
    assert "too big" in refusal(as_file(book))
    assert not ProgressEntry.objects.exists()


@pytest.mark.django_db
def test_two_uploads_confirmed_one_after_the_other_the_second_is_refused(client, world, django_user_model):
    other = UserFactory(username="focal-am-2")
    from tests.factories import FocalPointFactory

    FocalPointFactory(user=other, range_state=world.am)
    first, second = client, type(client)()
    signed_in(first, world.focal_am)
    signed_in(second, other)
    book = download(first, world)
    fill(book, "1.1.1", Status="Completed", Narrative="First.")
    preview_one = upload(first, world, as_file(book))
    fill(book, "1.1.1", Status="Completed", Narrative="Second.")
    preview_two = upload(second, world, as_file(book))
    assert confirm(first, world, preview_one).status_code == 302
    response = confirm(second, world, preview_two)
    assert response.status_code == 302
    follow = second.get(response["Location"])
    assert "changed in the app after the preview" in follow.content.decode()
    assert ProgressEntry.objects.get().narrative == "First."


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks: PostgreSQL")
def test_two_confirmations_at_the_same_time_one_wins(world):
    actions = [
        {
            "row": 2,
            "activity": world.activity.pk,
            "entry": None,
            "version": 0,
            "values": offline_sheet.normal(
                {
                    "status": "completed",
                    "confidence": "expert",
                    "reporting_date": datetime.date(2025, 6, 1),
                    "narrative": n,
                }
            ),
        }
        for n in ("One.", "Two.")
    ]
    barrier = threading.Barrier(2)
    outcome = []

    def run(action):
        try:
            barrier.wait()
            services.offline_sheet_apply(
                user=world.focal_am, reporting_round=world.round, range_state=world.am, actions=[action]
            )
            outcome.append("saved")
        except services.PreviewOutdated:
            outcome.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcome) == ["refused", "saved"]
    assert ProgressEntry.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 12])
def test_the_preview_query_count_is_flat(client, world, django_assert_num_queries, rows):
    for n in range(rows):
        ActivityFactory(result=world.result, code=f"1.1.{n + 2}", due_year=world.activity.due_year)
    signed_in(client, world.focal_am)
    book = download(client, world)
    sheet = data_sheet(book)
    for row in sheet.iter_rows(min_row=2):
        row[4].value = "Completed"
    file = as_file(book)
    client.get(sheet_page(world))  # the session and its user are loaded once before
    # session, user, round, state, report, Secretariat group, focal points, the due activities, the
    # round's entries, and the session saved (savepoint, update, release); no translations in English
    with django_assert_num_queries(12):
        response = upload(client, world, file)
    assert len(response.context["plan"].creates) == rows + 1


@pytest.mark.django_db
def test_rows_left_as_downloaded_are_skipped_even_without_a_status(client, world, two):
    ActivityFactory(result=world.result, code="1.1.3", due_year=world.activity.due_year)  # nothing yet
    signed_in(client, world.focal_am)
    book = download(client, world)
    assert [row[4].value for row in data_sheet(book).iter_rows(min_row=2)] == [None, "In progress", None]
    response = upload(client, world, as_file(book))
    plan = response.context["plan"]
    assert not plan.errors and not plan.actions and len(plan.unchanged) == 3
    assert "Nothing to save" in response.content.decode()


@pytest.mark.django_db
def test_a_closed_round_takes_no_upload_and_says_why(client, world):
    signed_in(client, world.focal_am)
    book = download(client, world)
    fill(book, "1.1.1", Status="Completed")
    services.reporting_round_close(user=world.secretariat, reporting_round=world.round)
    response = upload(client, world, as_file(book))
    assert response.status_code == 403
    assert "is closed" in response.content.decode()
    assert client.get(download_url(world)).status_code == 403
    assert not ProgressEntry.objects.exists()
