"""REST API v1: what each client sees of progress (approved only, restricted details never, pending
entries by role), and token authentication."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import APIToken, Evidence
from tests.factories import (
    ActivityFactory,
    ActorFactory,
    APITokenFactory,
    FocalPointFactory,
    ProgressEntryFactory,
    RangeStateFactory,
    UserFactory,
)

from .helpers import RS, approved_entry, as_token, errors, results, secretariat_user

# --- progress: what each client sees -----------------------------------------------------------


@pytest.fixture
def progress(db):
    state, other = RangeStateFactory(iso_code="QA"), RangeStateFactory(iso_code="QB")
    activity = ActivityFactory(code="1.1.1")
    activity.strategy.range_states.add(state, other)
    public = approved_entry(activity, state, restricted_details="Den at 40.1N 44.9E")
    Evidence.objects.create(entry=public, title="Report", url="https://example.org/report.pdf")
    Evidence.objects.create(
        entry=public, title="Camera traps", url="https://example.org/ct.kml", restricted=True
    )
    draft = ProgressEntryFactory(activity=activity, range_state=state, restricted_details="secret")
    elsewhere = ProgressEntryFactory(activity=activity, range_state=other, review_state=RS.SUBMITTED)
    focal = FocalPointFactory(range_state=state).user
    return locals()


def test_anonymous_clients_see_approved_entries_without_restricted_details(api, progress):
    rows = results(api.get(reverse("api:progress-list")))
    assert [row["id"] for row in rows] == [progress["public"].pk]
    (row,) = rows
    assert "restricted_details" not in row
    assert [e["title"] for e in row["evidence"]] == ["Report"]
    assert (row["strategy"], row["activity"], row["range_state"]) == (
        progress["activity"].strategy.slug,
        "1.1.1",
        "QA",
    )
    detail = api.get(reverse("api:progress-detail", args=[progress["public"].pk])).json()
    assert "restricted_details" not in detail and len(detail["evidence"]) == 1
    assert api.get(reverse("api:progress-detail", args=[progress["draft"].pk])).status_code == 404


def test_a_partner_token_sees_what_anonymous_clients_see(api, progress):
    as_token(api, APITokenFactory())
    rows = results(api.get(reverse("api:progress-list")))
    assert [row["id"] for row in rows] == [progress["public"].pk]
    assert "restricted_details" not in rows[0]


def test_a_focal_point_token_sees_its_states_drafts_with_restricted_details(api, progress):
    as_token(api, APITokenFactory(user=progress["focal"]))
    rows = {row["id"]: row for row in results(api.get(reverse("api:progress-list")))}
    assert set(rows) == {progress["public"].pk, progress["draft"].pk}
    assert rows[progress["draft"].pk]["restricted_details"] == "secret"
    assert rows[progress["public"].pk]["restricted_details"] == "Den at 40.1N 44.9E"
    assert len(rows[progress["public"].pk]["evidence"]) == 2


def test_the_secretariat_sees_every_entry(api, progress):
    api.force_login(secretariat_user())
    rows = results(api.get(reverse("api:progress-list")))
    assert len(rows) == 3
    assert all("restricted_details" in row for row in rows)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"range_state": "QA"}, ["public"]),
        ({"status": "in_progress"}, ["public"]),
        ({"status": "completed"}, []),
        ({"activity": "1.1.1"}, ["public"]),
        ({"range_wide": "true"}, []),
        ({"range_wide": "false"}, ["public"]),
        ({"reporting_date_min": "2025-07-01"}, []),
        ({"reporting_date_max": "2025-06-30"}, ["public"]),
        ({"priority": 2}, ["public"]),
        ({"due_year_max": 2024}, []),
        ({"review_state": "draft"}, []),
    ],
)
def test_progress_filters(api, progress, params, expected):
    rows = results(api.get(reverse("api:progress-list"), params))
    assert [row["id"] for row in rows] == [progress[name].pk for name in expected]


def test_progress_filters_by_strategy_slug_and_updated_since(api, progress):
    slug = progress["activity"].strategy.slug
    assert len(results(api.get(reverse("api:progress-list"), {"strategy": slug}))) == 1
    future = (timezone.now() + datetime.timedelta(minutes=1)).isoformat()
    assert results(api.get(reverse("api:progress-list"), {"updated_since": future})) == []
    response = api.get(reverse("api:progress-list"), {"strategy": "nope", "reporting_date_min": "June"})
    assert set(errors(response)) == {"strategy", "reporting_date_min"}


# --- authentication ------------------------------------------------------------------------------


def test_a_token_records_its_last_use_at_most_once_a_minute(api, django_assert_num_queries):
    token = APITokenFactory()
    ActorFactory()
    as_token(api, token)
    assert api.get(reverse("api:actor-list")).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    # token joined to its owner, actor count, actors: no write this time
    with django_assert_num_queries(3):
        api.get(reverse("api:actor-list"))
    token.refresh_from_db()
    assert token.last_used_at == first


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Token st_not-a-real-key", "token_invalid"),
        ("Token two parts", "token_malformed"),
        ("Token", "token_malformed"),
    ],
)
def test_unknown_or_malformed_tokens_are_401(api, header, code):
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get(reverse("api:activity-list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert errors(response) == {None: code}


def test_a_revoked_token_is_401_with_a_clear_message(api):
    token = APITokenFactory(revoked_at=timezone.now())
    response = as_token(api, token).get(reverse("api:activity-list"))
    assert response.status_code == 401
    assert errors(response) == {None: "token_revoked"}
    assert "revoked" in response.json()["errors"][0]["detail"]


def test_a_token_of_a_disabled_account_is_401(api):
    token = APITokenFactory(user=UserFactory(is_active=False))
    response = as_token(api, token).get(reverse("api:activity-list"))
    assert response.status_code == 401
    assert errors(response) == {None: "user_inactive"}


def test_only_the_hash_and_a_prefix_of_a_key_are_stored(db):
    token = APITokenFactory()
    stored = APIToken.objects.get(pk=token.pk)
    assert token.key.startswith("st_") and token.key.startswith(stored.prefix)
    assert token.key not in (stored.key_hash, stored.prefix)
    assert len(stored.key_hash) == 64
