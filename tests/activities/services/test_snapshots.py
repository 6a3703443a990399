"""Meeting snapshots in activities.services: the latest approved statuses frozen "as presented to" a
meeting."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from activities import services
from activities.models import ActivityStateStatus, Meeting, MeetingSnapshot, SnapshotStatus
from tests.factories import ActivityFactory

from .workflow import ST, approved, approved_range_wide


def a_meeting():
    return Meeting.objects.create(slug="cami-tw-2025", name="CAMI Technical Workshop")


def test_a_snapshot_copies_the_current_statuses(w):
    approved(w, status=ST.COMPLETED)
    approved_range_wide(w, status=ST.DELAYED)
    other_strategy_activity = ActivityFactory()
    other_strategy_activity.strategy.range_states.add(w.armenia)
    approved(w, activity=other_strategy_activity, status=ST.NOT_STARTED)
    meeting = a_meeting()

    snapshot = services.meeting_snapshot_take(
        user=w.secretariat, meeting=meeting, strategy=w.strategy, note=" COP15 "
    )

    fields = ("activity_id", "range_state_id", "entry_id", "status", "reporting_date")
    current = set(ActivityStateStatus.objects.filter(activity__strategy=w.strategy).values_list(*fields))
    assert set(snapshot.statuses.values_list(*fields)) == current
    assert len(current) == 2
    stored = MeetingSnapshot.objects.get(pk=snapshot.pk)
    assert (stored.note, stored.taken_by, stored.meeting, stored.strategy) == (
        "COP15",
        w.secretariat,
        meeting,
        w.strategy,
    )


def test_a_snapshot_does_not_move_with_later_approvals(w):
    first = approved(w, reporting_date=datetime.date(2024, 6, 30), status=ST.IN_PROGRESS)
    snapshot = services.meeting_snapshot_take(user=w.secretariat, meeting=a_meeting(), strategy=w.strategy)

    approved(w, reporting_date=datetime.date(2025, 6, 30), status=ST.COMPLETED)

    [frozen] = SnapshotStatus.objects.filter(snapshot=snapshot)
    assert (frozen.entry, frozen.status) == (first, ST.IN_PROGRESS)


def test_only_the_secretariat_takes_snapshots(w):
    with pytest.raises(PermissionDenied):
        services.meeting_snapshot_take(user=w.focal, meeting=a_meeting(), strategy=w.strategy)
    assert not MeetingSnapshot.objects.exists()


def test_the_secretariat_changes_a_snapshots_note_and_nothing_else(w):
    approved(w, status=ST.COMPLETED)
    snapshot = services.meeting_snapshot_take(user=w.secretariat, meeting=a_meeting(), strategy=w.strategy)
    frozen = list(snapshot.statuses.values_list("entry_id", "status"))

    services.meeting_snapshot_annotate(user=w.secretariat, snapshot=snapshot, note=" As presented at COP15 ")

    stored = MeetingSnapshot.objects.get(pk=snapshot.pk)
    assert stored.note == "As presented at COP15"
    assert list(stored.statuses.values_list("entry_id", "status")) == frozen


def test_only_the_secretariat_changes_a_snapshots_note(w):
    snapshot = services.meeting_snapshot_take(
        user=w.secretariat, meeting=a_meeting(), strategy=w.strategy, note="Original"
    )

    with pytest.raises(PermissionDenied, match="Only the Secretariat may change the note"):
        services.meeting_snapshot_annotate(user=w.focal, snapshot=snapshot, note="Rewritten")

    assert MeetingSnapshot.objects.get(pk=snapshot.pk).note == "Original"
