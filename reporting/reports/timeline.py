"""The timeline: activities behind the plan's timeline, those due this year and next, and recurring
activities against their last completed report."""

from django.db.models import Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from activities.models import Activity, ProgressEntry

from .core import APPROVED, APPROVED_ONLY, CELL_RULE, Column, Report, S, Scope, Table


def timeline_report(scope: Scope) -> Report:
    """Activities behind the plan's timeline (Activity.is_behind_timeline) in the year checked, those due
    this year and next, and recurring activities against their last completed report. Four queries: Range
    States counted, activities, cells per activity and status, last completions of recurring activities."""
    strategy, year = scope.strategy, scope.year
    activities = list(  # query 1
        Activity.objects.for_strategy(strategy)
        .filter(Q(due_year__lte=year + 1) | Q(timeline_kind=Activity.TimelineKind.RECURRING))
        .select_related("strategy")
        .order_by("sort_key")
    )
    cells = scope.activity_counts()  # queries 2 (Range States, when none is chosen) and 3
    n_states = scope.n_states
    completed = ProgressEntry.objects.filter(
        activity__strategy=strategy,
        activity__timeline_kind=Activity.TimelineKind.RECURRING,
        review_state=APPROVED,
        status=S.COMPLETED,
    )
    if scope.as_of:
        completed = completed.filter(reporting_date__lte=scope.as_of)
    last_completed = {  # query 4
        row["activity_id"]: row["last"]
        for row in scope.restrict(completed)
        .values("activity_id")
        .annotate(last=Max("reporting_date"))
        .order_by()
    }
    base = [
        Column("activity", _("Activity"), "activity"),
        Column("text", _("Activity text")),
        Column("priority", _("Priority"), "int"),
        Column("timeline", _("Timeline (source)")),
        Column("due_year", _("Due year"), "year"),
        Column("done", _("Range States done"), "int"),
        Column("states", _("Range States"), "int"),
        Column("latest", _("Latest approved report"), "date"),
    ]
    behind = Table(
        "behind",
        _("Behind the plan's timeline: due before %(year)s and not complete") % {"year": year},
        list(base),
    )
    due_soon = Table(
        "due",
        _("Due in %(year)s or %(next_year)s") % {"year": year, "next_year": year + 1},
        # Translators: a column heading: Yes when every Range State in scope has completed the activity.
        [*base, Column("complete", pgettext("activity done", "Complete"))],
    )
    recurring = Table(
        "recurring",
        _("Recurring activities against their last completed report"),
        [
            Column("activity", _("Activity"), "activity"),
            Column("text", _("Activity text")),
            Column("timeline", _("Timeline (source)")),
            Column("every", _("Every (years)"), "int"),
            Column("last_completed", _("Last completed report"), "date"),
            Column("next_due", _("Next report due by"), "year"),
            # Translators: a column heading: whether a recurring activity is on schedule, due or behind.
            Column("state", pgettext("timeline check", "Check")),
        ],
    )
    yes, no = _("Yes"), _("No")
    for activity in activities:
        counts = cells[activity.pk]
        done = counts.count(S.COMPLETED) + counts.count(S.NOT_APPLICABLE)
        values = [
            activity.code,
            activity.text,
            activity.priority,
            activity.timeline_text,
            activity.due_year,
            done,
            n_states,
            counts.latest,
        ]
        if activity.timeline_kind == Activity.TimelineKind.RECURRING:
            last = last_completed.get(activity.pk)
            next_due = activity.next_report_due(last_completed=last, year=year)
            behind_timeline = False
            if next_due is None:
                check = _("No interval in the source")
            elif activity.is_behind_timeline(year=year, complete=False, last_completed=last):
                behind_timeline = True
                check = _("Behind the plan's timeline")
            else:
                check = _("Due this year") if next_due == year else _("On schedule")
            recurring.rows.append(
                [
                    activity.code,
                    activity.text,
                    activity.timeline_text,
                    activity.recurrence_years,
                    last,
                    next_due,
                    check,
                ]
            )
            recurring.row_classes.append("behind-timeline" if behind_timeline else "")
        elif activity.is_behind_timeline(year=year, complete=counts.is_complete):
            behind.rows.append(values)
        elif activity.due_year is not None and activity.due_year >= year:
            due_soon.rows.append([*values, yes if counts.is_complete else no])
    return Report(
        title=_("Timeline: behind the plan and due soon"),
        strategy=strategy,
        filters=scope.filter_labels(),
        tables=[behind, due_soon, recurring],
        notes=[
            APPROVED_ONLY,
            (
                _("The year checked is %(year)s (the year of the “as of” date).")
                if scope.as_of
                else _("The year checked is %(year)s (the current year).")
            )
            % {"year": year},
            CELL_RULE,
            _(
                "Behind the plan's timeline: an activity whose due year has passed and that is not complete, "
                "that is, not every Range State in scope (%(states)s) has a cell completed or not applicable, "
                "counting range-wide entries by the rule above. Activities whose timeline is TBD, ASAP or has no "
                "due year are never behind it. (Being late for a reporting round's deadline is another matter: "
                "see the reporting rate.)"
            )
            % {"states": n_states},
            _(
                "A recurring activity's next report is due its interval after the year of its last approved "
                "“completed” entry (in scope, range-wide ones included); before any, its interval after the "
                "activity's start year (or the strategy's first year). “Regularly” gives no interval, so it "
                "cannot fall behind."
            ),
        ],
        page={"year": year},
    )
