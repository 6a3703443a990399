"""The regional picture around the strategies: Range States, the metapopulations a strategy divides the
range into, National Action Plans and the meetings where strategies are adopted."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from parler.models import TranslatableModelMixin

from .meetings import MeetingKind, MeetingQuerySet
from .plans import NationalActionPlanQuerySet


class Meeting(models.Model):
    """A meeting of the Convention's bodies or partners: where strategies are adopted and status is presented."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300)
    place = models.CharField(_("place"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    document_symbol = models.CharField(
        _("document symbol"), max_length=100, blank=True, help_text=_("e.g. UNEP/CMS/CAMI-TW/Doc.1/Rev.1")
    )
    # Added for the regional picture (issue 13); the agenda and documents are in meetings.py.
    kind = models.CharField(_("kind"), max_length=30, choices=MeetingKind.choices, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        help_text=_("Taken from the start date; set alone where the source gives only the year."),
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("What the source says the meeting is for.")
    )
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    source_note = models.TextField(_("source note"), blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__lte=models.F("end_date")),
                name="meeting_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.start_date:
            self.year = self.start_date.year
        super().save(*args, **kwargs)


class RangeState(models.Model):
    """A country in which the species occurs, and which implements strategies through national plans."""

    iso_code = models.CharField(
        _("ISO code"), max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2 code, e.g. AM for Armenia.")
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    class Meta:
        verbose_name = _("range state")
        verbose_name_plural = _("range states")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(iso_code__regex=r"^[A-Z]{2}$"), name="range_state_iso_upper2")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.iso_code = (self.iso_code or "").upper()


class Metapopulation(TranslatableModelMixin, models.Model):
    """A region / metapopulation into which a strategy divides the species' range (e.g. Figure 1)."""

    strategy = models.ForeignKey(
        "activities.Strategy",
        verbose_name=_("strategy"),
        on_delete=models.CASCADE,
        related_name="metapopulations",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    range_states = models.ManyToManyField(
        RangeState, verbose_name=_("range states"), related_name="metapopulations", blank=True
    )

    class Meta:
        verbose_name = _("metapopulation")
        verbose_name_plural = _("metapopulations")
        ordering = ["strategy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="metapopulation_number_unique"),
        ]

    def __str__(self):
        return f"{self.number} = {self.name}"


class NationalActionPlan(models.Model):
    """A Range State's National Action Plan (or similar roadmap) implementing a strategy."""

    class Kind(models.TextChoices):
        NAP = "nap", _("National Action Plan")
        ROADMAP = "roadmap", _("Roadmap")

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    strategy = models.ForeignKey(
        "activities.Strategy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="national_action_plans",
        verbose_name=_("implements"),
        help_text=_("The strategy the plan implements; empty where the source does not say."),
    )
    range_state = models.ForeignKey(
        RangeState,
        verbose_name=_("range state"),
        on_delete=models.PROTECT,
        related_name="national_action_plans",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NAP)
    title = models.CharField(_("title"), max_length=300)
    period_start = models.PositiveSmallIntegerField(_("period start"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("period end"), null=True, blank=True)
    year_developed = models.PositiveSmallIntegerField(_("year developed"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Added for the regional picture (issue 13): the status is derived (plans.PlanStatus), not stored.
    year_adopted = models.PositiveSmallIntegerField(
        _("year adopted"),
        null=True,
        blank=True,
        help_text=_("Empty where the source gives only the year it was developed."),
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("supersedes"),
        help_text=_("The earlier plan of the same Range State that this one updates or replaces."),
    )
    source_note = models.TextField(_("source note"), blank=True)

    objects = NationalActionPlanQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("National Action Plans")
        ordering = ["range_state__name", "period_start"]
        verbose_name = _("National Action Plan")
        constraints = [
            models.UniqueConstraint(fields=["range_state", "title"], name="nap_title_unique"),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_start__lte=models.F("period_end")),
                name="nap_period_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=models.F("pk")), name="nap_not_superseding_itself"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if (
            self.supersedes_id
            and self.range_state_id
            and self.supersedes.range_state_id != self.range_state_id
        ):
            raise ValidationError({"supersedes": _("A plan supersedes a plan of the same Range State.")})
        if self.supersedes_id and self.pk and self.supersedes_id == self.pk:
            raise ValidationError({"supersedes": _("A plan cannot supersede itself.")})
