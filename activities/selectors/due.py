"""What the open reporting rounds ask a Range State about: the rounds, each one's reporting rate per
state, and the due list of one round and state with each activity's standing in it."""

from django.db.models import Case, Exists, OuterRef, Subquery, Value, When
from django.utils import timezone

from ..models import (
    Activity,
    ProgressEntry,
    ReportingRound,
    Strategy,
    cell_status,
    cells_all_done,
)
from .rates import StateReportingRate, reporting_rates, round_deadline_end

RS = ProgressEntry.ReviewState


def flag_behind_timeline(activities, *, year: int) -> None:
    """Set `is_behind` on activities annotated with_standing_in a state: the plan's timeline rule
    (Activity.is_behind_timeline), judged for that state in `year`."""
    for activity in activities:
        cell = cell_status(activity.own_status, activity.range_wide_status)
        activity.is_behind = activity.is_behind_timeline(
            year=year,
            complete=cells_all_done({cell: 1} if cell else {}, 1),
            last_completed=activity.last_completed_on,
        )


def open_rounds_for(states):
    """The open reporting rounds of the strategies the Range States implement, nearest deadline first."""
    return (
        ReportingRound.objects.open()
        .filter(strategy__in=Strategy.objects.filter(range_states__in=states))
        .select_related("strategy")
        .prefetch_related("strategy__range_states")
        .order_by("deadline", "pk")
    )


def due_overview(states) -> list[StateReportingRate]:
    """For each open round and each of `states` that implements its strategy, the round's reporting rate
    (reporting_rates: due, reported on time or late, awaiting review), nearest deadline first. Four
    queries, whatever the number of rounds, states and entries."""
    rates = reporting_rates(open_rounds_for(states), states)
    return [
        rate
        for rate in rates
        if rate.range_state.pk in {s.pk for s in rate.reporting_round.strategy.range_states.all()}
    ]


# An activity's standing in one round for one state, in the words of StateReportingRate.
ROUND_REPORTED, ROUND_AWAITING, ROUND_RETURNED, ROUND_DRAFT, ROUND_NONE = (
    "reported",
    "awaiting",
    "returned",
    "draft",
    "none",
)


def due_list(rate: StateReportingRate, *, priority: str = "", not_reported: bool = False) -> dict:
    """The activities one round asks one Range State about, grouped by theme and objective, each with its
    standing in the round (reported: an approved entry of the round, on time or late, as
    StateReportingRate counts it; awaiting review; returned; draft; nothing yet) and whether it is
    behind the plan's timeline (flag_behind_timeline). `priority` ("1"–"3", or "none" for activities the
    source gives no priority) and `not_reported` narrow the list. Three queries (the activities with
    their standing, and the translations of activities and of their objectives and themes), whatever
    the number of rounds, entries and activities."""
    reporting_round, state = rate.reporting_round, rate.range_state
    in_round = ProgressEntry.objects.filter(
        activity=OuterRef("pk"), reporting_round=reporting_round, range_state=state
    )
    submitted = in_round.filter(first_submitted_at__isnull=False)
    approved = submitted.filter(review_state=RS.APPROVED)
    activities = (
        Activity.objects.due_in_round(reporting_round)
        .with_standing_in(state)
        .annotate(
            round_reported=Exists(approved),
            round_on_time=Exists(approved.filter(first_submitted_at__lt=round_deadline_end(reporting_round))),
            round_awaiting=Exists(submitted.filter(review_state=RS.SUBMITTED)),
            round_returned=Exists(in_round.filter(review_state=RS.RETURNED)),
            round_draft=Exists(in_round.filter(review_state=RS.DRAFT)),
            # The entry the standing is about (submitted, else returned, else draft), so that the list
            # opens it instead of offering a second entry for the same activity.
            round_open_entry=Subquery(
                in_round.filter(review_state__in=(RS.SUBMITTED, RS.RETURNED, RS.DRAFT))
                .order_by(
                    Case(
                        When(review_state=RS.SUBMITTED, then=Value(0)),
                        When(review_state=RS.RETURNED, then=Value(1)),
                        default=Value(2),
                    ),
                    "-pk",
                )
                .values("pk")[:1]
            ),
        )
        .select_related("strategy", "result__objective__theme")
        .order_by("sort_key")
    )
    if priority == "none":
        activities = activities.filter(priority__isnull=True)
    elif priority:
        activities = activities.filter(priority=int(priority))
    if not_reported:
        activities = activities.filter(round_reported=False)
    activities = list(activities.with_translations("result__objective", "result__objective__theme"))
    flag_behind_timeline(activities, year=timezone.localdate().year)
    themes: dict = {}
    for activity in activities:
        activity.round_standing = (
            ROUND_REPORTED
            if activity.round_reported
            else ROUND_AWAITING
            if activity.round_awaiting
            else ROUND_RETURNED
            if activity.round_returned
            else ROUND_DRAFT
            if activity.round_draft
            else ROUND_NONE
        )
        objective = activity.result.objective
        theme = themes.setdefault(
            objective.theme_id, {"theme": objective.theme, "objectives": {}, "reported": 0, "count": 0}
        )
        group = theme["objectives"].setdefault(
            objective.pk, {"objective": objective, "activities": [], "reported": 0, "behind": 0}
        )
        group["activities"].append(activity)
        group["reported"] += activity.round_reported
        group["behind"] += activity.is_behind and not activity.round_reported
        theme["reported"] += activity.round_reported
        theme["count"] += 1
    groups = sorted(themes.values(), key=lambda t: (t["theme"] is None, t["theme"] and t["theme"].number))
    for theme in groups:
        theme["objectives"] = sorted(theme["objectives"].values(), key=lambda o: o["objective"].number)
        theme["behind"] = sum(o["behind"] for o in theme["objectives"])
    # Only the first theme with something left to report starts open, so the page stays short on a
    # phone; the others show their counts and open on demand.
    first_open = next((t for t in groups if t["reported"] < t["count"]), None)
    for theme in groups:
        theme["open"] = theme is first_open
    today = timezone.localdate()
    return {
        "rate": rate,
        "groups": groups,
        "shown": len(activities),
        "days_left": (reporting_round.deadline - today).days,
        "days_late": (today - reporting_round.deadline).days,
        "deadline_passed": reporting_round.deadline < today,
    }
