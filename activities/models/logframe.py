"""The strategy as adopted: its logframe of themes, objectives and results, and the Range States
that implement it. Activities, their actors, CAMI Programme of Work measures and cross-references are
in activity.py. Each model sits beside its QuerySet."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from parler.models import TranslatableModelMixin

from ..parsing import code_sort_key
from .regional import Meeting, Metapopulation, NationalActionPlan, RangeState


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
        from .activity import Activity

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

    def with_header(self):
        """Prefetch what a strategy's page shows above and below its logframe: translations, Range
        States, metapopulations and national plans."""
        from ..content import translation_prefetches

        metapopulations = Metapopulation.objects.order_by("number").prefetch_related(
            "range_states", *translation_prefetches(Metapopulation)
        )
        return self.prefetch_related(
            *translation_prefetches(Strategy),
            "range_states",
            Prefetch("metapopulations", queryset=metapopulations),
            Prefetch(
                "national_action_plans", queryset=NationalActionPlan.objects.select_related("range_state")
            ),
        )


def logframe_prefetches() -> tuple[Prefetch, ...]:
    """A strategy's logframe by theme, for prefetch_related or prefetch_related_objects (the strategy page
    prefetches it only when its cached outline has to be rendered again).

    Objectives the source does not assign to a theme land in `objectives_without_theme`; their subtree
    is only queried when there are some."""
    # Explicit order_by within one strategy: the models' default ordering starts with "strategy", which
    # would join every prefetch to the strategy table to sort by its title.
    from ..content import translation_prefetches

    objectives = Objective.objects.order_by("number").prefetch_related(
        *translation_prefetches(Objective),
        Prefetch("results", queryset=Result.objects.order_by("sort_key").with_tree()),
    )
    themes = Theme.objects.order_by("number").prefetch_related(
        *translation_prefetches(Theme), Prefetch("objectives", queryset=objectives)
    )
    return (
        Prefetch("themes", queryset=themes),
        Prefetch(
            "objectives", queryset=objectives.filter(theme__isnull=True), to_attr="objectives_without_theme"
        ),
    )


class ResultQuerySet(models.QuerySet):
    def with_tree(self):
        """Each result's activities, with everything an activity shows, and the result's own cross-references."""
        from ..content import translation_prefetches
        from .activity import Activity, CrossReference

        activities = Activity.objects.order_by("sort_key").with_details()
        return self.prefetch_related(
            *translation_prefetches(Result),
            Prefetch("activities", queryset=activities.prefetch_related(*translation_prefetches(Activity))),
            Prefetch("references", queryset=CrossReference.objects.with_targets()),
            Prefetch("referenced_by", queryset=CrossReference.objects.with_sources()),
        )


class Strategy(TranslatableModelMixin, models.Model):
    """An adopted conservation strategy: a logframe of themes, objectives, results and activities."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=80)
    period_start = models.PositiveSmallIntegerField(_("period start"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("period end"), null=True, blank=True)
    version = models.CharField(
        _("version"), max_length=100, blank=True, help_text=_("e.g. 'Revised Version 2017'.")
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
        help_text=_(
            "The earlier version of this strategy, which this version revises (plans.strategy_versions)."
        ),
    )
    vision = models.TextField(_("vision"), blank=True)
    goal = models.TextField(_("goal"), blank=True)
    adopted_at = models.ForeignKey(
        Meeting,
        verbose_name=_("adopted at"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="strategies",
        help_text=_("The meeting that adopted, endorsed or revised the strategy."),
    )
    adoption_note = models.TextField(
        _("adoption note"), blank=True, help_text=_("How the source describes the adoption.")
    )
    document_symbol = models.CharField(
        _("document symbol"), max_length=100, blank=True, help_text=_("e.g. UNEP/CMS/PL-RS1/Outcome")
    )
    range_states = models.ManyToManyField(
        RangeState, verbose_name=_("range states"), related_name="strategies", blank=True
    )
    declared_result_count = models.PositiveSmallIntegerField(
        _("declared result count"),
        null=True,
        blank=True,
        help_text=_("Results the source says the strategy has, where their texts are missing."),
    )
    declared_activity_count = models.PositiveSmallIntegerField(
        _("declared activity count"),
        null=True,
        blank=True,
        help_text=_("Activities the source says the strategy has, where their texts are missing."),
    )
    footnotes = models.JSONField(
        _("footnotes"),
        default=list,
        blank=True,
        help_text=_("The source's numbered footnotes: [{number, text}]."),
    )
    abbreviations = models.JSONField(
        _("abbreviations"),
        default=list,
        blank=True,
        help_text=_("The source's list of abbreviations: [{abbreviation, full_title}]."),
    )
    source_document = models.CharField(
        _("source document"), max_length=200, blank=True, help_text=_("The seed text this was taken from.")
    )
    source_note = models.TextField(
        _("source note"), blank=True, help_text=_("What the source leaves open or states ambiguously.")
    )
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    objects = StrategyQuerySet.as_manager()

    class Meta:
        verbose_name = _("strategy")
        ordering = ["title"]
        verbose_name_plural = _("strategies")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_start__lte=models.F("period_end")),
                name="strategy_period_in_order",
            )
        ]

    def __str__(self):
        return self.short_name or self.title

    def get_absolute_url(self):
        return reverse("activities:strategy-detail", kwargs={"slug": self.slug})

    @property
    def period(self) -> str:
        if self.period_start and self.period_end:
            return f"{self.period_start}–{self.period_end}"
        return ""


class Theme(TranslatableModelMixin, models.Model):
    """A key theme of a strategy (e.g. 'Theme 2: Conservation of suitable habitats and connectivity')."""

    strategy = models.ForeignKey(
        Strategy, verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="themes"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["strategy", "number"]
        constraints = [models.UniqueConstraint(fields=["strategy", "number"], name="theme_number_unique")]

    def __str__(self):
        return gettext("Theme %(number)s: %(title)s") % {"number": self.number, "title": self.title}


class Objective(TranslatableModelMixin, models.Model):
    """An objective of a strategy; numbered as in the source, gaps included (there is no PL Objective 6)."""

    strategy = models.ForeignKey(
        Strategy, verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="objectives"
    )
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("theme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objectives",
        help_text=_("Empty where the source does not say which theme the objective belongs to."),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["strategy", "number"]
        constraints = [models.UniqueConstraint(fields=["strategy", "number"], name="objective_number_unique")]

    def __str__(self):
        # Translators: an objective with its strategy, e.g. "Persian Leopard – Objective 3".
        return gettext("%(strategy)s – Objective %(number)s") % {
            "strategy": self.strategy,
            "number": self.number,
        }

    @property
    def code(self) -> str:
        return str(self.number)

    def clean(self):
        if self.theme_id and self.strategy_id and self.theme.strategy_id != self.strategy_id:
            raise ValidationError({"theme": gettext("The theme belongs to another strategy.")})


class Result(TranslatableModelMixin, models.Model):
    """A concrete achievement needed to reach an objective (e.g. 'Result 1.1')."""

    # Denormalised from the objective so that (strategy, code) can be unique in the database.
    strategy = models.ForeignKey(
        Strategy, verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="results", editable=False
    )
    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="results"
    )
    code = models.CharField(
        _("code"), max_length=20, help_text=_("As numbered in the source, e.g. 1.1 or 10.2.")
    )
    sort_key = models.CharField(_("sort key"), max_length=60, editable=False)
    text = models.TextField(_("text"))
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["strategy", "sort_key"]
        constraints = [models.UniqueConstraint(fields=["strategy", "code"], name="result_code_unique")]

    def __str__(self):
        return gettext("Result %(code)s") % {"code": self.code}

    def save(self, *args, **kwargs):
        self.strategy_id = self.objective.strategy_id
        self.sort_key = code_sort_key(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return (
            f"{reverse('activities:strategy-detail', kwargs={'slug': self.strategy.slug})}#result-{self.code}"
        )
