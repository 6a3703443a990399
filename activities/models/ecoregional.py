"""Ecoregional conservation plans (the Ecoregional Conservation Plan for the Caucasus, ECP 2020): their
Conservation and Bridging Landscapes, their priority thematic areas with targets and actions, and the
tags that say which landscapes an activity or a progress entry concerns, so that transboundary
reporting (Activity 1.1.5, Result 11.3) filters by landscape:
`Activity.objects.filter(landscapes=…)`, `ProgressEntry.objects.filter(landscapes=…)`."""

from django.db import models
from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _

from ..parsing import code_sort_key


class EcoregionalPlanQuerySet(models.QuerySet):
    def with_details(self):
        """Landscapes in the plan's order and thematic areas with their targets and actions."""
        return self.prefetch_related(
            Prefetch("landscapes", queryset=Landscape.objects.order_by("sort_key")),
            Prefetch(
                "thematic_areas",
                queryset=ThematicArea.objects.order_by("letter").prefetch_related("measures"),
            ),
        )


class EcoregionalPlan(models.Model):
    """A plan for conserving the biodiversity of a whole ecoregion, across its countries' borders."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=80, help_text=_("e.g. ECP 2020."))
    description = models.TextField(_("description"), blank=True)
    approach = models.TextField(
        _("approach"),
        blank=True,
        help_text=_("How the plan selects its areas, e.g. the Key Biodiversity Areas approach."),
    )
    area_km2 = models.PositiveIntegerField(_("area (km²)"), null=True, blank=True)
    area_note = models.TextField(
        _("area note"), blank=True, help_text=_("What the source says the area is of.")
    )
    targets_year = models.PositiveSmallIntegerField(_("targets for the year"), null=True, blank=True)
    actions_year = models.PositiveSmallIntegerField(_("actions by the year"), null=True, blank=True)
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    source_note = models.TextField(_("source note"), blank=True)
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    objects = EcoregionalPlanQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("ecoregional conservation plan")
        verbose_name_plural = _("ecoregional conservation plans")

    def __str__(self):
        return self.short_name or self.title


class LandscapeQuerySet(models.QuerySet):
    def with_tag_counts(self):
        """How many activities and progress entries are tagged with each landscape (two subqueries'
        worth of counting, done as COUNT DISTINCT over the two joins)."""
        return self.annotate(
            activity_count=Count("activities", distinct=True),
            progress_entry_count=Count("progress_entries", distinct=True),
        )


class Landscape(models.Model):
    """A Conservation Landscape (numbered 1-13 in ECP 2020) or Bridging Landscape (lettered A-G)."""

    class Kind(models.TextChoices):
        CONSERVATION = "conservation", _("Conservation Landscape")
        BRIDGING = "bridging", _("Bridging Landscape")

    plan = models.ForeignKey(
        EcoregionalPlan, on_delete=models.CASCADE, related_name="landscapes", verbose_name=_("plan")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=5, help_text=_("As in the plan: 1-13, A-G."))
    sort_key = models.CharField(max_length=30, editable=False)
    name = models.CharField(_("name"), max_length=120)
    activities = models.ManyToManyField(
        "activities.Activity", related_name="landscapes", blank=True, verbose_name=_("activities")
    )
    progress_entries = models.ManyToManyField(
        "activities.ProgressEntry", related_name="landscapes", blank=True, verbose_name=_("progress entries")
    )

    objects = LandscapeQuerySet.as_manager()

    class Meta:
        # Conservation before Bridging Landscapes, each in the plan's numbering (1, 2, … 10, not 1, 10, 2).
        ordering = ["plan", "sort_key"]
        verbose_name = _("landscape")
        verbose_name_plural = _("landscapes")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="landscape_code_unique")]

    def __str__(self):
        return f"{self.code} – {self.name}"

    def save(self, *args, **kwargs):
        # Conservation Landscapes (1-13) first, then Bridging Landscapes (A-G), each in the plan's order.
        self.sort_key = f"{0 if self.kind == self.Kind.CONSERVATION else 1}-{code_sort_key(self.code)}"
        super().save(*args, **kwargs)


class ThematicArea(models.Model):
    """One of a plan's priority thematic areas (ECP 2020: A. The Ecological Network … D. Freshwater)."""

    plan = models.ForeignKey(
        EcoregionalPlan, on_delete=models.CASCADE, related_name="thematic_areas", verbose_name=_("plan")
    )
    letter = models.CharField(_("letter"), max_length=2)
    title = models.TextField(_("title"))

    class Meta:
        ordering = ["plan", "letter"]
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")
        constraints = [models.UniqueConstraint(fields=["plan", "letter"], name="thematic_area_letter_unique")]

    def __str__(self):
        return f"{self.letter}. {self.title}"


class EcoregionalMeasure(models.Model):
    """A target (for the plan's target year) or an action (by its action year) of a thematic area."""

    class Kind(models.TextChoices):
        TARGET = "target", _("Target")
        ACTION = "action", _("Action")

    thematic_area = models.ForeignKey(
        ThematicArea, on_delete=models.CASCADE, related_name="measures", verbose_name=_("thematic area")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=20, blank=True)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["thematic_area", "kind", "code"]
        verbose_name = _("target or action")
        verbose_name_plural = _("targets and actions")

    def __str__(self):
        return f"{self.get_kind_display()} {self.code}".strip()
