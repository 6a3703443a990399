"""The activities list writes its latest statuses (up to 21 per activity) from rows read by one query
(attach_status_rows), without model instances or DRF's field-by-field walk: the items must read exactly
as that walk gives them on the model instances, in the same order."""

from django.db.models import F
from rest_framework import serializers as drf

from activities.api.serializers import ActivityStatusSerializer
from activities.api.views import attach_status_rows
from activities.models import ActivityStateStatus
from tests.factories import ActivityFactory, RangeStateFactory

from .helpers import approved_entry


def test_status_items_are_those_the_field_walk_gives(db):
    activity, other = ActivityFactory(), ActivityFactory()
    approved_entry(activity, RangeStateFactory(iso_code="QB", name="Beta-like"), "completed")
    approved_entry(activity, RangeStateFactory(iso_code="QA", name="Alpha-like"), "in_progress")
    approved_entry(activity, None, "delayed")
    attach_status_rows([activity, other])
    given = [dict(item) for item in ActivityStatusSerializer(activity.status_rows, many=True).data]

    instances = (
        ActivityStateStatus.objects.filter(activity=activity)
        .select_related("range_state")
        .order_by(F("range_state__name").asc(nulls_first=True))
    )
    walked = [
        dict(drf.ModelSerializer.to_representation(ActivityStatusSerializer(), row)) for row in instances
    ]
    assert given == walked
    assert [item["range_state"] for item in given] == [None, "QA", "QB"]  # range-wide first, then by name
    assert all(item["approved_at"] and item["entry"] for item in given)
    assert other.status_rows == []
