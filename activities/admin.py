"""The Django admin, made for daily use by the Secretariat: every model, searchable and filterable,
with the logframe editable top-down through inlines (strategy → objectives → results → activities →
progress entries → evidence links)."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator

from .models import (
    Activity,
    Actor,
    CrossReference,
    Evidence,
    FocalPoint,
    Meeting,
    Metapopulation,
    NationalActionPlan,
    Objective,
    ProgressEntry,
    RangeState,
    Result,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)

admin.site.site_header = "Strategy Tracker — CMS Secretariat"
admin.site.site_title = "Strategy Tracker — CMS Secretariat"
admin.site.index_title = "Strategies, activities and progress"

# Tabular inlines show long texts in two-line boxes rather than the default ten-line ones.
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}
# Evidence is pasted from browsers; a bare "example.org/report.pdf" means https (Django 6's default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def short(text, length=80):
    return Truncator(text).chars(length)


def names(objects):
    """Comma-separated names of prefetched related objects (never queries when prefetched)."""
    return ", ".join(str(obj) for obj in objects.all())


# --- list filters -------------------------------------------------------------------------------


class ObjectiveListFilter(admin.RelatedFieldListFilter):
    """Objectives as choices; their names include the strategy, so join it in one query."""

    def field_choices(self, field, request, model_admin):
        return [(objective.pk, str(objective)) for objective in Objective.objects.select_related("strategy")]


class RangeWideListFilter(admin.RelatedFieldListFilter):
    """The Range State filter on progress, where an empty Range State means range-wide progress."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_value_display = "Range-wide"


class ProgressInRangeStateListFilter(admin.SimpleListFilter):
    title = "progress reported in Range State"
    parameter_name = "range_state"

    def lookups(self, request, model_admin):
        return list(RangeState.objects.values_list("pk", "name"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.with_progress_in(self.value())
        return queryset


class DeadlineListFilter(admin.SimpleListFilter):
    """Due year against the current year: what is overdue, due now, due later or open-ended."""

    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        year = timezone.localdate().year
        return [
            ("overdue", f"Overdue (due before {year})"),
            ("this_year", f"Due in {year}"),
            ("later", f"Due after {year}"),
            ("none", "No due year"),
        ]

    def queryset(self, request, queryset):
        year = timezone.localdate().year
        match self.value():
            case "overdue":
                return queryset.overdue(year=year)
            case "this_year":
                return queryset.filter(due_year=year)
            case "later":
                return queryset.filter(due_year__gt=year)
            case "none":
                return queryset.filter(due_year__isnull=True)
        return queryset


class ResolvedListFilter(admin.SimpleListFilter):
    title = "resolved"
    parameter_name = "resolved"
    unresolved = models.Q(to_activity__isnull=True, to_result__isnull=True, to_objective__isnull=True)

    def lookups(self, request, model_admin):
        return [("yes", "Resolved"), ("no", "Unresolved (the source has no such code)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(self.unresolved)
        if self.value() == "no":
            return queryset.filter(self.unresolved)
        return queryset


# --- inlines ------------------------------------------------------------------------------------


class ThemeInline(admin.TabularInline):
    model = Theme
    fields = ["number", "title"]
    extra = 0


class ObjectiveInline(admin.TabularInline):
    model = Objective
    fields = ["number", "theme", "text"]
    formfield_overrides = COMPACT_TEXT
    show_change_link = True
    extra = 0


class MetapopulationInline(admin.TabularInline):
    model = Metapopulation
    fields = ["number", "name", "range_states"]
    autocomplete_fields = ["range_states"]
    extra = 0


class NationalActionPlanInline(admin.TabularInline):
    model = NationalActionPlan
    fields = ["range_state", "kind", "title", "period_start", "period_end", "year_developed"]
    autocomplete_fields = ["range_state"]
    extra = 0


class ResultInline(admin.TabularInline):
    model = Result
    fields = ["code", "text"]
    formfield_overrides = COMPACT_TEXT
    show_change_link = True
    extra = 0


class ActivityInline(admin.TabularInline):
    """A compact view of a result's activities; each row links to the full activity form."""

    model = Activity
    fields = ["code", "text", "priority", "timeline_text", "due_year", "cost_text"]
    readonly_fields = ["timeline_text", "due_year", "cost_text"]
    formfield_overrides = COMPACT_TEXT
    show_change_link = True
    extra = 0


class CrossReferenceInline(admin.TabularInline):
    model = CrossReference
    fk_name = "from_activity"
    fields = ["kind", "code", "to_activity", "to_result", "to_objective"]
    autocomplete_fields = ["to_activity", "to_result", "to_objective"]
    verbose_name = "cross-reference in the text"
    extra = 0


class ProgressEntryInline(admin.TabularInline):
    model = ProgressEntry
    fields = ["range_state", "reporting_date", "status", "review_state", "amount_spent_usd", "reported_by"]
    # Set to the current user when the entry is added (ActivityAdmin.save_formset).
    readonly_fields = ["reported_by"]
    autocomplete_fields = ["range_state"]
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("range_state", "reported_by")


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = ["url", "title"]
    formfield_overrides = HTTPS_URLS
    extra = 0


# --- model admins -------------------------------------------------------------------------------


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["name", "place", "start_date", "end_date", "document_symbol"]
    list_select_related = False  # no foreign-key columns
    search_fields = ["name", "place", "document_symbol", "slug"]
    list_filter = ["start_date"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(RangeState)
class RangeStateAdmin(admin.ModelAdmin):
    list_display = ["name", "iso_code", "strategy_names"]
    list_select_related = False  # no foreign-key columns; strategies are prefetched
    search_fields = ["name", "iso_code"]
    list_filter = ["strategies"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("strategies")

    @admin.display(description="strategies")
    def strategy_names(self, obj):
        return names(obj.strategies)


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["short_name", "title", "period", "version", "adopted_at", "activity_count"]
    list_select_related = ["adopted_at"]
    search_fields = ["title", "short_name", "slug", "document_symbol"]
    list_filter = ["adopted_at", "period_start"]
    prepopulated_fields = {"slug": ["short_name"]}
    autocomplete_fields = ["adopted_at", "range_states"]
    fieldsets = [
        (None, {"fields": ["title", "short_name", "slug", ("period_start", "period_end"), "version"]}),
        ("Adoption", {"fields": ["adopted_at", "adoption_note", "document_symbol"]}),
        ("Content", {"fields": ["vision", "goal", "range_states"]}),
        (
            "Source",
            {
                "classes": ["collapse"],
                "fields": [
                    "source_document",
                    "source_note",
                    ("declared_result_count", "declared_activity_count"),
                    "footnotes",
                    "abbreviations",
                ],
            },
        ),
    ]
    inlines = [ThemeInline, ObjectiveInline, MetapopulationInline, NationalActionPlanInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(activity_count=models.Count("activities"))

    @admin.display(description="activities", ordering="activity_count")
    def activity_count(self, obj):
        return obj.activity_count


@admin.register(Metapopulation)
class MetapopulationAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "strategy", "range_state_names"]
    list_select_related = ["strategy"]
    search_fields = ["name", "range_states__name"]
    list_filter = ["strategy", "range_states"]
    autocomplete_fields = ["strategy", "range_states"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("range_states")

    @admin.display(description="Range States")
    def range_state_names(self, obj):
        return names(obj.range_states)


@admin.register(NationalActionPlan)
class NationalActionPlanAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "range_state",
        "strategy",
        "kind",
        "period_start",
        "period_end",
        "year_developed",
    ]
    list_select_related = ["range_state", "strategy"]
    search_fields = ["title", "range_state__name", "note"]
    list_filter = ["strategy", "kind", "range_state"]
    autocomplete_fields = ["strategy", "range_state"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "strategy"]
    list_display_links = ["number", "title"]
    list_select_related = ["strategy"]
    search_fields = ["title"]
    list_filter = ["strategy"]
    autocomplete_fields = ["strategy"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["number", "short_text", "strategy", "theme"]
    list_display_links = ["number", "short_text"]
    list_select_related = ["strategy", "theme"]
    search_fields = ["text", "strategy__short_name"]
    list_filter = ["strategy", "theme"]
    autocomplete_fields = ["strategy", "theme"]
    inlines = [ResultInline]

    def get_queryset(self, request):
        # An objective's name includes its strategy, and autocomplete lists (which ignore
        # list_select_related) print it for every row. A changelist whose queryset already has a
        # select_related skips list_select_related, so join the same list here.
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description="text", ordering="text")
    def short_text(self, obj):
        return short(obj.text)


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ["code_display", "short_text", "objective_number", "strategy"]
    list_select_related = ["strategy", "objective"]
    search_fields = ["^code", "text"]
    list_filter = ["strategy", ("objective", ObjectiveListFilter)]
    fields = ["objective", "code", "text", "strategy", "sort_key"]
    readonly_fields = ["strategy", "sort_key"]
    autocomplete_fields = ["objective"]
    inlines = [ActivityInline]

    @admin.display(description="code", ordering="sort_key")
    def code_display(self, obj):
        return obj.code

    @admin.display(description="text", ordering="text")
    def short_text(self, obj):
        return short(obj.text)

    @admin.display(description="objective", ordering="objective__number")
    def objective_number(self, obj):
        return obj.objective.number


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "slug"]
    list_select_related = False  # no foreign-key columns
    search_fields = ["name", "slug", "description"]
    list_filter = ["category"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(WorkProgrammeMeasure)
class WorkProgrammeMeasureAdmin(admin.ModelAdmin):
    list_display = ["code_display", "short_title"]
    list_select_related = False  # no foreign-key columns
    search_fields = ["^code", "title"]
    # Measures the seeded sources cite without quoting have no title yet.
    list_filter = [("title", admin.EmptyFieldListFilter)]
    readonly_fields = ["sort_key"]

    @admin.display(description="code", ordering="sort_key")
    def code_display(self, obj):
        return obj.code

    @admin.display(description="title", ordering="title")
    def short_title(self, obj):
        return short(obj.title, 120)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = [
        "code_display",
        "short_text",
        "strategy",
        "result",
        "priority",
        "timeline_text",
        "due_year",
        "cost_text",
        "cost_display",
        "actor_names",
    ]
    list_select_related = ["strategy", "result"]
    search_fields = ["^code", "text", "indicator", "actors_text"]
    list_filter = [
        "strategy",
        ("result__objective", ObjectiveListFilter),
        "priority",
        "due_year",
        DeadlineListFilter,
        ProgressInRangeStateListFilter,
        "actors",
    ]
    # By strategy, then by code in logframe order (sort_key: 1.1.1.a < 1.1.2 < 1.10.1).
    ordering = ["strategy__title", "sort_key"]
    autocomplete_fields = ["result", "actors", "cami_pow_measures"]
    # The parsed values are derived from their source text by Activity.clean(), never typed in.
    readonly_fields = [
        "strategy",
        "sort_key",
        "timeline_kind",
        "start_year",
        "due_year",
        "recurrence_years",
        "cost_kind",
        "cost_usd",
        "cost_per_country",
    ]
    # Each source cell sits next to the values parsed from it.
    fieldsets = [
        (None, {"fields": ["result", "code", "text", "indicator", ("strategy", "sort_key")]}),
        ("Actors", {"fields": ["actors_text", "actors_continued", "actors"]}),
        (
            "Timeline",
            {"fields": ["timeline_text", "timeline_kind", ("start_year", "due_year"), "recurrence_years"]},
        ),
        ("Cost", {"fields": ["cost_text", "cost_kind", ("cost_usd", "cost_per_country")]}),
        ("CAMI Programme of Work", {"fields": ["cami_pow_text", "cami_pow_measures"]}),
        ("Priority and notes", {"fields": ["priority", "source_note"]}),
    ]
    inlines = [ProgressEntryInline, CrossReferenceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("actors")

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, ProgressEntry) and not instance.reported_by_id:
                instance.reported_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    @admin.display(description="code", ordering="sort_key")
    def code_display(self, obj):
        return obj.code

    @admin.display(description="text", ordering="text")
    def short_text(self, obj):
        return short(obj.text)

    @admin.display(description="cost (USD)", ordering="cost_usd")
    def cost_display(self, obj):
        if obj.cost_usd is None:
            return None
        return f"{obj.cost_usd:,.0f}" + (" per country" if obj.cost_per_country else "")

    @admin.display(description="actors")
    def actor_names(self, obj):
        return names(obj.actors)


@admin.register(CrossReference)
class CrossReferenceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source", "strategy", "target"]
    list_select_related = [
        "from_activity__strategy",
        "from_result__strategy",
        "to_activity",
        "to_result",
        "to_objective__strategy",
    ]
    search_fields = ["code", "from_activity__code", "from_result__code"]
    list_filter = ["kind", ResolvedListFilter]
    autocomplete_fields = ["from_activity", "from_result", "to_activity", "to_result", "to_objective"]

    @admin.display(description="written in")
    def source(self, obj):
        return obj.from_activity or obj.from_result

    @admin.display(description="strategy")
    def strategy(self, obj):
        return (obj.from_activity or obj.from_result).strategy

    @admin.display(description="points at")
    def target(self, obj):
        return obj.target


@admin.register(FocalPoint)
class FocalPointAdmin(admin.ModelAdmin):
    list_display = ["user", "user_email", "range_state"]
    list_select_related = ["user", "range_state"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "range_state__name",
    ]
    list_filter = ["range_state"]
    autocomplete_fields = ["user", "range_state"]

    @admin.display(description="email", ordering="user__email")
    def user_email(self, obj):
        return obj.user.email


@admin.register(ProgressEntry)
class ProgressEntryAdmin(admin.ModelAdmin):
    list_display = [
        "activity",
        "strategy",
        "scope",
        "reporting_date",
        "status",
        "review_state",
        "reported_by",
        "updated_at",
    ]
    list_select_related = ["activity__strategy", "range_state", "reported_by"]
    search_fields = ["activity__code", "activity__text", "narrative", "range_state__name"]
    list_filter = [
        "status",
        "review_state",
        "activity__strategy",
        ("range_state", RangeWideListFilter),
        "reporting_date",
    ]
    date_hierarchy = "reporting_date"
    autocomplete_fields = ["activity", "range_state", "reported_by"]
    readonly_fields = ["created_at", "updated_at"]
    fields = [
        "activity",
        "range_state",
        "reporting_date",
        ("status", "review_state"),
        "narrative",
        "amount_spent_usd",
        "reported_by",
        ("created_at", "updated_at"),
    ]
    inlines = [EvidenceInline]

    def get_queryset(self, request):
        # An entry's name includes its activity and Range State, and autocomplete lists print it for
        # every row; as on ObjectiveAdmin, the changelist then needs the same joins here.
        return super().get_queryset(request).select_related(*self.list_select_related)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "reported_by":
            formfield.required = False
            formfield.help_text = "Leave empty to record yourself."
        return formfield

    def save_model(self, request, obj, form, change):
        if not change and not obj.reported_by_id:
            obj.reported_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="strategy", ordering="activity__strategy")
    def strategy(self, obj):
        return obj.activity.strategy

    @admin.display(description="Range State", ordering="range_state__name")
    def scope(self, obj):
        return obj.scope


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "url", "entry"]
    list_select_related = ["entry__activity", "entry__range_state"]
    search_fields = ["title", "url", "entry__activity__code"]
    list_filter = ["entry__activity__strategy", ("entry__range_state", RangeWideListFilter)]
    autocomplete_fields = ["entry"]
    formfield_overrides = HTTPS_URLS


# API tokens, webhooks and deliveries are registered beside the API that uses them.
from .api import admin as _api_admin  # noqa: E402, F401
