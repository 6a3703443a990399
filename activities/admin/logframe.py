"""Admin for the strategy as adopted: strategies with their themes, objectives, results and activities
(editable top-down through inlines), actors, CAMI Programme of Work measures and cross-references."""

from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from activities.models import (
    Activity,
    Actor,
    CrossReference,
    Objective,
    RangeState,
    Result,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)
from activities.numbers import Numbers

from .base import COMPACT_TEXT, ObjectiveListFilter, names, short
from .progress import ProgressEntryInline
from .regional import MetapopulationInline, NationalActionPlanInline
from .species import StrategySpeciesInline
from .translations import (
    ActivityTranslationInline,
    ObjectiveTranslationInline,
    ResultTranslationInline,
    StrategyTranslationInline,
    ThemeTranslationInline,
)

# --- list filters -------------------------------------------------------------------------------


class ProgressInRangeStateListFilter(admin.SimpleListFilter):
    title = _("progress reported in Range State")
    parameter_name = "range_state"

    def lookups(self, request, model_admin):
        return list(RangeState.objects.values_list("pk", "name"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.with_progress_in(self.value())
        return queryset


class DeadlineListFilter(admin.SimpleListFilter):
    """Due year against the current year: past, this year, later or open-ended (the due year alone; "behind
    the plan's timeline", which also asks whether the activity is complete, is the timeline report's)."""

    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        year = timezone.localdate().year
        return [
            ("past", gettext("Due year passed (before %(year)s)") % {"year": year}),
            ("this_year", gettext("Due in %(year)s") % {"year": year}),
            ("later", gettext("Due after %(year)s") % {"year": year}),
            ("none", gettext("No due year")),
        ]

    def queryset(self, request, queryset):
        year = timezone.localdate().year
        match self.value():
            case "past":
                return queryset.due_before(year)
            case "this_year":
                return queryset.filter(due_year=year)
            case "later":
                return queryset.filter(due_year__gt=year)
            case "none":
                return queryset.filter(due_year__isnull=True)
        return queryset


class ResolvedListFilter(admin.SimpleListFilter):
    title = _("resolved")
    parameter_name = "resolved"
    unresolved = models.Q(to_activity__isnull=True, to_result__isnull=True, to_objective__isnull=True)

    def lookups(self, request, model_admin):
        return [("yes", gettext("Resolved")), ("no", gettext("Unresolved (the source has no such code)"))]

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
    verbose_name = _("cross-reference in the text")
    extra = 0


# --- model admins -------------------------------------------------------------------------------


class CodeAndTextColumns:
    """The code and text columns of logframe items: codes sort in logframe order (sort_key:
    1.1.1.a < 1.1.2 < 1.10.1), long texts are cut short."""

    @admin.display(description=_("code"), ordering="sort_key")
    def code_display(self, obj):
        return obj.code

    @admin.display(description=_("text"), ordering="text")
    def short_text(self, obj):
        return short(obj.text)


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["short_name", "title", "period_display", "version", "adopted_at", "activity_count"]
    list_select_related = ["adopted_at"]
    search_fields = ["title", "short_name", "slug", "document_symbol"]
    list_filter = ["adopted_at", "period_start"]
    prepopulated_fields = {"slug": ["short_name"]}
    autocomplete_fields = ["adopted_at", "range_states", "supersedes"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "short_name",
                    "slug",
                    ("period_start", "period_end"),
                    "version",
                    "supersedes",
                ]
            },
        ),
        (_("Adoption"), {"fields": ["adopted_at", "adoption_note", "document_symbol"]}),
        (_("Content"), {"fields": ["vision", "goal", "range_states"]}),
        (
            pgettext_lazy("where a text comes from", "Source"),
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
    inlines = [
        StrategyTranslationInline,
        ThemeInline,
        ObjectiveInline,
        MetapopulationInline,
        NationalActionPlanInline,
        StrategySpeciesInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(activity_count=models.Count("activities"))

    @admin.display(description=_("activities"), ordering="activity_count")
    def activity_count(self, obj):
        return obj.activity_count

    @admin.display(description=_("period"))
    def period_display(self, obj):
        return obj.period


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    inlines = [ThemeTranslationInline]
    list_display = ["number", "title", "strategy"]
    list_display_links = ["number", "title"]
    list_select_related = ["strategy"]
    search_fields = ["title"]
    list_filter = ["strategy"]
    autocomplete_fields = ["strategy"]


@admin.register(Objective)
class ObjectiveAdmin(CodeAndTextColumns, admin.ModelAdmin):
    list_display = ["number", "short_text", "strategy", "theme"]
    list_display_links = ["number", "short_text"]
    list_select_related = ["strategy", "theme"]
    search_fields = ["text", "strategy__short_name"]
    list_filter = ["strategy", "theme"]
    autocomplete_fields = ["strategy", "theme"]
    inlines = [ObjectiveTranslationInline, ResultInline]

    def get_queryset(self, request):
        # An objective's name includes its strategy, and autocomplete lists (which ignore
        # list_select_related) print it for every row. A changelist whose queryset already has a
        # select_related skips list_select_related, so join the same list here.
        return super().get_queryset(request).select_related(*self.list_select_related)


@admin.register(Result)
class ResultAdmin(CodeAndTextColumns, admin.ModelAdmin):
    list_display = ["code_display", "short_text", "objective_number", "strategy"]
    list_select_related = ["strategy", "objective"]
    search_fields = ["^code", "text"]
    list_filter = ["strategy", ("objective", ObjectiveListFilter)]
    fields = ["objective", "code", "text", "strategy", "sort_key"]
    readonly_fields = ["strategy", "sort_key"]
    autocomplete_fields = ["objective"]
    inlines = [ResultTranslationInline, ActivityInline]

    @admin.display(description=_("objective"), ordering="objective__number")
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
class WorkProgrammeMeasureAdmin(CodeAndTextColumns, admin.ModelAdmin):
    list_display = ["code_display", "short_title"]
    list_select_related = False  # no foreign-key columns
    search_fields = ["^code", "title"]
    # Measures the seeded sources cite without quoting have no title yet.
    list_filter = [("title", admin.EmptyFieldListFilter)]
    readonly_fields = ["sort_key"]

    @admin.display(description=_("title"), ordering="title")
    def short_title(self, obj):
        return short(obj.title, 120)


@admin.register(Activity)
class ActivityAdmin(CodeAndTextColumns, admin.ModelAdmin):
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
        (_("Actors"), {"fields": ["actors_text", "actors_continued", "actors"]}),
        (
            _("Timeline"),
            {"fields": ["timeline_text", "timeline_kind", ("start_year", "due_year"), "recurrence_years"]},
        ),
        (_("Cost"), {"fields": ["cost_text", "cost_kind", ("cost_usd", "cost_per_country")]}),
        (_("CAMI Programme of Work"), {"fields": ["cami_pow_text", "cami_pow_measures"]}),
        (_("Priority and notes"), {"fields": ["priority", "source_note"]}),
    ]
    inlines = [ActivityTranslationInline, ProgressEntryInline, CrossReferenceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("actors")

    @admin.display(description=_("cost (USD)"), ordering="cost_usd")
    def cost_display(self, obj):
        if obj.cost_usd is None:
            return None
        amount = Numbers().usd(obj.cost_usd)  # as the pages and reports write it
        if obj.cost_per_country:
            # Translators: an activity's estimated cost in the admin's list, e.g. "10,000 per country".
            return gettext("%(amount)s per country") % {"amount": amount}
        return amount

    @admin.display(description=_("actors"))
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

    @admin.display(description=_("written in"))
    def source(self, obj):
        return obj.from_activity or obj.from_result

    @admin.display(description=_("strategy"))
    def strategy(self, obj):
        return (obj.from_activity or obj.from_result).strategy

    @admin.display(description=_("points at"))
    def target(self, obj):
        return obj.target
