"""The activities list writes its latest statuses (up to 21 per activity) without DRF's field-by-field
walk: the items must read exactly as that walk gives them."""

from rest_framework import serializers as drf

from activities.api.serializers import ActivityStatusSerializer
from activities.models import ActivityStateStatus
from tests.factories import ActivityFactory, RangeStateFactory

from .helpers import approved_entry


def test_status_items_are_those_the_field_walk_gives(db):
    activity = ActivityFactory()
    approved_entry(activity, RangeStateFactory(iso_code="QA", name="Qatar-like"), "completed")
    approved_entry(activity, None, "delayed")
    rows = ActivityStateStatus.objects.select_related("range_state").order_by("pk")
    assert len(rows) == 2
    for row in rows:
        walked = drf.ModelSerializer.to_representation(ActivityStatusSerializer(), row)
        assert ActivityStatusSerializer(row).data == dict(walked)
        assert ActivityStatusSerializer(row).data["approved_at"] is not None
