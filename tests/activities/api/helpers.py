"""Helpers the API tests share: token credentials, a Secretariat user, an approved entry with its latest
status, and readers for list and error bodies."""

from django.utils import timezone

from activities.models import ActivityStateStatus, ProgressEntry
from activities.permissions import SECRETARIAT_GROUP
from tests.factories import ProgressEntryFactory, UserFactory

RS = ProgressEntry.ReviewState
PL = "persian-leopard-2023-2032"


def as_token(client, token):
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def secretariat_user(**kwargs):
    from django.contrib.auth.models import Group

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    return user


def approved_entry(activity, range_state, status=ProgressEntry.Status.IN_PROGRESS, **kwargs):
    """An approved entry and the latest-status row the approval service keeps for it."""
    reviewed_at = kwargs.pop("reviewed_at", timezone.now())
    entry = ProgressEntryFactory(
        activity=activity,
        range_state=range_state,
        status=status,
        review_state=RS.APPROVED,
        reviewed_at=reviewed_at,
        **kwargs,
    )
    ActivityStateStatus.objects.update_or_create(
        activity=activity,
        range_state=range_state,
        defaults={
            "entry": entry,
            "status": status,
            "reporting_date": entry.reporting_date,
            "approved_at": reviewed_at,
        },
    )
    return entry


def errors(response) -> dict:
    """{field: code} of an error body, checking its shape."""
    body = response.json()
    assert set(body) <= {"errors", "current_version"}, body
    for item in body["errors"]:
        assert set(item) == {"field", "code", "detail"}, item
        assert item["detail"]
    return {item["field"]: item["code"] for item in body["errors"]}


def results(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def codes(response) -> list[str]:
    return [row["code"] for row in results(response)]
