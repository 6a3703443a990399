"""Reports as meeting documents: DOCX read back with python-docx and PDF read back with pdftotext,
their content checked against the data — the same approved rows as the page, restricted details never,
the symbol and date the Secretariat gives, the request's language and direction."""

import io
import shutil
import subprocess

import docx
import pytest
from django.urls import reverse

from reporting.documents import _is_grid
from reporting.reports.registry import REPORTS

from .test_views import url


def doc_url(name, fmt, **params):
    from urllib.parse import urlencode

    return f"{reverse(f'reporting:{name}-document', kwargs={'fmt': fmt})}?{urlencode(params)}"


def docx_text(response) -> str:
    document = docx.Document(io.BytesIO(response.content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(response) -> str:
    assert response.content.startswith(b"%PDF-")
    assert shutil.which("pdftotext"), "pdftotext is missing: `make test-tools` installs poppler-utils"
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    )
    return done.stdout.decode()


def national_params(world, **extra):
    return {"strategy": "test-leopard", "range_state": "QA", "reporting_round": world.round.pk} | extra


@pytest.mark.parametrize("fmt, read", [("docx", docx_text), ("pdf", pdf_text)])
def test_the_national_report_document_carries_the_approved_entries_and_never_restricted_details(
    client, world, fmt, read
):
    response = client.get(
        doc_url(
            "national", fmt, **national_params(world, symbol="UNEP/CMS/PL-RS2/Doc.4", issued="2026-09-20")
        )
    )

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and f".{fmt}" in response["Content-Disposition"]
    content = " ".join(read(response).split())
    assert "UNEP/CMS/PL-RS2/Doc.4" in content
    assert "20 September 2026" in content
    assert "Test Leopard Strategy" in content
    assert "Alpha" in content and "2025 annual" in content
    assert "1.1.1 Alpha completed narrative" in content  # the approved entry's narrative
    assert "https://example.org/survey.pdf" in content  # its public evidence
    assert "https://example.org/dens" not in content and "Den site" not in content
    assert "1.1.2 Alpha" not in content  # the submitted, unapproved entry


def test_a_document_symbol_or_date_that_is_malformed_is_refused_with_its_name(client, world):
    bad_symbol = client.get(doc_url("national", "pdf", **national_params(world, symbol="<script>x</script>")))
    bad_date = client.get(doc_url("national", "docx", **national_params(world, issued="20/09/2026")))

    assert bad_symbol.status_code == 400 and "Document symbol" in bad_symbol.content.decode()
    assert bad_date.status_code == 400 and "Date of issue" in bad_date.content.decode()


def test_without_its_filters_the_national_document_is_not_found(client, world):
    assert client.get(doc_url("national", "pdf", strategy="test-leopard")).status_code == 404


def test_a_farsi_document_is_right_to_left_in_farsi(client, world):
    response = client.get(doc_url("timeline", "docx", strategy="test-leopard"), HTTP_ACCEPT_LANGUAGE="fa")
    document = docx.Document(io.BytesIO(response.content))
    assert response.status_code == 200
    assert document.paragraphs[0]._p.pPr.find(docx.oxml.ns.qn("w:bidi")) is not None

    pdf = client.get(doc_url("timeline", "pdf", strategy="test-leopard"), HTTP_ACCEPT_LANGUAGE="fa")
    assert pdf.status_code == 200 and "Test Leopard Strategy" in pdf_text(pdf)


@pytest.mark.parametrize("report", [r.slug for r in REPORTS if r.slug not in ("national", "snapshots")])
def test_every_report_is_offered_and_downloads_as_a_docx_whose_tables_match_the_page(client, world, report):
    page = client.get(url(report, strategy="test-leopard")).content.decode()
    link = doc_url(report, "docx", strategy="test-leopard").replace("&", "&amp;")
    assert link.split("?")[0] in page

    response = client.get(doc_url(report, "docx", strategy="test-leopard"))

    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    report_type = next(r for r in REPORTS if r.slug == report)
    built = report_type.report_for(
        world.strategy, report_type.form_class({"strategy": "test-leopard"}, strategy=world.strategy)
    )
    assert headings[0] == str(built.title)
    assert [str(t.title) for t in built.tables] == headings[1 : 1 + len(built.tables)]
    grids = iter(document.tables)
    for table in built.tables:
        if table.rows and _is_grid(table):
            assert len(next(grids).rows) == len(table.rows) + 1  # the header row and every row


# --- the range-wide consolidated report -----------------------------------------------------------


def test_the_consolidated_report_is_made_of_the_tables_that_define_each_figure(client, world):
    from reporting.reports.budget import budget_overview
    from reporting.reports.consolidated import consolidated_report
    from reporting.reports.core import Scope
    from reporting.reports.dashboard import strategy_dashboard
    from tests.factories import RangeStateFactory

    delta = RangeStateFactory(iso_code="QD", name="Delta")  # in the strategy, never reported
    world.strategy.range_states.add(delta)
    scope = Scope(strategy=world.strategy)

    report = consolidated_report(scope, reporting_round=world.round)

    keys = [table.key for table in report.tables]
    assert keys == ["rollup", "rangewide", "funding_objectives", "funding_states", "standing", "not_reported"]
    assert report.table("rollup").rows == strategy_dashboard(scope).table("rollup").rows
    assert report.table("funding_states").rows == budget_overview(scope).table("funding_states").rows
    assert [row[0] for row in report.table("not_reported").rows] == ["Delta"]
    assert "No meeting snapshot has been taken for this strategy: no changes can be shown." in report.notes


def test_the_consolidated_document_shows_the_changes_since_the_chosen_snapshot(client, world):
    from activities.models import MeetingSnapshot

    snapshot = MeetingSnapshot.objects.create(
        meeting=world.meeting, strategy=world.strategy, taken_by=world.reviewer
    )
    response = client.get(
        doc_url(
            "consolidated",
            "docx",
            strategy="test-leopard",
            reporting_round=world.round.pk,
            before=snapshot.pk,
            symbol="UNEP/CMS/PL-RS2/Doc.5",
        )
    )

    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    assert headings[0] == "Range-wide consolidated report"
    assert "Changes" in headings
    assert "UNEP/CMS/PL-RS2/Doc.5" in docx_text(response)


@pytest.mark.parametrize("language", ["en", "ru", "fa"])
def test_a_documents_amounts_are_written_as_the_page_writes_them_in_its_language(client, world, language):
    page = client.get(url("budget", strategy="test-leopard"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    response = client.get(doc_url("budget", "docx", strategy="test-leopard"), HTTP_ACCEPT_LANGUAGE=language)

    content = docx_text(response)
    # A3's estimate of 50,000 USD: "50,000" in English and Persian (as CLDR groups it), "50 000" with a
    # no-break space in Russian; the page and the document agree. (The source's own cost text, "50,000",
    # is quoted as it stands in every language.)
    written = {"en": "50,000", "ru": "50\xa0000", "fa": "50,000"}[language]
    assert written in page
    assert written in content
