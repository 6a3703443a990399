"""Report pages: public and read-only, filters in the URL, restricted data never shown, flat query counts."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from activities.models import MeetingSnapshot
from tests.factories import ActivityFactory, UserFactory, WorkProgrammeMeasureFactory

from .conftest import S, record

REPORTS = [
    "dashboard",
    "matrix",
    "timeline",
    "budget",
    "plans",
    "pow",
    "actors",
    "reporting-rate",
    "national",
    "snapshots",
    "consolidated",
]


def url(name, **params):
    from urllib.parse import urlencode

    return f"{reverse(f'reporting:{name}')}?{urlencode(params)}"


def page_params(world, name) -> dict:
    """What each report page needs to show the world: the strategy, and for some a state, round or snapshot."""
    params = {"strategy": world.strategy.slug}
    if name == "national":
        params |= {"range_state": "QA", "reporting_round": world.round.pk}
    if name == "snapshots":
        snapshot = MeetingSnapshot.objects.create(
            meeting=world.meeting, strategy=world.strategy, taken_by=world.reviewer
        )
        params["before"] = snapshot.pk
    return params


@pytest.mark.parametrize("name", REPORTS)
def test_each_report_page_is_public_and_states_approved_only(client, world, name):
    response = client.get(url(name, **page_params(world, name)))
    assert response.status_code == 200
    html = response.content.decode()
    # The plans report reads plans' periods, not progress: no "approved only" notice there.
    assert ("Approved progress only." in html) == (name != "plans")
    assert "How the numbers are counted" in html
    assert "Den site" not in html  # restricted details never appear
    assert 'for="id_range_state"' in html and 'for="id_date"' in html  # the Filters form has labels


def test_the_index_the_navigation_and_the_urls_read_one_registry(client, world):
    from reporting.reports.registry import REPORTS as REGISTRY

    assert sorted(r.slug for r in REGISTRY) == sorted(REPORTS)
    index = client.get(reverse("reporting:index")).content.decode()
    page = client.get(url("timeline", strategy=world.strategy.slug)).content.decode()
    for report in REGISTRY:
        link = f"{reverse(f'reporting:{report.slug}')}?strategy={world.strategy.slug}"
        assert f'<a href="{link}">{report.label}</a>' in index
        assert f'<a href="{link}"' in page  # the navigation between reports
        for fmt in ("csv", "xlsx"):
            assert reverse(f"reporting:{report.slug}-export", kwargs={"fmt": fmt}).endswith(
                f"{report.slug}.{fmt}"
            )


def test_a_report_without_a_strategy_redirects_to_a_shareable_url(client, world):
    response = client.get(reverse("reporting:dashboard") + "?range_state=QA")
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:dashboard") + "?range_state=QA&strategy=test-leopard"


def test_filters_are_read_from_the_url_and_kept_in_the_links(client, world):
    response = client.get(url("dashboard", strategy="test-leopard", range_state="QA", date="2024-12-31"))
    html = response.content.decode()
    assert response.context["report"].page["total"].cells == 4  # Alpha only: 4 activities
    assert '<option value="QA" selected>Alpha</option>' in html
    assert 'value="2024-12-31"' in html
    # the other reports and the exports keep the filters
    assert "/reports/matrix/?strategy=test-leopard&amp;range_state=QA&amp;date=2024-12-31" in html
    assert "/reports/dashboard.xlsx?strategy=test-leopard&amp;range_state=QA&amp;date=2024-12-31" in html


def test_unknown_filter_values_are_reported_not_ignored(client, world):
    response = client.get(url("dashboard", strategy="test-leopard", range_state="ZZ", date="not-a-date"))
    assert response.status_code == 200
    assert response.context["report"] is None
    assert 'role="alert"' in response.content.decode()
    assert client.get(url("dashboard", strategy="nope")).status_code == 404
    assert (
        client.get(
            reverse("reporting:dashboard-export", kwargs={"fmt": "csv"}) + "?strategy=test-leopard&date=x"
        ).status_code
        == 404
    )


def test_matrix_cells_show_colour_and_text(client, world):
    html = client.get(url("matrix", strategy="test-leopard")).content.decode()
    assert (
        '<td class="cell st-completed"><span class="st-text">Completed</span><time datetime="2025-03-01">'
        in html
    )
    assert '<td class="cell st-not_reported"><span class="st-text">Not reported</span></td>' in html


def test_charts_are_svg_images_with_a_text_alternative(client, world):
    html = client.get(url("dashboard", strategy="test-leopard")).content.decode()
    assert (
        '<svg class="status-bar" role="img" aria-label="Whole strategy: Completed 2, In progress 3, Delayed / at risk 1, Not applicable 1, Not reported 5 of 12 cells"'
        in html
    )


def test_national_report_shows_narrative_and_public_evidence_only(client, world):
    html = client.get(
        url("national", strategy="test-leopard", range_state="QA", reporting_round=world.round.pk)
    ).content.decode()
    assert "1.1.1 Alpha completed narrative" in html
    assert "https://example.org/survey.pdf" in html
    assert "https://example.org/dens" not in html and "Den site" not in html
    assert "Carried forward" in html and "Reported in this round" in html
    assert "1.1.2 Alpha" not in html  # the submitted (unapproved) entry


def test_national_report_articles_read_as_the_entry_says(client, world):
    """The articles are built in Python (report_format.national_activities): every field of the entry is
    there as the reader needs it — line breaks kept, a file named as held by the Secretariat, amount,
    priority and confidence labelled in the reader's language — and what people typed stays text."""
    from activities.models import Evidence, ProgressEntry

    entry = ProgressEntry.objects.get(
        activity__code="1.1.1",
        range_state__iso_code="QA",
        reporting_round=world.round,
        review_state="approved",
    )
    ProgressEntry.objects.filter(pk=entry.pk).update(
        narrative=f"First line {HOSTILE}\nSecond line", source=f"Ministry {HOSTILE}"
    )
    Evidence.objects.create(
        entry=entry, title="", file="evidence/2025/05/count.pdf", added_by=entry.reported_by
    )
    Evidence.objects.create(
        entry=entry, title=f"Den {HOSTILE}", url="https://example.org/den2", restricted=True
    )
    path = url("national", strategy="test-leopard", range_state="QA", reporting_round=world.round.pk)

    html = client.get(path).content.decode()
    article = html[
        html.index("Activity 1.1.1</a>") : html.index("</article>", html.index("Activity 1.1.1</a>"))
    ]
    assert "First line &lt;img src=x onerror=&quot;alert(1)&quot;&gt;<br>Second line" in article
    assert "<dt>Source</dt><dd>Ministry &lt;img" in article
    assert "<dt>Spent</dt><dd>USD 8,000</dd>" in article
    assert "<dt>Confidence</dt><dd>Expert judgement</dd>" in article
    assert "· priority 3 – high" in article
    assert '<li>File <span class="muted">(file held by the Secretariat)</span></li>' in article
    assert 'href="https://example.org/survey.pdf"' in article
    assert "example.org/den2" not in html and "Den &lt;img" not in html  # restricted evidence

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    ru = client.get(path).content.decode()
    assert "Мероприятие 1.1.1</a>" in ru
    assert "Экспертная оценка</dd>" in ru and "· приоритет 3 – высокий" in ru
    assert "(файл хранится в Секретариате)" in ru
    assert "<img src=x" not in html + ru


def test_national_report_asks_for_a_state_and_a_round(client, world):
    response = client.get(url("national", strategy="test-leopard"))
    assert "Choose a Range State and a reporting round" in response.content.decode()


def test_only_the_secretariat_takes_a_meeting_snapshot(client, world):
    take = reverse("reporting:snapshot-take")
    data = {"strategy": "test-leopard", "meeting": world.meeting.pk, "note": "As presented to RSM2"}
    assert client.post(take, data).status_code == 403
    client.force_login(UserFactory())
    assert client.post(take, data).status_code == 403
    assert not MeetingSnapshot.objects.exists()
    client.force_login(world.reviewer)
    response = client.post(take, data)
    snapshot = MeetingSnapshot.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('reporting:snapshots')}?strategy=test-leopard&before={snapshot.pk}"
    )
    assert snapshot.statuses.count() == 5  # the five approved cells (four states' and one range-wide)
    assert snapshot.note == "As presented to RSM2"
    assert client.get(response["Location"]).status_code == 200


def test_the_snapshot_view_and_page_ask_activities_permissions(client, world, monkeypatch):
    """One rule, one place: who may take a snapshot is decided by permissions.decide(SNAPSHOT_TAKE), not by
    a check of the view's own (which would drift from the rule the service applies)."""
    from activities import permissions
    from activities.permissions import Action

    asked = []
    decide = permissions.decide

    def spy(user, action, target=None):
        asked.append(action)
        return decide(user, action, target)

    monkeypatch.setattr(permissions, "decide", spy)
    client.force_login(UserFactory())
    data = {"strategy": "test-leopard", "meeting": world.meeting.pk}
    response = client.post(reverse("reporting:snapshot-take"), data)
    assert response.status_code == 403
    assert asked == [Action.SNAPSHOT_TAKE]
    asked.clear()
    client.get(url("snapshots", strategy="test-leopard"))
    assert Action.SNAPSHOT_TAKE in asked


def test_snapshot_page_does_not_offer_the_form_to_the_public(client, world):
    html = client.get(url("snapshots", strategy="test-leopard")).content.decode()
    assert "Take snapshot" not in html


# --- query counts ------------------------------------------------------------------------------------------


@pytest.fixture
def grown(world, request):
    """`rows` more activities, each with approved entries in two states and range-wide, a POW measure and
    actors, so that a report's query count can be compared at two sizes."""
    users = (world.reporter, world.reviewer)
    measure = WorkProgrammeMeasureFactory(code="98.9")
    for i in range(request.param):
        activity = ActivityFactory(result=world.a1.result, code=f"1.1.{10 + i}", due_year=2025)
        activity.cami_pow_measures.set([measure])
        activity.actors.set(world.a1.actors.all())
        for state in (world.alpha, world.beta, None):
            record(
                users,
                activity=activity,
                state=state,
                date=datetime.date(2025, 3, 1),
                status=S.IN_PROGRESS,
                spent=10,
                round=world.round,
            )
    return world


# What each page runs, besides the four every report runs first — the strategy (view), the strategy
# again (form validation), the Range State (form validation, when given) and the reports' change marker
# (reporting.reports.cache) — and the two of the form's rendering (the strategy choices, twice: once for
# `required` and once for the options; the Range State options). The second number is the same request
# again, the report and its page's tables from the cache: the four, the form's own queries and, for the
# matrix (whose rows are read per page, not stored), its activities, states and the page's cells.
FILTERS = {"range_state": "QA", "date": "2025-12-31"}
QUERY_COUNTS = {
    # results with objectives and themes; activities per result and priority; cells per result, priority
    # and status; changed cells; cells gone (the Range State is chosen: no count of states); on the page the
    # Range State map (reporting.reports.ranges): states, activities' count, cells, latest round,
    # metapopulations and their states
    ("dashboard", "page"): (18, 7, {"since": "2024-01-01"}),
    ("dashboard", "xlsx"): (9, 4, {"since": "2024-01-01"}),
    # the form's objective and metapopulation choices (2 on the page); states; activities; cells
    ("matrix", "page"): (12, 11, {}),
    ("matrix", "xlsx"): (7, 7, {}),
    # activities; cells per activity; last completed reports of recurring activities
    ("timeline", "page"): (10, 7, {}),
    ("timeline", "xlsx"): (7, 4, {}),
    # results; activity costs; spent per activity; funding gap: objectives, states, costs, grant lines
    ("budget", "page"): (14, 7, {}),
    ("budget", "xlsx"): (11, 4, {}),
    # the adopting meeting; the strategy's newer version; its Range States; the plans with status
    ("plans", "page"): (11, 7, {}),
    ("plans", "xlsx"): (8, 4, {}),
    # measure–activity links; cells per activity and status
    ("pow", "page"): (9, 7, {}),
    ("pow", "xlsx"): (6, 4, {}),
    # activity–actor links; cells per activity and status (both tables are folded from these)
    ("actors", "page"): (9, 7, {}),
    ("actors", "xlsx"): (6, 4, {}),
    # the form's round (validation; choices on the page); rounds with due counts; entries per round and state
    ("reporting-rate", "page"): (11, 9, {"round": True}),
    ("reporting-rate", "xlsx"): (7, 5, {"round": True}),
    # the form's round; activities with their chosen entry; the entries; their public evidence; the
    # strategy's Range States (the locator map)
    ("national", "page"): (13, 9, {"round": True}),
    ("national", "xlsx"): (9, 5, {"round": True}),
    # the form's snapshot (validation; the choices of both selects on the page); changed cells; cells
    # gone; the snapshot list
    ("snapshots", "page"): (13, 11, {"snapshot": True}),
    # the dashboard's, the snapshot comparison's, the budget's, the plans' and the reporting rate's
    # queries, and the form's round and snapshot (on the page, the choices of both snapshot selects)
    ("consolidated", "page"): (30, 12, {"round": True, "snapshot": True}),
    ("consolidated", "xlsx"): (24, 6, {"round": True, "snapshot": True}),
}


@pytest.mark.parametrize("grown", [1, 10], indirect=True)
@pytest.mark.parametrize(("name", "kind"), list(QUERY_COUNTS))
def test_report_query_count_is_flat(client, grown, django_assert_num_queries, name, kind):
    expected, cached, extra = QUERY_COUNTS[(name, kind)]
    params = {"strategy": "test-leopard", **FILTERS}
    if extra.get("round"):
        params["reporting_round"] = grown.round.pk
    if extra.get("snapshot"):
        params["before"] = MeetingSnapshot.objects.create(
            meeting=grown.meeting, strategy=grown.strategy, taken_by=grown.reviewer
        ).pk
    params |= {k: v for k, v in extra.items() if k not in ("round", "snapshot")}
    from urllib.parse import urlencode

    path = (
        reverse(f"reporting:{name}")
        if kind == "page"
        else reverse(f"reporting:{name}-export", kwargs={"fmt": kind})
    )
    with django_assert_num_queries(expected):
        first = client.get(f"{path}?{urlencode(params)}")
    with django_assert_num_queries(cached):
        again = client.get(f"{path}?{urlencode(params)}")
    assert first.status_code == again.status_code == 200
    assert _answer(again, kind) == _answer(first, kind)


def _answer(response, kind):
    """What the reader gets: the page without its per-request nonces and token, or the workbook's cells
    but the time it was exported (made per request: the report is cached, not the file)."""
    if kind == "xlsx":
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.content))
        return [[r for r in sheet.iter_rows(values_only=True) if r[0] != "Exported"] for sheet in book]
    import re

    html = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.mark.parametrize("name", ["matrix", "pow"])
def test_activity_codes_stay_whole_on_a_farsi_report(client, world, name):
    """On a right-to-left page bidi would show 1.1.1.a as a.1.1.1: the rows' codes are isolated."""
    activity = ActivityFactory(result=world.a1.result, code="1.1.1.a", due_year=2025)
    activity.cami_pow_measures.set([WorkProgrammeMeasureFactory(code="4.7")])
    html = client.get(url(name, strategy="test-leopard"), headers={"accept-language": "fa"}).content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    assert '<bdi class="code" dir="ltr">1.1.1.a</bdi></a>' in html


HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.mark.parametrize("name", REPORTS)
def test_hostile_texts_in_the_tables_are_shown_as_text(client, world, name):
    """The report tables are built in Python (report_format.table_body, rollup_rows, status_bar): what
    people typed into the logframe, actors and Range States reaches the page escaped, on every report."""
    from activities.models import Activity, Actor, Objective, RangeState, Result, Theme

    Activity.objects.filter(code="1.1.1").update(text=f"Surveys {HOSTILE}")
    Theme.objects.update(title=f"Knowledge {HOSTILE}")
    Objective.objects.update(text=f"Know the range {HOSTILE}")
    Result.objects.update(text=f"Surveys done {HOSTILE}")
    Actor.objects.filter(slug="gos-t").update(name=f"GOs {HOSTILE}")
    RangeState.objects.filter(iso_code="QA").update(name=f"Alpha {HOSTILE}")
    html = client.get(url(name, **page_params(world, name))).content.decode()
    assert "<img src=x" not in html
    assert 'onerror="alert' not in html
