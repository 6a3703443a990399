"""The strategy domain: strategies as logframes (theme → objective → result → activity),
the Range States that implement them, and the progress they report."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from .parsing import code_sort_key, parse_cost, parse_timeline
from .querysets import (
    ActivityQuerySet,
    CrossReferenceQuerySet,
    ProgressEntryQuerySet,
    ResultQuerySet,
    StrategyQuerySet,
)


class Meeting(models.Model):
    """A meeting of the Convention's bodies or partners: where strategies are adopted and status is presented."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=300)
    place = models.CharField(max_length=200, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    document_symbol = models.CharField(
        max_length=100, blank=True, help_text="e.g. UNEP/CMS/CAMI-TW/Doc.1/Rev.1"
    )

    class Meta:
        ordering = ["start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__lte=models.F("end_date")),
                name="meeting_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return self.name


class RangeState(models.Model):
    """A country in which the species occurs, and which implements strategies through national plans."""

    iso_code = models.CharField(
        "ISO code", max_length=2, unique=True, help_text="ISO 3166-1 alpha-2 code, e.g. AM for Armenia."
    )
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(iso_code__regex=r"^[A-Z]{2}$"), name="range_state_iso_upper2")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.iso_code = (self.iso_code or "").upper()


class Strategy(models.Model):
    """An adopted conservation strategy: a logframe of themes, objectives, results and activities."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=300)
    short_name = models.CharField(max_length=80)
    period_start = models.PositiveSmallIntegerField(null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(null=True, blank=True)
    version = models.CharField(max_length=100, blank=True, help_text="e.g. 'Revised Version 2017'.")
    vision = models.TextField(blank=True)
    goal = models.TextField(blank=True)
    adopted_at = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="strategies",
        help_text="The meeting that adopted, endorsed or revised the strategy.",
    )
    adoption_note = models.TextField(blank=True, help_text="How the source describes the adoption.")
    document_symbol = models.CharField(max_length=100, blank=True, help_text="e.g. UNEP/CMS/PL-RS1/Outcome")
    range_states = models.ManyToManyField(RangeState, related_name="strategies", blank=True)
    declared_result_count = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Results the source says the strategy has, where their texts are missing.",
    )
    declared_activity_count = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Activities the source says the strategy has, where their texts are missing.",
    )
    footnotes = models.JSONField(
        default=list, blank=True, help_text="The source's numbered footnotes: [{number, text}]."
    )
    abbreviations = models.JSONField(
        default=list,
        blank=True,
        help_text="The source's list of abbreviations: [{abbreviation, full_title}].",
    )
    source_document = models.CharField(
        max_length=200, blank=True, help_text="The seed text this was taken from."
    )
    source_note = models.TextField(blank=True, help_text="What the source leaves open or states ambiguously.")

    objects = StrategyQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "strategies"
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


class Metapopulation(models.Model):
    """A region / metapopulation into which a strategy divides the species' range (e.g. Figure 1)."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="metapopulations")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    range_states = models.ManyToManyField(RangeState, related_name="metapopulations", blank=True)

    class Meta:
        ordering = ["strategy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="metapopulation_number_unique"),
        ]

    def __str__(self):
        return f"{self.number} = {self.name}"


class NationalActionPlan(models.Model):
    """A Range State's National Action Plan (or similar roadmap) implementing a strategy."""

    class Kind(models.TextChoices):
        NAP = "nap", "National Action Plan"
        ROADMAP = "roadmap", "Roadmap"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="national_action_plans")
    range_state = models.ForeignKey(
        RangeState, on_delete=models.PROTECT, related_name="national_action_plans"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NAP)
    title = models.CharField(max_length=300)
    period_start = models.PositiveSmallIntegerField(null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(null=True, blank=True)
    year_developed = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["range_state__name", "period_start"]
        verbose_name = "National Action Plan"
        constraints = [
            models.UniqueConstraint(fields=["strategy", "range_state", "title"], name="nap_title_unique"),
        ]

    def __str__(self):
        return self.title


class Theme(models.Model):
    """A key theme of a strategy (e.g. 'Theme 2: Conservation of suitable habitats and connectivity')."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="themes")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["strategy", "number"]
        constraints = [models.UniqueConstraint(fields=["strategy", "number"], name="theme_number_unique")]

    def __str__(self):
        return f"Theme {self.number}: {self.title}"


class Objective(models.Model):
    """An objective of a strategy; numbered as in the source, gaps included (there is no PL Objective 6)."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="objectives")
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objectives",
        help_text="Empty where the source does not say which theme the objective belongs to.",
    )
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["strategy", "number"]
        constraints = [models.UniqueConstraint(fields=["strategy", "number"], name="objective_number_unique")]

    def __str__(self):
        return f"{self.strategy} – Objective {self.number}"

    @property
    def code(self) -> str:
        return str(self.number)

    def clean(self):
        if self.theme_id and self.strategy_id and self.theme.strategy_id != self.strategy_id:
            raise ValidationError({"theme": "The theme belongs to another strategy."})


class Result(models.Model):
    """A concrete achievement needed to reach an objective (e.g. 'Result 1.1')."""

    # Denormalised from the objective so that (strategy, code) can be unique in the database.
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="results", editable=False)
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="results")
    code = models.CharField(max_length=20, help_text="As numbered in the source, e.g. 1.1 or 10.2.")
    sort_key = models.CharField(max_length=60, editable=False)
    text = models.TextField()

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["strategy", "sort_key"]
        constraints = [models.UniqueConstraint(fields=["strategy", "code"], name="result_code_unique")]

    def __str__(self):
        return f"Result {self.code}"

    def save(self, *args, **kwargs):
        self.strategy_id = self.objective.strategy_id
        self.sort_key = code_sort_key(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return (
            f"{reverse('activities:strategy-detail', kwargs={'slug': self.strategy.slug})}#result-{self.code}"
        )


class Actor(models.Model):
    """A normalised kind of implementer named in the Actor column (NGOs, GOs, IUCN, customs, …)."""

    class Category(models.TextChoices):
        GOVERNMENT = "government", "Government"
        CIVIL_SOCIETY = "civil_society", "Civil society"
        RESEARCH = "research", "Research and academia"
        PROTECTED_AREAS = "protected_areas", "Protected areas"
        COMMUNITY = "community", "Local communities and land users"
        INTERNATIONAL = "international", "International organisations and conventions"
        ZOOS = "zoos", "Zoos and rescue centres"
        ENFORCEMENT = "enforcement", "Law enforcement and trade control"
        EXPERTS = "experts", "Experts, working groups and consultants"
        DONORS = "donors", "Donors"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120, unique=True)
    category = models.CharField(max_length=30, choices=Category.choices)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkProgrammeMeasure(models.Model):
    """A measure of the CAMI Programme of Work (CMS Resolution 11.24 (Rev.COP13)), e.g. 19.2."""

    code = models.CharField(max_length=10, unique=True)
    sort_key = models.CharField(max_length=30, editable=False)
    title = models.TextField(blank=True, help_text="Empty where the seeded sources do not quote the measure.")

    class Meta:
        ordering = ["sort_key"]
        verbose_name = "CAMI Programme of Work measure"

    def __str__(self):
        return f"POW {self.code}"

    def save(self, *args, **kwargs):
        self.sort_key = code_sort_key(self.code)
        super().save(*args, **kwargs)


class Activity(models.Model):
    """A concrete action, owned by actors, that delivers one Result."""

    class Priority(models.IntegerChoices):
        LOW = 1, "1 – low"
        MEDIUM = 2, "2 – medium"
        HIGH = 3, "3 – high"

    class TimelineKind(models.TextChoices):
        YEAR = "year", "By a year"
        SPAN = "span", "Over a span of years"
        MILESTONES = "milestones", "Staged milestones"
        RECURRING = "recurring", "Recurring"
        ASAP = "asap", "As soon as possible"
        TBD = "tbd", "To be determined"

    class CostKind(models.TextChoices):
        AMOUNT = "amount", "Amount in USD"
        TBD = "tbd", "To be determined"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    # Denormalised from the result so that (strategy, code) can be unique in the database.
    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="activities", editable=False
    )
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="activities")
    code = models.CharField(max_length=20, help_text="As numbered in the source, e.g. 1.1.1.a or 10.2.1.")
    sort_key = models.CharField(max_length=60, editable=False)
    text = models.TextField()

    actors_text = models.TextField("actors (source text)", blank=True)
    actors_continued = models.BooleanField(
        "actors continued from the row above",
        default=False,
        help_text="The source's actor cell is blank because it is merged with the row above; its text applies.",
    )
    actors = models.ManyToManyField(Actor, related_name="activities", blank=True)

    indicator = models.TextField(blank=True)

    timeline_text = models.CharField("timeline (source text)", max_length=100, blank=True)
    timeline_kind = models.CharField(max_length=20, choices=TimelineKind.choices, default=TimelineKind.TBD)
    start_year = models.PositiveSmallIntegerField(null=True, blank=True)
    due_year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    recurrence_years = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="For recurring activities: the interval in years, if the source gives one.",
    )

    cost_text = models.CharField("cost (source text)", max_length=100, blank=True)
    cost_kind = models.CharField(max_length=20, choices=CostKind.choices, default=CostKind.TBD)
    cost_usd = models.DecimalField(
        "cost (USD)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Empty when the source gives no amount (TBD, N/A).",
    )
    cost_per_country = models.BooleanField(
        default=False, help_text="The amount is per Range State, not for the whole strategy."
    )

    cami_pow_text = models.CharField("CAMI POW (source text)", max_length=100, blank=True)
    cami_pow_measures = models.ManyToManyField(
        WorkProgrammeMeasure, related_name="activities", blank=True, verbose_name="CAMI POW measures"
    )

    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, null=True, blank=True, help_text="Empty where the source gives no priority."
    )
    source_note = models.TextField(
        blank=True, help_text="How a careful reader resolved a quirk of the source table for this row."
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["strategy", "sort_key"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="activity_code_unique"),
            models.CheckConstraint(
                condition=Q(priority__isnull=True) | Q(priority__in=[1, 2, 3]),
                name="activity_priority_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(cost_usd__isnull=True) | Q(cost_kind="amount"),
                name="activity_cost_amount_has_kind",
            ),
        ]

    def __str__(self):
        return f"Activity {self.code}"

    def save(self, *args, **kwargs):
        self.strategy_id = self.result.strategy_id
        self.sort_key = code_sort_key(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("activities:activity-detail", kwargs={"slug": self.strategy.slug, "code": self.code})

    def clean(self):
        """Derive the parsed timeline and cost from their source text, so the two never drift apart."""
        errors = {}
        try:
            timeline = parse_timeline(self.timeline_text)
        except ValueError as exc:
            errors["timeline_text"] = str(exc)
        else:
            self.timeline_kind = timeline.kind
            self.start_year, self.due_year = timeline.start_year, timeline.due_year
            self.recurrence_years = timeline.recurrence_years
        try:
            cost = parse_cost(self.cost_text)
        except ValueError as exc:
            errors["cost_text"] = str(exc)
        else:
            self.cost_kind, self.cost_usd, self.cost_per_country = cost.kind, cost.usd, cost.per_country
        if errors:
            raise ValidationError(errors)


class CrossReference(models.Model):
    """A reference written in a source text ('see Activity 1.1.4'), resolved to what it points at.

    A reference to a code the source does not contain (Activity 2.1.2) is kept, unresolved."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", "Activity"
        RESULT = "result", "Result"
        OBJECTIVE = "objective", "Objective"

    from_activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="references"
    )
    from_result = models.ForeignKey(
        Result, on_delete=models.CASCADE, null=True, blank=True, related_name="references"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=20, help_text="The code as cited, e.g. 7.1.1 or 5.1.")
    to_activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="referenced_by"
    )
    to_result = models.ForeignKey(
        Result, on_delete=models.CASCADE, null=True, blank=True, related_name="referenced_by"
    )
    to_objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, null=True, blank=True, related_name="referenced_by"
    )
    position = models.PositiveSmallIntegerField(
        default=0,
        help_text="Order of the reference within its source text, so links read as the source does.",
    )

    objects = CrossReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_activity__isnull=True) ^ Q(from_result__isnull=True),
                name="crossreference_has_one_source",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.code}"

    @property
    def target(self):
        return self.to_activity or self.to_result or self.to_objective


class FocalPoint(models.Model):
    """A user's assignment as national focal point for one Range State."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="focal_points")
    range_state = models.ForeignKey(RangeState, on_delete=models.CASCADE, related_name="focal_points")

    class Meta:
        ordering = ["range_state__name"]
        constraints = [models.UniqueConstraint(fields=["user", "range_state"], name="focal_point_unique")]

    def __str__(self):
        return f"{self.user} – {self.range_state}"


class ProgressEntry(models.Model):
    """An activity's progress in one Range State (or range-wide) as of a reporting date."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        DELAYED = "delayed", "Delayed / at risk"
        CANCELLED = "cancelled", "Cancelled"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    class ReviewState(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="progress_entries")
    range_state = models.ForeignKey(
        RangeState,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_entries",
        help_text="Empty for range-wide progress.",
    )
    reporting_date = models.DateField(help_text="The date the reported status refers to.")
    status = models.CharField(max_length=20, choices=Status.choices)
    narrative = models.TextField(blank=True)
    amount_spent_usd = models.DecimalField(
        "amount spent (USD)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    review_state = models.CharField(
        max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT, db_index=True
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_entries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ProgressEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-reporting_date", "-pk"]
        verbose_name_plural = "progress entries"
        indexes = [
            models.Index(fields=["activity", "range_state", "-reporting_date"], name="progress_latest_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_spent_usd__isnull=True) | Q(amount_spent_usd__gte=0),
                name="progress_amount_spent_not_negative",
            ),
        ]

    def __str__(self):
        where = self.range_state or "range-wide"
        return f"{self.activity} – {where} – {self.reporting_date}"

    @property
    def scope(self) -> str:
        return self.range_state.name if self.range_state_id else "Range-wide"

    def clean(self):
        if self.range_state_id and self.activity_id:
            strategy = self.activity.strategy
            if not strategy.range_states.filter(pk=self.range_state_id).exists():
                raise ValidationError(
                    {"range_state": f"{self.range_state} is not a Range State of {strategy}."}
                )


class EvidenceLink(models.Model):
    """A link to a document, report or dataset that supports a progress entry."""

    entry = models.ForeignKey(ProgressEntry, on_delete=models.CASCADE, related_name="evidence_links")
    url = models.URLField("URL", max_length=500)
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.title or self.url
