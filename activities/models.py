"""The strategy domain: strategies as logframes (theme → objective → result → activity),
the Range States that implement them, and the progress they report."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

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
    updated_at = models.DateTimeField(
        auto_now=True, db_index=True, help_text="Last change (for incremental sync)."
    )

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
    updated_at = models.DateTimeField(
        auto_now=True, db_index=True, help_text="Last change (for incremental sync)."
    )

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
    updated_at = models.DateTimeField(
        auto_now=True, db_index=True, help_text="Last change (for incremental sync)."
    )

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
    updated_at = models.DateTimeField(
        auto_now=True, db_index=True, help_text="Last change (for incremental sync)."
    )

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
    updated_at = models.DateTimeField(
        auto_now=True, db_index=True, help_text="Last change (for incremental sync)."
    )

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
    updated_at = models.DateTimeField(
        auto_now=True, db_index=True, help_text="Last change (for incremental sync)."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkProgrammeMeasure(models.Model):
    """A measure of the CAMI Programme of Work (CMS Resolution 11.24 (Rev.COP13)), e.g. 19.2."""

    code = models.CharField(max_length=10, unique=True)
    sort_key = models.CharField(max_length=30, editable=False)
    title = models.TextField(blank=True, help_text="Empty where the seeded sources do not quote the measure.")
    updated_at = models.DateTimeField(
        auto_now=True, db_index=True, help_text="Last change (for incremental sync)."
    )

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
    updated_at = models.DateTimeField(
        auto_now=True, db_index=True, help_text="Last change (for incremental sync)."
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


class ReportingRound(models.Model):
    """A period in which the Secretariat asks the Range States to report on a strategy (e.g. '2025 annual')."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", "Annual report"
        INTERMEDIATE = "intermediate", "CAMI 3-year intermediate report"
        STATUS = "status", "6-year national / regional status report"
        OTHER = "other", "Other"

    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="reporting_rounds")
    name = models.CharField(max_length=120, help_text="e.g. '2025 annual'.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ANNUAL)
    opens_on = models.DateField()
    deadline = models.DateField(help_text="Entries submitted after this day count as late.")
    closed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the Secretariat closes the round: its entries are then locked.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-deadline", "name"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "name"], name="reporting_round_name_unique"),
            models.CheckConstraint(
                condition=Q(opens_on__lte=models.F("deadline")), name="round_opens_before_deadline"
            ),
        ]

    def __str__(self):
        return f"{self.name} – {self.strategy}"

    def get_absolute_url(self):
        return reverse("activities:round-detail", kwargs={"pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class ProgressEntry(models.Model):
    """An activity's progress in one Range State (or range-wide) as of a reporting date.

    It moves draft → submitted → approved, or submitted → returned → submitted; see services.py."""

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

    class Confidence(models.TextChoices):
        DOCUMENTED = "documented", "Confirmed by document"
        EXPERT = "expert", "Expert judgement"
        ESTIMATE = "estimate", "Rough estimate"

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="progress_entries")
    range_state = models.ForeignKey(
        RangeState,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_entries",
        help_text="Empty for range-wide progress.",
    )
    reporting_round = models.ForeignKey(
        ReportingRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_entries",
        help_text="The reporting round this entry answers, if any.",
    )
    reporting_date = models.DateField(help_text="The date the reported status refers to.")
    status = models.CharField(max_length=20, choices=Status.choices)
    narrative = models.TextField(blank=True, help_text="What was done, by whom, and what is still missing.")
    source = models.CharField(
        "source of the information",
        max_length=500,
        blank=True,
        help_text="e.g. 'Annual report of the Khosrov Forest State Reserve, 2024'.",
    )
    confidence = models.CharField(
        max_length=20,
        choices=Confidence.choices,
        default=Confidence.EXPERT,
        help_text="How well the reported status is supported.",
    )
    restricted_details = models.TextField(
        blank=True,
        help_text="Sensitive details (den sites, camera-trap locations, poaching cases). "
        "Never shown on public pages, public API responses or exports.",
    )
    amount_spent_usd = models.DecimalField(
        "amount spent (USD)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    review_state = models.CharField(
        max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT, db_index=True
    )
    review_comment = models.TextField(blank=True, help_text="The reviewer's comment when returning an entry.")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_entries"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was first submitted: what counts for reporting on time."
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: an edit names the version it started from, and loses to no one silently.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = HistoricalRecords()
    objects = ProgressEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-reporting_date", "-pk"]
        verbose_name_plural = "progress entries"
        indexes = [
            models.Index(fields=["activity", "range_state", "-reporting_date"], name="progress_latest_idx"),
            models.Index(fields=["review_state", "submitted_at"], name="progress_review_queue_idx"),
            models.Index(fields=["range_state", "review_state", "status"], name="progress_state_review_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_spent_usd__isnull=True) | Q(amount_spent_usd__gte=0),
                name="progress_amount_spent_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(review_state="returned") | ~Q(review_comment=""),
                name="progress_returned_has_comment",
            ),
        ]

    def __str__(self):
        where = self.range_state or "range-wide"
        return f"{self.activity} – {where} – {self.reporting_date}"

    def get_absolute_url(self):
        return reverse("activities:progress-detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.range_state_id and self.activity_id:
            strategy = self.activity.strategy
            if not strategy.range_states.filter(pk=self.range_state_id).exists():
                raise ValidationError(
                    {"range_state": f"{self.range_state} is not a Range State of {strategy}."}
                )
        if (
            self.reporting_round_id
            and self.activity_id
            and self.reporting_round.strategy_id != self.activity.strategy_id
        ):
            raise ValidationError({"reporting_round": "The reporting round is for another strategy."})

    @property
    def scope(self) -> str:
        return self.range_state.name if self.range_state_id else "Range-wide"

    @property
    def is_approved(self) -> bool:
        return self.review_state == self.ReviewState.APPROVED

    @property
    def is_locked(self) -> bool:
        """Entries of a closed reporting round can no longer change."""
        return bool(self.reporting_round_id and self.reporting_round.is_closed)


class Evidence(models.Model):
    """A link or an uploaded file (report, photo, PDF) that supports a progress entry."""

    entry = models.ForeignKey(ProgressEntry, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200, blank=True)
    url = models.URLField("URL", max_length=500, blank=True)
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True, max_length=300)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    size = models.PositiveBigIntegerField(null=True, blank=True, editable=False, help_text="In bytes.")
    restricted = models.BooleanField(
        default=False,
        help_text="Sensitive (e.g. shows den sites or camera-trap locations): never public, never exported.",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="evidence_is_a_link_or_a_file",
                violation_error_message="Give either a link or a file.",
            ),
        ]

    def __str__(self):
        return self.title or self.url or self.file.name

    @property
    def is_file(self) -> bool:
        return bool(self.file)


class ActivityStateStatus(models.Model):
    """The latest approved status of an activity in one Range State (or range-wide).

    Maintained by the approval service, so that reports, the matrix and the API read one row per
    activity and state instead of searching the progress history."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="state_statuses")
    range_state = models.ForeignKey(
        RangeState, on_delete=models.CASCADE, null=True, blank=True, related_name="activity_statuses"
    )
    entry = models.ForeignKey(ProgressEntry, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=ProgressEntry.Status.choices)
    reporting_date = models.DateField()
    approved_at = models.DateTimeField()
    # auto_now covers saves; the approval service also sets it, because a queryset update() skips auto_now.
    updated_at = models.DateTimeField(
        auto_now=True, db_index=True, help_text="Last change (for incremental sync)."
    )

    class Meta:
        verbose_name_plural = "activity state statuses"
        constraints = [
            # Two partial constraints, because NULL (range-wide) is never equal to NULL in a unique index.
            models.UniqueConstraint(
                fields=["activity", "range_state"],
                condition=Q(range_state__isnull=False),
                name="activity_state_status_unique",
            ),
            models.UniqueConstraint(
                fields=["activity"],
                condition=Q(range_state__isnull=True),
                name="activity_rangewide_status_unique",
            ),
        ]

    def __str__(self):
        return f"{self.activity} – {self.range_state or 'range-wide'}: {self.get_status_display()}"


class Delegation(models.Model):
    """A focal point's delegation of one activity or objective, in one Range State, to a colleague
    (e.g. a national expert) who may draft progress entries there but not submit them."""

    range_state = models.ForeignKey(RangeState, on_delete=models.CASCADE, related_name="delegations")
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations"
    )
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=True) ^ Q(objective__isnull=True),
                name="delegation_one_scope",
                violation_error_message="Delegate either one activity or one objective.",
            ),
        ]

    def __str__(self):
        return f"{self.delegate} drafts {self.activity or self.objective} for {self.range_state}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ReportingLink(models.Model):
    """A password-less, expiring link with which a focal point reports for one Range State only.

    Only a hash of the token is stored; the link itself is shown once, when it is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reporting_links"
    )
    range_state = models.ForeignKey(RangeState, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Reporting link for {self.user} ({self.range_state})"


class ReminderSent(models.Model):
    """A deadline reminder e-mailed to a focal point, so that a scheduler re-running the command sends no duplicates."""

    reporting_round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reporting_round", "user", "sent_on"], name="reminder_once_a_day"
            ),
        ]

    def __str__(self):
        return f"Reminder to {self.user} for {self.reporting_round} on {self.sent_on}"


class DomainEvent(models.Model):
    """Something partners may subscribe to (an approval, a status change), written in the same transaction
    as the change itself so that webhooks are delivered later, outside the user's request."""

    class Kind(models.TextChoices):
        PROGRESS_APPROVED = "progress.approved", "Progress entry approved"
        STATUS_CHANGED = "activity.status_changed", "Activity status changed in a Range State"

    kind = models.CharField(max_length=40, choices=Kind.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class APIToken(models.Model):
    """A partner's or national system's key to the REST API, never worth more than its owner's permissions."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. 'IUCN Cat SG nightly sync'."
    )
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(
        max_length=12, unique=True, editable=False, help_text="Shown to tell tokens apart."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class Webhook(models.Model):
    """A partner's URL that receives signed JSON events."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField("URL", max_length=500)
    secret = models.CharField(max_length=64, help_text="Signs each delivery (HMAC-SHA256).")
    events = models.JSONField(default=list, help_text="Event kinds to deliver; empty for all.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event's delivery to one webhook, retried with back-off until it succeeds or gives up."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(DomainEvent, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event"], name="webhook_delivery_once"),
        ]

    def __str__(self):
        return f"{self.event} → {self.webhook}"


class MeetingSnapshot(models.Model):
    """The status of a strategy 'as presented to' a meeting, frozen so it can be compared later."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="snapshots")
    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="snapshots")
    taken_at = models.DateTimeField(auto_now_add=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-taken_at"]

    def __str__(self):
        return f"{self.strategy} as presented to {self.meeting}"


class SnapshotStatus(models.Model):
    """One activity's approved status in one Range State (or range-wide) within a meeting snapshot."""

    snapshot = models.ForeignKey(MeetingSnapshot, on_delete=models.CASCADE, related_name="statuses")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    range_state = models.ForeignKey(
        RangeState, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entry = models.ForeignKey(ProgressEntry, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ProgressEntry.Status.choices)
    reporting_date = models.DateField()

    class Meta:
        verbose_name_plural = "snapshot statuses"
        indexes = [models.Index(fields=["snapshot", "activity"], name="snapshot_activity_idx")]

    def __str__(self):
        return f"{self.snapshot}: {self.activity} – {self.range_state or 'range-wide'}"
