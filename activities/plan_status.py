"""Where each Range State of a strategy stands with its National Action Plans, as of a date: the table a
Range State meeting discusses under Result 10.1 of the Persian Leopard strategy ("NAPs ... are developed
and, in case they exist, revised in compliance with the range-wide Conservation Strategy ... by 2026").

Plain rows, for a page, an API resource and an export alike. A plan's status is PlanStatus, derived by
NationalActionPlanQuerySet.with_status (see there for each status's definition); which plans concern a
strategy is NationalActionPlanQuerySet.concerning."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from .models import NationalActionPlan, PlanStatus, RangeState, Strategy, strategy_versions


@dataclass
class PlanStanding:
    """One Range State's row. Three-valued answers are None where the sources do not let one tell."""

    range_state: RangeState
    # The state's plans that concern the strategy, oldest first, each annotated with `status`.
    plans: list[NationalActionPlan] = field(default_factory=list)
    # A plan in force (in force, or being revised within its period): True; none, and none of unknown
    # standing: False; else None (a plan's period is unknown, so it may be in force).
    has_plan_in_force: bool | None = False
    plans_in_force: list[NationalActionPlan] = field(default_factory=list)
    # Whether a plan in force was made (adopted, else developed) after the year the strategy was adopted:
    # True if one was made in a later year; False if all were made in earlier years; None if the strategy's
    # adoption year is unknown, or a plan in force has no year or was made in the same year (periods and
    # plan years are whole years, so the order within that year cannot be told). None without a plan in force.
    postdates_adoption: bool | None = None
    # Whether a plan in force implements the strategy (or one of its versions) itself.
    implements_strategy: bool = False


def adoption_year(strategy: Strategy) -> int | None:
    """The year the strategy was adopted: that of the adopting meeting's last day (or of the meeting)."""
    meeting = strategy.adopted_at
    if meeting is None:
        return None
    day = meeting.end_date or meeting.start_date
    return day.year if day else meeting.year


def _postdates(plans_in_force, year: int | None) -> bool | None:
    if not plans_in_force or year is None:
        return None
    made = [plan.plan_year for plan in plans_in_force]
    if any(y is not None and y > year for y in made):
        return True
    if all(y is not None and y < year for y in made):
        return False
    return None


def national_plan_standing(strategy: Strategy, *, as_of: datetime.date | None = None) -> list[PlanStanding]:
    """One row per Range State of the strategy (by name), with the plans that concern the strategy and
    their status as of `as_of` (default: today); a plan in force is one NationalActionPlanQuerySet.in_force
    would give. Five queries however many states and plans, for a strategy with one version: its adopting
    meeting, its versions (for the plans it concerns, and for "implements"), its Range States, the plans."""
    as_of = as_of or timezone.localdate()
    year = adoption_year(strategy)
    states = list(strategy.range_states.order_by("name"))
    plans = (
        NationalActionPlan.objects.concerning(strategy)
        .filter(range_state__in=states)
        .with_status(as_of=as_of)
        .select_related("strategy", "supersedes")
        .order_by("range_state_id", "effective_start", "title")
    )
    versions = {version.pk for version in strategy_versions(strategy)}
    rows = {state.pk: PlanStanding(range_state=state) for state in states}
    for plan in plans:
        rows[plan.range_state_id].plans.append(plan)
    for row in rows.values():
        row.plans_in_force = [p for p in row.plans if p.in_force]
        if row.plans_in_force:
            row.has_plan_in_force = True
        elif any(p.status == PlanStatus.UNKNOWN for p in row.plans):
            row.has_plan_in_force = None
        row.postdates_adoption = _postdates(row.plans_in_force, year)
        row.implements_strategy = any(p.strategy_id in versions for p in row.plans_in_force)
    return list(rows.values())
