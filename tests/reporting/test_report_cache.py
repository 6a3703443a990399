"""Reports come from the cache (reporting.reports.cache) and are never stale: every table a report reads
is watched by the reports' change marker, so any change shows on the next request; filters, languages
and days never share a copy; and what one reader sees never enters another's."""

import datetime
import re
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import changes, services
from activities.models import (
    Activity,
    CrossReference,
    GrantActivity,
    Meeting,
    MeetingSnapshot,
    Metapopulation,
    NationalActionPlan,
    ReportingRound,
)
from activities.models.translations import ActivityTranslation, MetapopulationTranslation
from reporting.reports.registry import REPORTS
from tests.factories import (
    ActivityFactory,
    GrantActivityFactory,
    GrantFactory,
    NationalActionPlanFactory,
    SecretariatUserFactory,
    SpeciesFactory,
)

from .conftest import S, record

TABLE = re.compile(r'(?:FROM|JOIN)\s+"([a-z0-9_]+)"', re.IGNORECASE)
D = datetime.date


@pytest.fixture
def everything(world):
    """The reports' world with what only some reports read: a snapshot, a grant line, a species with a
    national plan, a cross-reference, translations of an activity and a metapopulation."""
    world.strategy.range_states.set([world.alpha, world.beta, world.gamma])
    secretariat = SecretariatUserFactory()
    snapshot = services.meeting_snapshot_take(
        user=secretariat, meeting=world.meeting, strategy=world.strategy
    )
    GrantActivityFactory(grant=GrantFactory(), activity=world.a1)
    plan = NationalActionPlanFactory(strategy=world.strategy, range_state=world.alpha)
    species = SpeciesFactory()
    species.strategies.add(world.strategy)
    species.national_action_plans.add(plan)
    CrossReference.objects.create(
        from_activity=world.a2, kind=CrossReference.Kind.ACTIVITY, code="1.1.1", to_activity=world.a1
    )
    ActivityTranslation.objects.create(master=world.a1, language_code="ru", text_translated="Обследовать.")
    MetapopulationTranslation.objects.create(
        master=world.metapopulation, language_code="ru", name_translated="Север"
    )
    world.snapshot = snapshot
    return world


def _filters(world, slug) -> list[dict]:
    """Every filter each report takes, one set at a time (objectives and metapopulations by number, as
    the forms take them: their ids only match on a fresh SQLite database)."""
    base = {"strategy": world.strategy.slug}
    by_report = {
        "dashboard": [{}, {"since": "2024-01-01"}, {"range_state": world.alpha.iso_code}],
        "matrix": [
            {"objective": Activity.objects.get(pk=world.a1.pk).result.objective.number},
            {"priority": 1},
            {"metapopulation": world.metapopulation.number},
        ],
        "national": [{"range_state": world.alpha.iso_code, "reporting_round": world.round.pk}],
        "reporting-rate": [{"reporting_round": world.round.pk}],
        "snapshots": [{"before": world.snapshot.pk}],
        "consolidated": [{"reporting_round": world.round.pk, "before": world.snapshot.pk}],
    }
    return [
        base | extra | {"date": date} for extra in by_report.get(slug, [{}]) for date in ("", "2025-04-01")
    ]


def _report_urls(world):
    """(report slug, address) of every report with every filter it takes."""
    for report in REPORTS:
        for params in _filters(world, report.slug):
            yield report.slug, f"{reverse(f'reporting:{report.slug}')}?{urlencode(params)}"


def test_every_table_a_report_reads_is_watched_by_the_reports_marker(client, everything):
    watched = changes.watched_tables("reports")
    read = {}
    for slug, url in _report_urls(everything):
        for language in ("en", "ru"):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, headers={"accept-language": language})
            assert response.status_code == 200, url
            assert b'<dl class="applied">' in response.content, url
            for query in queries.captured_queries:
                for table in TABLE.findall(query["sql"]):
                    read.setdefault(table, set()).add(slug)
    assert {"activities_snapshotstatus", "activities_grantactivity", "activities_evidence"} <= set(read)
    unwatched = {table: sorted(slugs) for table, slugs in read.items() if table not in watched}
    assert not unwatched, f"read by these reports but not in changes.RESOURCES['reports']: {unwatched}"


CONTENT_MODELS = [Meeting, MeetingSnapshot, ReportingRound, NationalActionPlan, GrantActivity, Metapopulation]


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m.__name__)
def test_an_edit_to_any_row_of_a_table_without_updated_at_changes_the_marker(everything, model):
    row = model.objects.order_by("pk").first()
    field = next(
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key or f.is_relation or f.unique or f.choices)
        and f.get_internal_type() in ("CharField", "TextField", "DecimalField", "PositiveIntegerField")
    )
    value = getattr(row, field.name)
    before = changes.marker("reports")
    model.objects.filter(pk=row.pk).update(
        **{field.name: f"{value} (edited)" if isinstance(value, str) else (value or 0) + 1}
    )
    assert changes.marker("reports") != before


def test_a_snapshot_status_removed_changes_the_marker(everything):
    before = changes.marker("reports")
    everything.snapshot.statuses.order_by("-pk").first().delete()
    assert changes.marker("reports") != before


def _every_report_page(client, world) -> dict:
    """Every report with every filter it takes, in English, built afresh: each page's report."""
    return {url: _main(_uncached(client, url, {})) for _, url in _report_urls(world)}


def test_drafts_submissions_and_returns_leave_the_marker_and_every_report_alone(client, everything):
    """Reports show approved progress only, so the writes of a reporting round before approval — most of
    them — keep every cached report: the marker stays, and every report built afresh is the same."""
    w = everything
    before_marker, before = changes.marker("reports"), _every_report_page(client, w)
    users = (w.reporter, w.reviewer)
    draft = record(  # the activity and state the national report is filtered to, in its round
        users,
        activity=w.a1,
        state=w.alpha,
        date=D(2025, 5, 2),
        status=S.COMPLETED,
        review="draft",
        spent=424242,
        round=w.round,
        evidence=[("Draft evidence", "https://example.org/draft", False)],
    )
    draft = services.progress_entry_update(
        user=w.reporter, entry=draft, expected_version=draft.version, narrative="Edited draft."
    )
    services.evidence_remove(user=w.reporter, evidence=draft.evidence.get())
    entry = services.progress_entry_submit(user=w.reporter, entry=draft)
    entry = services.progress_entry_return(user=w.reviewer, entry=entry, comment="Attach the survey.")
    services.evidence_add(user=w.reporter, entry=entry, title="Survey", url="https://example.org/s")
    services.progress_entry_submit(user=w.reporter, entry=entry)
    gone = record(users, activity=w.a4, state=w.gamma, date=D(2025, 8, 1), status=S.DELAYED, review="draft")
    services.evidence_add(user=w.reporter, entry=gone, title="Mistake", url="https://example.org/m")
    services.progress_entry_delete(user=w.reporter, entry=gone)
    assert changes.marker("reports") == before_marker
    after = _every_report_page(client, w)
    assert [url for url in before if after[url] != before[url]] == []


def _approved(w):
    return w.entries["a1_alpha"]


# every kind of write to approved progress, as the services (and the admin, through them) make it
APPROVED_WRITES = {
    "approval": lambda w: services.progress_entry_approve(
        user=w.reviewer, entry=w.entries["a2_alpha_submitted"]
    ),
    "correction": lambda w: services.progress_entry_update(
        user=w.reviewer,
        entry=_approved(w),
        expected_version=_approved(w).version,
        reason="Typo",
        source="Fixed",
    ),
    "evidence added": lambda w: services.evidence_add(
        user=w.reviewer, entry=_approved(w), title="Later report", url="https://example.org/later"
    ),
    "evidence removed": lambda w: services.evidence_remove(
        user=w.reviewer, evidence=_approved(w).evidence.order_by("pk").first()
    ),
    # a cascade (an activity deleted in the admin) deletes approved entries one by one, with history rows
    # (one no snapshot holds: a snapshot protects the entries it shows)
    "approved entry deleted": lambda w: w.entries["a1_alpha_2024"].delete(),
}


@pytest.mark.parametrize("name", list(APPROVED_WRITES))
def test_every_write_to_approved_progress_changes_the_marker(everything, name):
    before = changes.marker("reports")
    APPROVED_WRITES[name](everything)
    assert changes.marker("reports") != before


def test_an_approved_entry_never_leaves_approved_but_by_deletion(world):
    """What ApprovedHistory stands on: no service moves an approved entry to another review state or
    deletes it, not even for a superuser (the admin's delete and review actions use these services)."""
    entry, superuser = world.entries["a1_alpha"], world.reviewer
    assert superuser.is_superuser
    for attempt in (
        lambda: services.progress_entry_submit(user=superuser, entry=entry),
        lambda: services.progress_entry_return(user=superuser, entry=entry, comment="No."),
        lambda: services.progress_entry_delete(user=superuser, entry=entry),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert "review_state" not in services.EDITABLE_FIELDS
    entry.refresh_from_db()
    assert entry.review_state == entry.ReviewState.APPROVED


def _budget(client, world, **headers):
    return client.get(reverse("reporting:budget"), {"strategy": world.strategy.slug}, headers=headers)


def test_an_approval_shows_on_the_next_request(client, world):
    url = reverse("reporting:dashboard")
    first = client.get(url, {"strategy": world.strategy.slug}).content.decode()
    again = client.get(url, {"strategy": world.strategy.slug}).content.decode()
    assert _main(again) == _main(first)  # from the cache
    record(
        (world.reporter, world.reviewer),
        activity=world.a2,
        state=world.alpha,
        date=D(2025, 7, 1),
        status=S.COMPLETED,
        spent=1234567,
    )
    after = client.get(url, {"strategy": world.strategy.slug}).content.decode()
    assert _main(after) != _main(first)
    assert _main(after) == _main(_uncached(client, url, {"strategy": world.strategy.slug}))
    budget = _budget(client, world).content.decode()
    assert "1,234,567" in budget


def _save(instance, **values):
    for name, value in values.items():
        setattr(instance, name, value)
    instance.save()


# (report, language, the change as people make it, a text the page shows after it, one it no longer shows)
CHANGES = {
    "activity-text": (
        "national",
        "en",
        lambda w: _save(w.a1, text="Count the leopards."),
        "Count the leopards.",
        None,
    ),
    "round-renamed": (
        "national",
        "en",
        lambda w: ReportingRound.objects.filter(pk=w.round.pk).update(name="Renamed round"),
        "Renamed round",
        "2025 annual",
    ),
    "evidence-removed": (
        "national",
        "en",
        lambda w: w.entries["a1_alpha"].evidence.all().delete(),
        None,
        "Survey report",
    ),
    "state-renamed": ("national", "en", lambda w: _save(w.alpha, name="Alphaland"), "Alphaland", None),
    "actors-removed": ("actors", "en", lambda w: w.a1.actors.clear(), None, None),
    "cost-changed": (
        "budget",
        "en",
        lambda w: _save(w.a1, cost_text="7,654,321", cost_kind="amount", cost_usd=7654321),
        "7,654,321",
        None,
    ),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_change_to_what_a_report_reads_shows_on_the_next_request(client, world, name):
    slug, language, change, shown, gone = CHANGES[name]
    params = {"strategy": world.strategy.slug, "range_state": world.alpha.iso_code}
    if slug == "national":
        params["reporting_round"] = world.round.pk
    url = reverse(f"reporting:{slug}")
    headers = {"accept-language": language}
    before = _main(client.get(url, params, headers=headers).content.decode())  # now cached
    assert (shown is None or shown not in before) and (gone is None or gone in before)
    # a moment later, as edits come: updated_at is what sees an edit
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=2)):
        change(world)
    after = _main(client.get(url, params, headers=headers).content.decode())
    assert after != before
    assert (shown is None or shown in after) and (gone is None or gone not in after)
    cache.clear()
    assert after == _main(client.get(url, params, headers=headers).content.decode())


def test_a_new_release_renders_every_report_afresh(client, everything, settings):
    """A deployment may change how a report is written (a template, a translation, a number format)
    while no change marker moves: the copies the previous release cached must not be served. The new
    code is stood in for by a row changed behind the app's back (.update() moves no marker), and the
    release by settings.CODE_RELEASE (strategy_tracker/release.py)."""
    settings.CODE_RELEASE = "release-1"
    urls = [url for _slug, url in _report_urls(everything) if "date=2025" not in url]
    cached = {url: _main(client.get(url).content.decode()) for url in urls}
    Activity.objects.filter(pk=everything.a1.pk).update(text="Written by the next release")
    for url in urls:
        assert _main(client.get(url).content.decode()) == cached[url], url  # the same release: the copy
    settings.CODE_RELEASE = "release-2"
    fresh = {url: _main(client.get(url).content.decode()) for url in urls}
    assert sum("Written by the next release" in page for page in fresh.values()) >= 5
    for url in urls:
        assert fresh[url] == _main(_uncached(client, url, {})), url


def test_filters_languages_and_days_never_share_a_copy(client, world):
    url = reverse("reporting:matrix")
    every = client.get(url, {"strategy": world.strategy.slug}).content.decode()
    first_priority = client.get(url, {"strategy": world.strategy.slug, "priority": 1}).content.decode()
    assert _main(first_priority) != _main(every)
    assert "1.1.2" in every and "1.1.2" not in _main(first_priority)  # a2 has priority 2
    russian = client.get(url, {"strategy": world.strategy.slug}, headers={"accept-language": "ru"})
    assert "Матрица" in russian.content.decode() or 'lang="ru"' in russian.content.decode()
    assert _main(russian.content.decode()) != _main(every)
    timeline = reverse("reporting:timeline")
    ActivityFactory(result=world.a1.result, code="1.1.77", due_year=datetime.date.today().year + 2)
    today = client.get(timeline, {"strategy": world.strategy.slug}).content.decode()
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=400)):
        next_year = client.get(timeline, {"strategy": world.strategy.slug}).content.decode()
        assert _main(next_year) == _main(_uncached(client, timeline, {"strategy": world.strategy.slug}))
    assert "1.1.77" not in _main(today) and "1.1.77" in _main(next_year)  # due the year after next


def test_what_a_signed_in_reader_sees_never_enters_the_cached_report(client, world):
    """The Secretariat sees the snapshot form and the drafts exist: an anonymous visitor after them gets
    the approved figures only, and no form."""
    url = reverse("reporting:snapshots")
    client.force_login(SecretariatUserFactory())
    client.get(reverse("reporting:budget"), {"strategy": world.strategy.slug})
    secretariat = client.get(url, {"strategy": world.strategy.slug}).content.decode()
    assert "Take snapshot" in secretariat
    client.logout()
    assert "Take snapshot" not in client.get(url, {"strategy": world.strategy.slug}).content.decode()
    budget = _budget(client, world).content.decode()
    assert "99,999" not in budget  # the draft's amount
    assert _main(budget) == _main(
        _uncached(client, reverse("reporting:budget"), {"strategy": world.strategy.slug})
    )


class Unreadable:
    """Stored fine, but raises when read back (as a copy pickled by older code can)."""

    def __reduce__(self):
        return (_refuse, ())


def _refuse():
    raise ValueError("not readable")


def test_a_copy_the_cache_cannot_give_back_is_built_again(client, world, settings):
    report = next(r for r in REPORTS if r.slug == "budget")
    form = report.form_class({"strategy": world.strategy.slug}, strategy=world.strategy)
    _, key = report.report_and_key(world.strategy, form)
    cache.set(key, Unreadable())
    with pytest.raises(ValueError):
        cache.get(key)
    assert '<dl class="applied">' in _budget(client, world).content.decode()  # the report, built again


def test_with_the_cache_off_every_request_builds_the_report(
    client, world, settings, django_assert_num_queries
):
    settings.REPORT_CACHE_SECONDS = 0
    url = reverse("reporting:budget")
    with CaptureQueriesContext(connection) as first:
        client.get(url, {"strategy": world.strategy.slug})
    with django_assert_num_queries(len(first)):
        client.get(url, {"strategy": world.strategy.slug})


def _uncached(client, url, params) -> str:
    cache.clear()
    return client.get(url, params).content.decode()


def _main(html: str) -> str:
    """The page's report, without what differs per request (nonces, CSRF tokens)."""
    main = html[html.index('<div class="report') :]
    main = re.sub(r'nonce="[^"]*"', "", main)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)
