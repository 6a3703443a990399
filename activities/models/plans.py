"""National Action Plans over time: the status of a plan as of a date (derived from its period and its
successors, never stored), reviews of how plans were implemented, and strategies as versions of one
another. The NationalActionPlan model itself lives in regional.py; its QuerySet is here."""

import datetime

from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    """A plan's standing as of a date `D` (year `Y`). Periods are whole years, so a plan 2010-2020 is
    in force throughout 2010 to 2020. A plan's *year* is the year it was adopted or, where only that is
    known, the year it was developed. Checked in this order:

    - superseded: a successor (a plan that names it as the plan it supersedes) is in effect by `Y`:
      the successor's period has started (start ≤ `Y`) or, if it gives no period, its year is ≤ `Y`;
    - being revised: a successor is recorded that has neither a year nor a started period: a revision
      in preparation (a successor dated after `Y` did not exist yet as of `D`, and does not count);
    - unknown: the plan gives neither a period nor a year, so its standing cannot be told;
    - not yet in force: its period (or, without one, its year) starts after `Y`;
    - expired: its period ended before `Y`;
    - in force: otherwise (its period covers `Y`, or has a start and no end)."""

    IN_FORCE = "in_force", _("In force")
    NOT_YET_IN_FORCE = "not_yet_in_force", _("Not yet in force")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")
    BEING_REVISED = "being_revised", _("Being revised")
    UNKNOWN = "unknown", _("Not known: the source gives no period or year")


def _plan_year(prefix: str = ""):
    return Coalesce(f"{prefix}year_adopted", f"{prefix}year_developed")


class NationalActionPlanQuerySet(models.QuerySet):
    def with_context(self):
        """The Range State, the strategy it implements, the plan it supersedes and its species."""
        return self.select_related("range_state", "strategy", "supersedes").prefetch_related("species")

    def for_range_state(self, range_state):
        return self.filter(range_state=range_state)

    def concerning(self, strategy):
        """Plans that implement the strategy or any of its versions, or that concern one of its species:
        the plans a Range State meeting on that strategy discusses."""
        versions = [version.pk for version in strategy_versions(strategy)]
        return self.filter(Q(strategy__in=versions) | Q(species__in=strategy.species.all())).distinct()

    def with_status(self, *, as_of: datetime.date):
        """Annotate `status` (a PlanStatus value, as defined there) as of `as_of`, `plan_year` (adopted,
        else developed), `effective_start` (period start, else plan year) and `within_period` (whether
        `as_of` falls in the plan's period) and `in_force` (in force, or being revised within its period:
        a plan stays in force while its revision is prepared). One query, no extra ones."""
        year = as_of.year
        successors = self.model.objects.filter(supersedes=OuterRef("pk")).annotate(plan_year=_plan_year())
        in_effect = successors.filter(
            Q(period_start__lte=year) | Q(period_start__isnull=True, plan_year__lte=year)
        )
        in_preparation = successors.filter(plan_year__isnull=True).exclude(period_start__lte=year)
        return (
            self.annotate(plan_year=_plan_year(), effective_start=Coalesce("period_start", _plan_year()))
            .annotate(
                status=Case(
                    When(Exists(in_effect), then=Value(PlanStatus.SUPERSEDED)),
                    When(Exists(in_preparation), then=Value(PlanStatus.BEING_REVISED)),
                    When(effective_start__isnull=True, then=Value(PlanStatus.UNKNOWN)),
                    When(effective_start__gt=year, then=Value(PlanStatus.NOT_YET_IN_FORCE)),
                    When(period_end__lt=year, then=Value(PlanStatus.EXPIRED)),
                    default=Value(PlanStatus.IN_FORCE),
                    output_field=models.CharField(),
                ),
                # A plan being revised may still be within its period, and so still in force meanwhile.
                within_period=Case(
                    When(effective_start__lte=year, period_end__gte=year, then=Value(True)),
                    When(effective_start__lte=year, period_end__isnull=True, then=Value(True)),
                    default=Value(False),
                    output_field=models.BooleanField(),
                ),
            )
            .annotate(
                in_force=Case(
                    When(status=PlanStatus.IN_FORCE, then=Value(True)),
                    When(status=PlanStatus.BEING_REVISED, within_period=True, then=Value(True)),
                    default=Value(False),
                    output_field=models.BooleanField(),
                )
            )
        )

    def in_force(self, *, as_of: datetime.date):
        """Plans in force as of `as_of`: status in force, or being revised while still within their period."""
        return self.with_status(as_of=as_of).filter(in_force=True)


def strategy_versions(strategy) -> list:
    """The versions of a strategy, oldest first, following `supersedes` both ways (2007, then its
    Revised Version 2017). A strategy with no other version is its own one-item list. A few queries,
    one per version."""
    from .logframe import Strategy

    oldest = strategy
    seen = {strategy.pk}
    while oldest.supersedes_id and oldest.supersedes_id not in seen:
        oldest = oldest.supersedes
        seen.add(oldest.pk)
    versions = [oldest]
    while True:
        newer = Strategy.objects.filter(supersedes=versions[-1]).first()
        if newer is None or newer.pk in {v.pk for v in versions}:
            return versions
        versions.append(newer)


class PlanReview(models.Model):
    """A review of how National Action Plans were implemented (e.g. by a questionnaire and an expert
    workshop, Tbilisi 2014), and the plans it reviewed and informed."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    method = models.CharField(
        _("method"), max_length=300, blank=True, help_text=_("How the review was made, as the source says.")
    )
    meeting = models.ForeignKey(
        "activities.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_reviews",
        verbose_name=_("meeting"),
        help_text=_("The workshop or meeting where the review took place."),
    )
    plans_reviewed = models.ManyToManyField(
        "activities.NationalActionPlan",
        related_name="reviews",
        blank=True,
        verbose_name=_("plans reviewed"),
    )
    plans_informed = models.ManyToManyField(
        "activities.NationalActionPlan",
        related_name="informed_by_reviews",
        blank=True,
        verbose_name=_("plans based on its results"),
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("What the source says about the review.")
    )
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    source_note = models.TextField(_("source note"), blank=True)

    class Meta:
        ordering = ["year", "title"]
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")

    def __str__(self):
        return self.title
