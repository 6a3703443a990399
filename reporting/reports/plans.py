"""National Action Plans per Range State: is a plan in force, and was it made after the strategy was
adopted? The table a Range State meeting discusses under Result 10.1 of the Persian Leopard strategy
("NAPs ... are developed and, in case they exist, revised in compliance with the range-wide Conservation
Strategy ... by 2026"). The standing is activities.plan_status.national_plan_standing, the one definition;
this module only lays it out."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from activities.models import NationalActionPlan, PlanStatus
from activities.plan_status import adoption_year, national_plan_standing

from .core import Column, Report, Scope, Table, long_date

STATUS_LABELS = dict(PlanStatus.choices)


def three_valued(value: bool | None) -> str:
    """Yes, No, or Not known (where the sources do not let one tell): never an empty cell."""
    if value is None:
        # Translators: an answer in the plan standing table where the sources do not let one tell.
        return _("Not known")
    return _("Yes") if value else _("No")


def plan_label(plan) -> str:
    """A plan as a meeting would name it: its title, then its period where the source gives one."""
    if plan.period_start and plan.period_end:
        # Translators: a National Action Plan with its period, e.g. "Armenia NAP (2020–2030)".
        return _("%(title)s (%(start)s–%(end)s)") % {
            "title": plan.title,
            "start": plan.period_start,
            "end": plan.period_end,
        }
    return plan.title


def plan_with_status(plan) -> str:
    # Translators: a plan and its status as of the report's date, e.g. "Armenia NAP (2010–2020): Superseded".
    return _("%(plan)s: %(status)s") % {"plan": plan_label(plan), "status": STATUS_LABELS[plan.status]}


def national_plan_report(scope: Scope) -> Report:
    """Per Range State of the strategy (or the chosen one): its plans and their status as of the scope's
    date (default today), whether one is in force, whether that one postdates the strategy's adoption and
    whether it implements the strategy itself; then every plan concerning the strategy. The queries of
    national_plan_standing (five), however many states and plans."""
    strategy = scope.strategy
    as_of = scope.as_of or timezone.localdate()
    rows = national_plan_standing(strategy, as_of=as_of)
    if scope.range_state:
        rows = [row for row in rows if row.range_state.pk == scope.range_state.pk]
    year = adoption_year(strategy)
    separator = pgettext("list separator", "; ")
    standing = Table(
        "standing",
        _("National Action Plans per Range State"),
        [
            Column("range_state", _("Range State")),
            Column("in_force", _("Plan in force")),
            Column("plans_in_force", _("Plans in force")),
            Column("postdates", _("Made after the strategy's adoption")),
            Column("implements", _("Implements this strategy")),
            Column("plans", _("Plans recorded, with their status")),
        ],
    )
    plans = Table(
        "plans",
        _("National Action Plans concerning the strategy"),
        [
            Column("range_state", _("Range State")),
            Column("title", _("Plan")),
            # Translators: a column heading: the kind of plan (National Action Plan, roadmap).
            Column("kind", pgettext("plan", "Kind")),
            Column("period_start", _("Period start"), "year"),
            Column("period_end", _("Period end"), "year"),
            Column("year_adopted", _("Year adopted"), "year"),
            Column("year_developed", _("Year developed"), "year"),
            Column("status", _("Status")),
            Column("implements", _("Implements")),
            Column("supersedes", _("Supersedes")),
        ],
    )
    kinds = {value: str(label) for value, label in NationalActionPlan.Kind.choices}
    for row in rows:
        standing.rows.append(
            [
                row.range_state.name,
                three_valued(row.has_plan_in_force),
                separator.join(plan_label(p) for p in row.plans_in_force),
                three_valued(row.postdates_adoption) if row.plans_in_force else "",
                three_valued(row.implements_strategy) if row.plans_in_force else "",
                separator.join(plan_with_status(p) for p in row.plans)
                or _("No plan is recorded for this Range State."),
            ]
        )
        for plan in row.plans:
            plans.rows.append(
                [
                    row.range_state.name,
                    plan.title,
                    kinds[plan.kind],
                    plan.period_start,
                    plan.period_end,
                    plan.year_adopted,
                    plan.year_developed,
                    str(STATUS_LABELS[plan.status]),
                    str(plan.strategy) if plan.strategy_id else _("Not recorded in the sources"),
                    plan_label(plan.supersedes) if plan.supersedes_id else "",
                ]
            )
    notes = [
        _(
            "Status as of %(date)s. A plan's status is derived from its period and its successors, never stored."
        )
        % {"date": long_date(as_of)},
        _(
            "In force: the plan's period covers the year, or it is being revised while still within its "
            "period. “Not known” means a plan gives no period, so the sources do not say whether it is in "
            "force."
        ),
        (
            _(
                "The strategy was adopted in %(year)s. A plan made (adopted, or else developed) in a later year "
                "postdates it; one made in the same year cannot be ordered and reads “Not known”."
            )
            % {"year": year}
            if year
            else _(
                "The sources do not say when the strategy was adopted, so whether a plan postdates it is "
                "“Not known”."
            )
        ),
        _(
            "Plans concerning the strategy: those implementing it or another version of it, and those for "
            "one of its species."
        ),
    ]
    return Report(
        title=_("National Action Plans"),
        strategy=strategy,
        filters=[*scope.filter_labels()[:2], (_("Plans as of"), long_date(as_of))],
        tables=[standing, plans],
        notes=notes,
        page={"standing": rows, "adoption_year": year, "as_of": as_of},
    )
