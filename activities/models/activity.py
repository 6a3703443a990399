"""The strategy's activities: what delivers each result, owned by actors and linked to CAMI Programme
of Work measures, and the cross-references between the strategy's texts. Each model sits beside its
QuerySet."""

from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from parler.models import TranslatableModelMixin

from ..parsing import code_sort_key, parse_cost, parse_timeline
from .logframe import Objective, Result, Strategy


def due_by_year(year, prefix: str = "") -> Q:
    """Activities a reporting round whose deadline falls in `year` asks about: due by that year, already
    started (a span or staged timeline), recurring, or wanted as soon as possible. Activities whose
    timeline is TBD, or that start later, are not yet due. `year` may be an expression (a year per round,
    in a query over several rounds); `prefix` reaches the activity from another model ("activity__")."""
    return (
        Q(**{f"{prefix}due_year__lte": year})
        | Q(**{f"{prefix}start_year__lte": year})
        | Q(**{f"{prefix}timeline_kind__in": [Activity.TimelineKind.RECURRING, Activity.TimelineKind.ASAP]})
    )


class ActivityQuerySet(models.QuerySet):
    def for_strategy(self, strategy):
        return self.filter(strategy=strategy)

    def matching(self, text: str, *, language: str | None = None):
        """Activities whose code starts with `text` (e.g. "3.2" finds 3.2.1 and 3.2.4.a), or whose text,
        as the source writes it or as translated into `language`, contains it; case-insensitive."""
        text = text.strip()
        found = Q(code__istartswith=text) | Q(text__icontains=text)
        if language:
            found |= Q(translations__language_code=language, translations__text_translated__icontains=text)
        return self.filter(found).distinct()

    def with_context(self):
        """Join the hierarchy and prefetch the many-to-many links a page or list shows."""
        return self.select_related("strategy", "result__objective__theme").prefetch_related(
            "actors", "cami_pow_measures"
        )

    def with_translations(self, *paths: str):
        """Prefetch the active language's translations of the activities (and of what they reach through
        `paths`, e.g. "result__objective"): one query each, none in the source language."""
        from ..content import translation_prefetches

        return self.prefetch_related(*translation_prefetches(Activity, *paths))

    def with_references(self):
        refs = CrossReference.objects.select_related("to_activity", "to_result", "to_objective")
        return self.prefetch_related(Prefetch("references", queryset=refs))

    def with_details(self):
        """Everything an activity's public entry shows: actors, POW measures, references both ways."""
        return (
            self.prefetch_related("actors", "cami_pow_measures")
            .with_references()
            .prefetch_related(Prefetch("referenced_by", queryset=CrossReference.objects.with_sources()))
        )

    def with_public_progress(self):
        """Approved progress as `approved_progress` (newest first per Range State), each entry with only
        its unrestricted evidence as `public_evidence`: what anyone may see on a public page."""
        from .progress import Evidence, ProgressEntry

        public_evidence = Prefetch(
            "evidence", queryset=Evidence.objects.filter(restricted=False), to_attr="public_evidence"
        )
        entries = (
            ProgressEntry.objects.approved()
            .select_related("range_state")
            .prefetch_related(public_evidence)
            .latest_first(F("range_state__name").asc(nulls_first=True))
        )
        return self.prefetch_related(
            Prefetch("progress_entries", queryset=entries, to_attr="approved_progress")
        )

    def with_standing_in(self, range_state):
        """Annotate what Activity.is_behind_timeline needs for one Range State: `own_status` (the state's
        latest approved status), `range_wide_status` (the activity's range-wide one) and
        `last_completed_on` (the reporting date of its last approved "completed" entry, there or
        range-wide). Three correlated subqueries, no extra query."""
        from .progress import ActivityStateStatus, ProgressEntry

        statuses = ActivityStateStatus.objects.filter(activity=OuterRef("pk")).values("status")
        completed = (
            ProgressEntry.objects.approved()
            .filter(activity=OuterRef("pk"), status=ProgressEntry.Status.COMPLETED)
            .filter(Q(range_state=range_state) | Q(range_state__isnull=True))
            .order_by("-reporting_date")
            .values("reporting_date")[:1]
        )
        return self.annotate(
            own_status=Subquery(statuses.filter(range_state=range_state)[:1]),
            range_wide_status=Subquery(statuses.filter(range_state__isnull=True)[:1]),
            last_completed_on=Subquery(completed),
        )

    def due_before(self, year: int):
        """Activities whose due year is before `year`, whatever their progress. (Behind the plan's
        timeline is Activity.is_behind_timeline: due year passed *and* not complete.)"""
        return self.filter(due_year__lt=year)

    def due_in_round(self, reporting_round):
        """The activities a reporting round asks about (due_by_year of its deadline), of its strategy."""
        due = due_by_year(reporting_round.deadline.year)
        return self.filter(due, strategy_id=reporting_round.strategy_id)

    def not_reported_in_round(self, reporting_round, range_state):
        """Due activities with no entry submitted yet for `range_state` in the round."""
        from .progress import ProgressEntry

        reported = ProgressEntry.objects.filter(
            activity=OuterRef("pk"),
            reporting_round=reporting_round,
            range_state=range_state,
            first_submitted_at__isnull=False,
        )
        return self.due_in_round(reporting_round).filter(~Exists(reported))

    def with_progress_in(self, range_state):
        """Activities with at least one progress entry for the Range State (each activity once)."""
        from .progress import ProgressEntry

        entries = ProgressEntry.objects.filter(activity=models.OuterRef("pk"), range_state=range_state)
        return self.filter(models.Exists(entries))


class CrossReferenceQuerySet(models.QuerySet):
    def with_targets(self):
        return self.select_related("to_activity", "to_result", "to_objective")

    def with_sources(self):
        return self.select_related("from_activity", "from_result")


class Actor(models.Model):
    """A normalised kind of implementer named in the Actor column (NGOs, GOs, IUCN, customs, …)."""

    class Category(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        RESEARCH = "research", _("Research and academia")
        PROTECTED_AREAS = "protected_areas", _("Protected areas")
        COMMUNITY = "community", _("Local communities and land users")
        INTERNATIONAL = "international", _("International organisations and conventions")
        ZOOS = "zoos", _("Zoos and rescue centres")
        ENFORCEMENT = "enforcement", _("Law enforcement and trade control")
        EXPERTS = "experts", _("Experts, working groups and consultants")
        DONORS = "donors", _("Donors")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    class Meta:
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkProgrammeMeasure(models.Model):
    """A measure of the CAMI Programme of Work (CMS Resolution 11.24 (Rev.COP13)), e.g. 19.2."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    sort_key = models.CharField(_("sort key"), max_length=30, editable=False)
    title = models.TextField(
        _("title"), blank=True, help_text=_("Empty where the seeded sources do not quote the measure.")
    )
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    class Meta:
        verbose_name_plural = _("CAMI Programme of Work measures")
        ordering = ["sort_key"]
        verbose_name = _("CAMI Programme of Work measure")

    def __str__(self):
        # Translators: a measure of the CAMI Programme of Work (POW), e.g. "POW 19.2".
        return gettext("POW %(code)s") % {"code": self.code}

    def save(self, *args, **kwargs):
        self.sort_key = code_sort_key(self.code)
        super().save(*args, **kwargs)


class Activity(TranslatableModelMixin, models.Model):
    """A concrete action, owned by actors, that delivers one Result."""

    class Priority(models.IntegerChoices):
        LOW = 1, _("1 – low")
        MEDIUM = 2, _("2 – medium")
        HIGH = 3, _("3 – high")

    class TimelineKind(models.TextChoices):
        YEAR = "year", _("By a year")
        SPAN = "span", _("Over a span of years")
        MILESTONES = "milestones", _("Staged milestones")
        RECURRING = "recurring", _("Recurring")
        ASAP = "asap", _("As soon as possible")
        TBD = "tbd", _("To be determined")

    class CostKind(models.TextChoices):
        AMOUNT = "amount", _("Amount in USD")
        TBD = "tbd", _("To be determined")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    # Denormalised from the result so that (strategy, code) can be unique in the database.
    strategy = models.ForeignKey(
        Strategy,
        verbose_name=_("strategy"),
        on_delete=models.CASCADE,
        related_name="activities",
        editable=False,
    )
    result = models.ForeignKey(
        Result, verbose_name=_("result"), on_delete=models.CASCADE, related_name="activities"
    )
    code = models.CharField(
        _("code"), max_length=20, help_text=_("As numbered in the source, e.g. 1.1.1.a or 10.2.1.")
    )
    sort_key = models.CharField(_("sort key"), max_length=60, editable=False)
    text = models.TextField(_("text"))

    actors_text = models.TextField(_("actors (source text)"), blank=True)
    actors_continued = models.BooleanField(
        _("actors continued from the row above"),
        default=False,
        help_text=_(
            "The source's actor cell is blank because it is merged with the row above; its text applies."
        ),
    )
    actors = models.ManyToManyField(Actor, verbose_name=_("actors"), related_name="activities", blank=True)

    indicator = models.TextField(_("indicator"), blank=True)

    timeline_text = models.CharField(_("timeline (source text)"), max_length=100, blank=True)
    timeline_kind = models.CharField(
        _("timeline kind"), max_length=20, choices=TimelineKind.choices, default=TimelineKind.TBD
    )
    start_year = models.PositiveSmallIntegerField(_("start year"), null=True, blank=True)
    due_year = models.PositiveSmallIntegerField(_("due year"), null=True, blank=True, db_index=True)
    recurrence_years = models.PositiveSmallIntegerField(
        _("recurrence years"),
        null=True,
        blank=True,
        help_text=_("For recurring activities: the interval in years, if the source gives one."),
    )

    cost_text = models.CharField(_("cost (source text)"), max_length=100, blank=True)
    cost_kind = models.CharField(
        _("cost kind"), max_length=20, choices=CostKind.choices, default=CostKind.TBD
    )
    cost_usd = models.DecimalField(
        _("cost (USD)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty when the source gives no amount (TBD, N/A)."),
    )
    cost_per_country = models.BooleanField(
        _("cost per country"),
        default=False,
        help_text=_("The amount is per Range State, not for the whole strategy."),
    )

    cami_pow_text = models.CharField(_("CAMI POW (source text)"), max_length=100, blank=True)
    cami_pow_measures = models.ManyToManyField(
        WorkProgrammeMeasure, related_name="activities", blank=True, verbose_name=_("CAMI POW measures")
    )

    priority = models.PositiveSmallIntegerField(
        _("priority"),
        choices=Priority.choices,
        null=True,
        blank=True,
        help_text=_("Empty where the source gives no priority."),
    )
    source_note = models.TextField(
        _("source note"),
        blank=True,
        help_text=_("How a careful reader resolved a quirk of the source table for this row."),
    )
    updated_at = models.DateTimeField(
        _("updated at"), auto_now=True, db_index=True, help_text=_("Last change (for incremental sync).")
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        ordering = ["strategy", "sort_key"]
        verbose_name_plural = _("activities")
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
        return gettext("Activity %(code)s") % {"code": self.code}

    def save(self, *args, **kwargs):
        self.strategy_id = self.result.strategy_id
        self.sort_key = code_sort_key(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return activity_url(self.strategy.slug, self.code)

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

    # --- the plan's timeline: "behind the plan's timeline" is judged here, and only here ---------------

    def next_report_due(self, *, last_completed, year: int) -> int | None:
        """For a recurring activity with an interval: the year by which its next "completed" report is due,
        its interval after the year of the last approved "completed" report `last_completed` (a date or
        None) or, before any, after its start year (or the strategy's first year, or `year`). None for any
        other activity, and for "Regularly", which gives no interval."""
        if self.timeline_kind != self.TimelineKind.RECURRING or self.recurrence_years is None:
            return None
        start = self.start_year or self.strategy.period_start or year
        return (last_completed.year if last_completed else start) + self.recurrence_years

    def is_behind_timeline(self, *, year: int, complete: bool, last_completed=None) -> bool:
        """Behind the plan's timeline in `year`: a recurring activity whose next report was due before
        `year`; any other activity whose due year is before `year` and that is not `complete` (every cell
        in scope completed or not applicable: cells_all_done). Activities whose timeline is TBD or ASAP, or
        gives no due year or no interval, are never behind it. Not to be confused with being late for a
        reporting round's deadline (selectors.StateReportingRate)."""
        if self.timeline_kind == self.TimelineKind.RECURRING:
            next_due = self.next_report_due(last_completed=last_completed, year=year)
            return next_due is not None and next_due < year
        return self.due_year is not None and self.due_year < year and not complete


def activity_url(strategy_slug: str, code: str) -> str:
    """The page of the activity with this code in this strategy."""
    return reverse("activities:activity-detail", kwargs={"slug": strategy_slug, "code": code})


# a code no activity has (the URL's code is any text without a slash), replaced by each row's code
_CODE_SENTINEL = "ACTIVITYCODESENTINEL"


def activity_urls(strategy_slug: str):
    """activity_url for many activities of one strategy: reversed once, then each code put in as
    reverse() would put it (percent-quoted the same way); for pages and exports that link hundreds of
    rows, where a reverse per row was a noticeable part of their time."""
    before, after = activity_url(strategy_slug, _CODE_SENTINEL).split(_CODE_SENTINEL)
    return lambda code: before + quote(str(code), safe=RFC3986_SUBDELIMS + "/~:@") + after


class CrossReference(models.Model):
    """A reference written in a source text ('see Activity 1.1.4'), resolved to what it points at.

    A reference to a code the source does not contain (Activity 2.1.2) is kept, unresolved."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("Activity")
        RESULT = "result", _("Result")
        OBJECTIVE = "objective", _("Objective")

    from_activity = models.ForeignKey(
        Activity,
        verbose_name=_("from activity"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="references",
    )
    from_result = models.ForeignKey(
        Result,
        verbose_name=_("from result"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="references",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=20, help_text=_("The code as cited, e.g. 7.1.1 or 5.1."))
    to_activity = models.ForeignKey(
        Activity,
        verbose_name=_("to activity"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="referenced_by",
    )
    to_result = models.ForeignKey(
        Result,
        verbose_name=_("to result"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="referenced_by",
    )
    to_objective = models.ForeignKey(
        Objective,
        verbose_name=_("to objective"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="referenced_by",
    )
    position = models.PositiveSmallIntegerField(
        _("position"),
        default=0,
        help_text=_("Order of the reference within its source text, so links read as the source does."),
    )

    objects = CrossReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("cross reference")
        verbose_name_plural = _("cross references")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_activity__isnull=True) ^ Q(from_result__isnull=True),
                name="crossreference_has_one_source",
            ),
        ]

    def __str__(self):
        # Translators: what a cross-reference cites, e.g. "Activity 1.1.4" (%(kind)s: Activity, Result or Objective).
        return pgettext("cross-reference", "%(kind)s %(code)s") % {
            "kind": self.get_kind_display(),
            "code": self.code,
        }

    @property
    def target(self):
        return self.to_activity or self.to_result or self.to_objective
