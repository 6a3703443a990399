"""The consolidated report "between two snapshots": the changes between the meetings chosen (from and
to), as the snapshot comparison counts them, not only since the latest snapshot; a "to" snapshot not
later than the "from" one is refused on the form."""

import datetime

from django.utils import timezone

from activities.models import MeetingSnapshot
from reporting.reports.consolidated import consolidated_report
from reporting.reports.core import Scope
from reporting.reports.snapshots import snapshot_comparison

from .test_views import url


def snapshots(world):
    now = timezone.now()
    first = MeetingSnapshot.objects.create(
        meeting=world.meeting, strategy=world.strategy, taken_by=world.reviewer
    )
    second = MeetingSnapshot.objects.create(
        meeting=world.meeting, strategy=world.strategy, taken_by=world.reviewer
    )
    MeetingSnapshot.objects.filter(pk=first.pk).update(taken_at=now - datetime.timedelta(days=400))
    MeetingSnapshot.objects.filter(pk=second.pk).update(taken_at=now - datetime.timedelta(days=10))
    first.refresh_from_db()
    second.refresh_from_db()
    return first, second


def test_the_changes_are_those_between_the_two_snapshots_chosen(world):
    first, second = snapshots(world)
    scope = Scope(strategy=world.strategy)

    report = consolidated_report(scope, reporting_round=world.round, before=first, after=second)

    changes = report.table("changes") if any(t.key == "changes" for t in report.tables) else report.tables[2]
    assert changes.rows == snapshot_comparison(scope, first, second).tables[0].rows
    labels = dict(report.filters)
    assert labels["Changes since the snapshot"] == str(first.meeting)
    assert labels["Changes up to the snapshot"] == str(second.meeting)


def test_with_only_the_to_snapshot_the_changes_start_at_the_snapshot_before_it(world):
    first, second = snapshots(world)
    scope = Scope(strategy=world.strategy)
    report = consolidated_report(scope, reporting_round=world.round, after=first)
    # nothing was taken before the first: no changes, and the report says so
    assert "No meeting snapshot has been taken for this strategy: no changes can be shown." in report.notes
    report = consolidated_report(scope, reporting_round=world.round, after=second)
    assert dict(report.filters)["Changes since the snapshot"] == str(first.meeting)


def test_a_to_snapshot_not_after_the_from_snapshot_is_refused(client, world):
    first, second = snapshots(world)
    response = client.get(url("consolidated", strategy=world.strategy.slug, before=second.pk, after=first.pk))
    assert "Choose a snapshot taken after the one the changes are counted from." in response.content.decode()
    ok = client.get(url("consolidated", strategy=world.strategy.slug, before=first.pk, after=second.pk))
    assert ok.status_code == 200
    assert "Changes up to the snapshot" in ok.content.decode()
