"""Reusable reads for the strategy domain."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone


def _count_per_strategy(model):
    # A correlated COUNT per strategy: COUNT(DISTINCT) over three joined child tables would
    # multiply objectives × results × activities rows before counting.
    rows = model.objects.filter(strategy=OuterRef("pk")).order_by().values("strategy")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


def _shortfall(declared, recorded):
    """How many more the source declares than are recorded; None when nothing is missing."""
    return Case(When(**{f"{declared}__gt": F(recorded)}, then=F(declared) - F(recorded)), default=None)


class StrategyQuerySet(models.QuerySet):
    def with_counts(self):
        """The adopting meeting, recorded objective/result/activity counts, and how many results and
        activities the source declares but does not give (so pages can say so)."""
        from .models import Activity, Objective, Result

        return (
            self.select_related("adopted_at")
            .annotate(
                objective_count=_count_per_strategy(Objective),
                result_count=_count_per_strategy(Result),
                activity_count=_count_per_strategy(Activity),
            )
            .annotate(
                unrecorded_result_count=_shortfall("declared_result_count", "result_count"),
                unrecorded_activity_count=_shortfall("declared_activity_count", "activity_count"),
            )
        )

    def with_tree(self):
        """Prefetch the header (Range States, metapopulations, plans) and the whole logframe by theme.

        Objectives the source does not assign to a theme land in `objectives_without_theme`; their
        subtree is only queried when there are some."""
        from .models import Metapopulation, NationalActionPlan, Objective, Result, Theme

        # Explicit order_by within one strategy: the models' default ordering starts with "strategy",
        # which would join every prefetch to the strategy table to sort by its title.
        objectives = Objective.objects.order_by("number").prefetch_related(
            Prefetch("results", queryset=Result.objects.order_by("sort_key").with_tree())
        )
        themes = Theme.objects.order_by("number").prefetch_related(
            Prefetch("objectives", queryset=objectives)
        )
        metapopulations = Metapopulation.objects.order_by("number").prefetch_related("range_states")
        return self.prefetch_related(
            "range_states",
            Prefetch("metapopulations", queryset=metapopulations),
            Prefetch(
                "national_action_plans", queryset=NationalActionPlan.objects.select_related("range_state")
            ),
            Prefetch("themes", queryset=themes),
            Prefetch(
                "objectives",
                queryset=objectives.filter(theme__isnull=True),
                to_attr="objectives_without_theme",
            ),
        )


class ResultQuerySet(models.QuerySet):
    def for_strategy(self, strategy):
        return self.filter(strategy=strategy)

    def with_tree(self):
        """Each result's activities, with everything an activity shows, and the result's own cross-references."""
        from .models import Activity, CrossReference

        return self.prefetch_related(
            Prefetch("activities", queryset=Activity.objects.order_by("sort_key").with_details()),
            Prefetch("references", queryset=CrossReference.objects.with_targets()),
            Prefetch("referenced_by", queryset=CrossReference.objects.with_sources()),
        )


class ActivityQuerySet(models.QuerySet):
    def for_strategy(self, strategy):
        return self.filter(strategy=strategy)

    def with_context(self):
        """Join the hierarchy and prefetch the many-to-many links a page or list shows."""
        return self.select_related("strategy", "result__objective__theme").prefetch_related(
            "actors", "cami_pow_measures"
        )

    def with_references(self):
        from .models import CrossReference

        refs = CrossReference.objects.select_related("to_activity", "to_result", "to_objective")
        return self.prefetch_related(Prefetch("references", queryset=refs))

    def with_details(self):
        """Everything an activity's public entry shows: actors, POW measures, references both ways."""
        from .models import CrossReference

        return (
            self.prefetch_related("actors", "cami_pow_measures")
            .with_references()
            .prefetch_related(Prefetch("referenced_by", queryset=CrossReference.objects.with_sources()))
        )

    def with_approved_progress(self):
        """Approved progress only (the public view) as `approved_progress`, newest first per Range State."""
        from .models import ProgressEntry

        return self.prefetch_related(
            Prefetch(
                "progress_entries",
                queryset=ProgressEntry.objects.approved().newest_first_per_state(),
                to_attr="approved_progress",
            )
        )

    def with_public_progress(self):
        """Approved progress as `approved_progress` (newest first per Range State), each entry with only
        its unrestricted evidence as `public_evidence`: what anyone may see on a public page."""
        from .models import Evidence, ProgressEntry

        public_evidence = Prefetch(
            "evidence", queryset=Evidence.objects.filter(restricted=False), to_attr="public_evidence"
        )
        entries = (
            ProgressEntry.objects.approved()
            .select_related("range_state")
            .prefetch_related(public_evidence)
            .order_by(F("range_state__name").asc(nulls_first=True), "-reporting_date", "-pk")
        )
        return self.prefetch_related(
            Prefetch("progress_entries", queryset=entries, to_attr="approved_progress")
        )

    def with_overdue_flag(self, *, range_state, year: int):
        """Annotate `is_overdue`: due before `year` and not reported completed (approved) in the state."""
        from .models import ActivityStateStatus

        completed = ActivityStateStatus.objects.filter(
            activity=OuterRef("pk"), range_state=range_state, status="completed"
        )
        return self.annotate(
            is_overdue=Case(
                When(Q(due_year__lt=year) & ~Exists(completed), then=True),
                default=False,
                output_field=models.BooleanField(),
            )
        )

    def involving(self, actor):
        return self.filter(actors=actor)

    def overdue(self, *, year: int):
        return self.filter(due_year__lt=year)

    def due_in_round(self, reporting_round):
        """The activities a reporting round asks about: of the round's strategy, and due by the round's
        year, already started (a span or staged timeline), recurring, or wanted as soon as possible.
        Activities whose timeline is TBD, or that start later, are not yet due."""
        year = reporting_round.deadline.year
        return self.filter(strategy_id=reporting_round.strategy_id).filter(
            Q(due_year__lte=year) | Q(start_year__lte=year) | Q(timeline_kind__in=["recurring", "asap"])
        )

    def not_reported_in_round(self, reporting_round, range_state):
        """Due activities with no entry submitted yet for `range_state` in the round."""
        from .models import ProgressEntry

        reported = ProgressEntry.objects.filter(
            activity=OuterRef("pk"),
            reporting_round=reporting_round,
            range_state=range_state,
            first_submitted_at__isnull=False,
        )
        return self.due_in_round(reporting_round).filter(~Exists(reported))

    def with_progress_in(self, range_state):
        """Activities with at least one progress entry for the Range State (each activity once)."""
        from .models import ProgressEntry

        entries = ProgressEntry.objects.filter(activity=models.OuterRef("pk"), range_state=range_state)
        return self.filter(models.Exists(entries))


class CrossReferenceQuerySet(models.QuerySet):
    def with_targets(self):
        return self.select_related("to_activity", "to_result", "to_objective")

    def with_sources(self):
        return self.select_related("from_activity", "from_result")


class ProgressEntryQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(review_state="approved")

    def with_context(self):
        return self.select_related("activity__strategy", "range_state", "reported_by")

    def awaiting_review(self):
        """Submitted entries, oldest submission first, with what the review queue shows of each."""
        return (
            self.filter(review_state="submitted")
            .select_related(
                "activity__strategy", "range_state", "reporting_round", "reported_by", "submitted_by"
            )
            .order_by("submitted_at", "pk")
        )

    def newest_first_per_state(self):
        """Range-wide entries first, then Range States by name; newest first within each, with evidence."""
        return (
            self.select_related("range_state")
            .prefetch_related("evidence")
            .order_by(F("range_state__name").asc(nulls_first=True), "-reporting_date", "-pk")
        )


def round_deadline_end(reporting_round) -> datetime.datetime:
    """The first moment after the deadline day, in the site's time zone: submitted before it is on time."""
    next_day = reporting_round.deadline + datetime.timedelta(days=1)
    return datetime.datetime.combine(next_day, datetime.time.min, tzinfo=timezone.get_current_timezone())


@dataclass(frozen=True)
class StateReportingRate:
    range_state: object
    due: int
    on_time: int
    late: int

    @property
    def not_reported(self) -> int:
        return self.due - self.on_time - self.late

    @property
    def on_time_rate(self) -> float | None:
        """Share of due activities first submitted by the deadline (None when nothing is due)."""
        return self.on_time / self.due if self.due else None


def round_reporting_rates(reporting_round) -> list[StateReportingRate]:
    """Per Range State of the round's strategy: due activities, how many were first submitted by the
    deadline, how many later. Three queries, whatever the number of entries."""
    from .models import Activity, ProgressEntry, RangeState

    due = Activity.objects.due_in_round(reporting_round)
    due_count = due.count()
    counts = (
        ProgressEntry.objects.filter(
            reporting_round=reporting_round, activity__in=due.values("pk"), first_submitted_at__isnull=False
        )
        .values("range_state")
        .annotate(
            reported=Count("activity", distinct=True),
            on_time=Count(
                "activity",
                distinct=True,
                filter=Q(first_submitted_at__lt=round_deadline_end(reporting_round)),
            ),
        )
        .order_by()
    )
    by_state = {row["range_state"]: row for row in counts}
    states = RangeState.objects.filter(strategies=reporting_round.strategy_id).order_by("name")
    rates = []
    for state in states:
        row = by_state.get(state.pk, {"reported": 0, "on_time": 0})
        rates.append(StateReportingRate(state, due_count, row["on_time"], row["reported"] - row["on_time"]))
    return rates
