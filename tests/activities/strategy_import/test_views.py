"""The import pages and the XLSX download, as people use them: who may, what they see, how many queries."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from activities.models import Activity, Strategy, StrategyImport
from tests.factories import FocalPointFactory, SecretariatUserFactory, UserFactory

from .workbooks import activity_row, logframe_rows, workbook

pytestmark = pytest.mark.django_db
IMPORT = reverse("activities:strategy-import")


def upload(client, data, **extra):
    return client.post(IMPORT, {"file": SimpleUploadedFile("logframe.xlsx", data), **extra})


@pytest.fixture
def secretariat(client):
    user = SecretariatUserFactory()
    client.force_login(user)
    return user


def test_upload_preview_and_confirm(client, secretariat):
    response = upload(client, workbook())
    pending = StrategyImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:strategy-import-preview", args=[pending.pk])
    page = client.get(response["Location"]).content.decode()
    assert "To be created" in page and "1.1.2" in page
    assert not Strategy.objects.exists()
    response = client.post(reverse("activities:strategy-import-preview", args=[pending.pk]))
    assert response.status_code == 302
    assert Activity.objects.filter(strategy__slug="test-leopard").count() == 2


def test_the_preview_shows_each_error_with_its_row_and_column_and_offers_no_confirmation(client, secretariat):
    upload(client, workbook([*logframe_rows(1), activity_row("1.1.2", cells={"Cost (USD)": "lots"})]))
    pending = StrategyImport.objects.get()
    page = client.get(reverse("activities:strategy-import-preview", args=[pending.pk])).content.decode()
    assert "<td>Logframe</td><td>5</td><td>Cost (USD)</td>" in page
    assert "Confirm the import" not in page
    response = client.post(reverse("activities:strategy-import-preview", args=[pending.pk]))
    assert response.status_code == 409
    assert not Strategy.objects.exists()


def test_a_file_that_is_not_an_xlsx_is_shown_beside_the_field(client, secretariat):
    response = upload(client, b"just some text")
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()
    assert not StrategyImport.objects.exists()


def test_a_stale_preview_is_refused_on_the_page(client, secretariat):
    upload(client, workbook())
    client.post(reverse("activities:strategy-import-preview", args=[StrategyImport.objects.get().pk]))
    upload(client, workbook(logframe_rows(3)))
    stale = StrategyImport.objects.filter(state="previewed").get()
    Activity.objects.filter(code="1.1.1").update(text="Changed meanwhile.")
    response = client.post(reverse("activities:strategy-import-preview", args=[stale.pk]))
    assert response.status_code == 409
    assert "has changed since this preview" in response.content.decode()
    assert not Activity.objects.filter(code="1.1.3").exists()


@pytest.mark.parametrize("who", ["anonymous", "partner", "focal point", "other secretariat"])
def test_outsiders_may_not_upload_see_or_confirm_an_import(client, who):
    owner = SecretariatUserFactory()
    from activities import services

    pending = services.strategy_import_preview(user=owner, file_name="x.xlsx", data=workbook())
    preview_url = reverse("activities:strategy-import-preview", args=[pending.pk])
    if who != "anonymous":
        user = {
            "partner": UserFactory,
            "focal point": lambda: FocalPointFactory().user,
            "other secretariat": SecretariatUserFactory,
        }[who]()
        client.force_login(user)
    responses = [
        client.get(IMPORT),
        upload(client, workbook()),
        client.get(preview_url),
        client.post(preview_url),
    ]
    if who == "anonymous":
        assert all(r.status_code == 302 and "login" in r["Location"] for r in responses)
    elif who == "other secretariat":
        assert [r.status_code for r in responses[2:]] == [404, 404]  # someone else's upload
    else:
        assert all(r.status_code == 403 for r in responses)
    assert not Strategy.objects.exists()
    assert StrategyImport.objects.filter(state="applied").count() == 0


@pytest.mark.parametrize("rows", [1, 20])
def test_upload_and_preview_query_counts_are_flat(client, secretariat, django_assert_num_queries, rows):
    from activities import services

    services.strategy_import_confirm(
        user=secretariat,
        strategy_import=services.strategy_import_preview(
            user=secretariat, file_name="x.xlsx", data=workbook(logframe_rows(rows))
        ),
    )
    data = workbook(logframe_rows(rows + 1))
    # session, user, Secretariat group; actors known (for the slugs), actors' names taken; the snapshot:
    # strategy, actors,
    # measures, themes (ids), themes, objectives, results, actor links, measure links, activities;
    # the savepoint pair and the insert of the stored preview
    with django_assert_num_queries(18):
        response = upload(client, data)
    assert response.status_code == 302
    # session, user, Secretariat group, the stored preview
    with django_assert_num_queries(4):
        response = client.get(response["Location"])
    assert response.status_code == 200


def test_anyone_may_download_a_strategys_logframe_and_its_cells_stay_text(client, secretariat):
    upload(
        client,
        workbook([*logframe_rows(1), activity_row("1.1.2", cells={"Source note": "=1+1"})], text_cells=True),
    )
    pending = StrategyImport.objects.get()
    assert pending.problems == []
    client.post(reverse("activities:strategy-import-preview", args=[pending.pk]))
    client.logout()
    response = client.get(reverse("activities:strategy-export", args=["test-leopard"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="test-leopard-logframe.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content))["Logframe"]
    cell = sheet.cell(row=5, column=12)
    assert (cell.value, cell.data_type) == ("=1+1", "s")
    assert client.get(reverse("activities:strategy-export", args=["nope"])).status_code == 404


def test_the_strategy_page_links_the_download_for_all_and_the_import_for_the_secretariat(client, secretariat):
    Strategy.objects.create(slug="s", title="S", short_name="S")
    url = reverse("activities:strategy-detail", args=["s"])
    page = client.get(url).content.decode()
    assert reverse("activities:strategy-export", args=["s"]) in page and f"{IMPORT}?strategy=s" in page
    client.logout()
    page = client.get(url).content.decode()
    assert reverse("activities:strategy-export", args=["s"]) in page and IMPORT not in page
