"""Meeting snapshots: the status "as presented to" a meeting, compared with another snapshot or today."""

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from activities.models import MeetingSnapshot

from .changes import status_changes
from .core import APPROVED_ONLY, Report, Scope, Snapshot


def snapshot_comparison(scope: Scope, before: MeetingSnapshot, after: MeetingSnapshot | None) -> Report:
    """Which cells changed status between a snapshot and another one (or today, or the as-of date), with the
    entries behind each change. Two queries."""
    after_source = Snapshot(after) if after else scope.source
    table = status_changes(scope, Snapshot(before), after_source, title=_("Changes"))
    activities = len({row[0] for row in table.rows})
    return Report(
        title=_("Meeting snapshots"),
        strategy=scope.strategy,
        filters=[
            *scope.filter_labels()[:2],
            # Translators: the earlier side of a comparison of statuses, e.g. "From: as presented to CAMI-TW".
            (pgettext("comparison", "From"), Snapshot(before).label),
            # Translators: the later side of a comparison of statuses, e.g. "To: today".
            (pgettext("comparison", "To"), after_source.label),
        ],
        tables=[table],
        notes=[
            APPROVED_ONLY,
            _(
                "A snapshot freezes the latest approved status of every activity and Range State when the "
                "Secretariat takes it. A change is a cell whose status differs between the two sides, including "
                "cells reported for the first time; the entry behind the newer status is quoted. Range-wide "
                "statuses are listed as rows of their own."
            ),
        ],
        page={"changed_activities": activities},
    )


def snapshot_list(strategy) -> list[MeetingSnapshot]:
    """The strategy's snapshots, newest first, each with its meeting and how many cells it froze. One query."""
    return list(
        MeetingSnapshot.objects.filter(strategy=strategy)
        .select_related("meeting")
        .annotate(cells=Count("statuses"))
        .order_by("-taken_at")
    )
