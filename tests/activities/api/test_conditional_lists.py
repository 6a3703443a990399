"""Conditional list requests (activities.changes): the activities, progress and strategies lists and the
streamed progress CSV answer 304 for the marker's query when nothing they read changed, and a new ETag
when anything did, including the rows that do not move the listed row's updated_at (evidence,
approvals, translations, actors, a strategy's Range States). Users who may see different things never
share an ETag."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import services
from activities.models import ProgressEntry
from activities.models.translations import ActivityTranslation
from tests.factories import (
    ActivityFactory,
    ActorFactory,
    EvidenceLinkFactory,
    FocalPointFactory,
    MeetingForReportsFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    UserFactory,
)

from .helpers import approved_entry, secretariat_user

RS = ProgressEntry.ReviewState
PROGRESS = reverse("api:progress-list")
ACTIVITIES = reverse("api:activity-list")
STRATEGIES = reverse("api:strategy-list")


@pytest.fixture
def world(db):
    state = RangeStateFactory(iso_code="QI")
    activity = ActivityFactory(code="1.1.1")
    activity.strategy.range_states.add(state)
    entry = approved_entry(activity, state, restricted_details="Den at 36.1N")
    draft = ProgressEntryFactory(activity=activity, range_state=state, review_state=RS.DRAFT)
    focal = FocalPointFactory(range_state=state).user
    return {"state": state, "activity": activity, "entry": entry, "draft": draft, "focal": focal}


def _etag(api, url, **params):
    response = api.get(url, params)
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    return response["ETag"]


def _is_current(api, url, etag, **params) -> bool:
    response = api.get(url, params, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code in (200, 304)
    return response.status_code == 304


@pytest.mark.parametrize(
    "url,params",
    [(PROGRESS, {}), (PROGRESS, {"format": "csv"}), (ACTIVITIES, {}), (STRATEGIES, {})],
)
def test_an_unchanged_list_is_304_for_one_query(api, world, django_assert_num_queries, url, params):
    etag = _etag(api, url, **params)
    # the change marker (for the strategies, the meetings' names included)
    with django_assert_num_queries(1):
        response = api.get(url, params, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    # GZipMiddleware sends it weak: a weak copy is as current
    assert _is_current(api, url, f"W/{etag}", **params)


def test_the_304_of_a_focal_point_reads_only_their_rights_and_the_marker(
    api, world, django_assert_num_queries
):
    api.force_login(world["focal"])
    etag = _etag(api, PROGRESS)
    # session, user, Secretariat group, focal-point states, delegations, the change marker
    with django_assert_num_queries(6):
        assert api.get(PROGRESS, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize("params", [{}, {"format": "csv"}])
def test_evidence_added_or_removed_changes_the_progress_etag(api, world, params):
    entry, secretariat = world["entry"], secretariat_user()
    updated_at = ProgressEntry.objects.get(pk=entry.pk).updated_at
    etag = _etag(api, PROGRESS, **params)

    evidence = services.evidence_add(
        user=secretariat, entry=entry, title="Survey", url="https://example.org/s"
    )
    assert ProgressEntry.objects.get(pk=entry.pk).updated_at == updated_at  # the trap: the entry is unmoved
    assert not _is_current(api, PROGRESS, etag, **params)
    with_link = _etag(api, PROGRESS, **params)

    services.evidence_remove(user=secretariat, evidence=evidence)
    assert not _is_current(api, PROGRESS, with_link, **params)


def test_an_evidence_file_added_or_removed_changes_the_progress_etag(api, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    entry, secretariat = world["entry"], secretariat_user()
    etag = _etag(api, PROGRESS)
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    evidence = services.evidence_add(user=secretariat, entry=entry, title="Report", file=upload)
    assert not _is_current(api, PROGRESS, etag)
    with_file = _etag(api, PROGRESS)
    services.evidence_remove(user=secretariat, evidence=evidence)
    assert not _is_current(api, PROGRESS, with_file)


def test_evidence_deleted_by_a_queryset_still_changes_the_etag(api, world):
    EvidenceLinkFactory(entry=world["entry"])
    etag = _etag(api, PROGRESS)
    world["entry"].evidence.all().delete()  # the admin's bulk delete: no service, no save()
    assert not _is_current(api, PROGRESS, etag)


def test_an_approval_changes_the_progress_and_activities_etags(api, world):
    submitted = ProgressEntryFactory(
        activity=world["activity"], range_state=world["state"], review_state=RS.SUBMITTED
    )
    progress, activities = _etag(api, PROGRESS), _etag(api, ACTIVITIES)
    services.progress_entry_approve(user=secretariat_user(), entry=submitted)
    assert not _is_current(api, PROGRESS, progress)
    assert not _is_current(api, ACTIVITIES, activities)
    assert api.get(PROGRESS).json()["count"] == 2


def test_a_changed_entry_or_activity_changes_the_etag(api, world):
    progress, activities = _etag(api, PROGRESS), _etag(api, ACTIVITIES)
    entry = ProgressEntry.objects.get(pk=world["entry"].pk)
    entry.narrative = "Camera traps installed."
    entry.save()
    assert not _is_current(api, PROGRESS, progress)
    activity = world["activity"]
    activity.indicator = "Map published"
    activity.save()
    assert not _is_current(api, ACTIVITIES, activities)


def test_related_rows_change_the_activities_and_strategies_etags(api, world):
    activities, strategies = _etag(api, ACTIVITIES), _etag(api, STRATEGIES)
    world["activity"].actors.add(ActorFactory())
    assert not _is_current(api, ACTIVITIES, activities)
    world["activity"].strategy.range_states.add(RangeStateFactory())
    assert not _is_current(api, STRATEGIES, strategies)
    strategy, meeting = world["activity"].strategy, MeetingForReportsFactory()
    strategy.adopted_at = meeting
    strategy.save()
    strategies = _etag(api, STRATEGIES)
    meeting.name = "COP15"  # meetings have no updated_at: the marker reads their names
    meeting.save()
    assert not _is_current(api, STRATEGIES, strategies)
    assert "COP15" in api.get(STRATEGIES).content.decode()


def test_a_changed_translation_changes_the_etag(api, world):
    activity = world["activity"]
    translation = ActivityTranslation.objects.create(
        master=activity, language_code="ru", text_translated="Один"
    )
    etag = _etag(api, ACTIVITIES)
    translation.text_translated = "Два"
    translation.save()  # an edit in place: the translation's row count and ids stay as they were
    assert not _is_current(api, ACTIVITIES, etag)
    etag = _etag(api, ACTIVITIES)
    ActivityTranslation.objects.filter(pk=translation.pk).delete()
    assert not _is_current(api, ACTIVITIES, etag)


def test_users_who_may_see_different_things_never_share_an_etag(api, world):
    anonymous = _etag(api, PROGRESS)
    api.force_authenticate(UserFactory())
    partner = _etag(api, PROGRESS)
    api.force_authenticate(world["focal"])
    focal = _etag(api, PROGRESS)
    focal_csv = api.get(PROGRESS, {"format": "csv"})
    assert "Den at 36.1N" in b"".join(focal_csv.streaming_content).decode()
    api.force_authenticate(secretariat_user())
    secretariat = _etag(api, PROGRESS)
    # the partner sees what a visitor sees (approved entries only): the same answer may share its tag
    assert anonymous == partner
    assert len({anonymous, focal, secretariat}) == 3
    api.force_authenticate(None)
    assert not _is_current(api, PROGRESS, focal)
    assert not _is_current(api, PROGRESS, focal, format="csv")


def test_the_language_and_query_are_part_of_the_etag(api, world):
    english = _etag(api, PROGRESS)
    russian = api.get(PROGRESS, HTTP_ACCEPT_LANGUAGE="ru")
    assert russian["ETag"] != english
    assert api.get(PROGRESS, HTTP_ACCEPT_LANGUAGE="ru", HTTP_IF_NONE_MATCH=english).status_code == 200
    assert _etag(api, PROGRESS, status="completed") != english
    assert "Accept-Language" in api.get(PROGRESS)["Vary"]


def test_the_marker_is_read_before_the_data(api, world):
    # a change committed between the two reads costs a needless 200 later, never a stale 304
    with CaptureQueriesContext(connection) as queries:
        api.get(ACTIVITIES)
    sql = [q["sql"] for q in queries.captured_queries]
    marker = next(i for i, s in enumerate(sql) if "MAX(" in s and "activities_activitystatestatus" in s)
    data = next(i for i, s in enumerate(sql) if '"__count"' in s)  # the page's count, its first read
    assert marker < data
