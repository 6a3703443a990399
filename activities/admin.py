"""The Django admin, made for daily use by the Secretariat: every model, searchable and filterable,
with the logframe editable top-down through inlines (strategy → objectives → results → activities).

Progress and everything around it (rounds, evidence, delegations, links, snapshots) change only through
activities.services, so the admin obeys the same rules, conflicts and history as every other page;
rows that services maintain (statuses, reminders, snapshot statuses) are read-only here."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from . import permissions, services
from .models import (
    Activity,
    ActivityStateStatus,
    Actor,
    CrossReference,
    Delegation,
    Evidence,
    FocalPoint,
    Meeting,
    MeetingSnapshot,
    Metapopulation,
    NationalActionPlan,
    Objective,
    ProgressEntry,
    RangeState,
    ReminderSent,
    ReportingLink,
    ReportingRound,
    Result,
    SnapshotStatus,
    Strategy,
    Theme,
    WorkProgrammeMeasure,
)
from .permissions import Action

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


class ReportingRoundListFilter(admin.RelatedFieldListFilter):
    """Reporting rounds as choices; their names include the strategy, so join it in one query."""

    def field_choices(self, field, request, model_admin):
        rounds = ReportingRound.objects.select_related("strategy")
        return [(reporting_round.pk, str(reporting_round)) for reporting_round in rounds]


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


class ReadOnlyAdminMixin:
    """Rows written by services only: the admin lists and shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProgressEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    """An activity's progress, read-only: entries change through the workflow on their own page
    (ProgressEntryAdmin), never by editing rows here."""

    model = ProgressEntry
    fields = ["range_state", "reporting_date", "status", "review_state", "amount_spent_usd", "reported_by"]
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("range_state", "reported_by")


class EvidenceForm(forms.ModelForm):
    """A link or an uploaded file, checked as services.evidence_add checks it, so that a wrong file
    is reported next to the field instead of after the save."""

    url = forms.URLField(label="URL", max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Evidence
        fields = ["title", "url", "file", "restricted"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and isinstance(upload, UploadedFile):
            try:
                services.validate_evidence_file(upload)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["file"]) from exc
        return upload

    def clean(self):
        cleaned = super().clean()
        if "file" not in self.errors and bool(cleaned.get("url")) == bool(cleaned.get("file")):
            raise ValidationError("Give either a link or a file.")
        return cleaned


class EvidenceInline(admin.TabularInline):
    """Evidence is added and removed through services (type and size checks, history); existing rows
    are shown read-only."""

    model = Evidence
    form = EvidenceForm
    fields = ["title", "url", "file", "restricted", "content_type", "size"]
    readonly_fields = ["content_type", "size"]
    formfield_overrides = HTTPS_URLS
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False


class SnapshotStatusInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SnapshotStatus
    fields = ["activity", "range_state", "status", "reporting_date", "entry"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("activity", "range_state", "entry__activity", "entry__range_state")
            .order_by("activity__sort_key", "range_state__name")
        )


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


# --- the progress workflow ----------------------------------------------------------------------


def adopt(obj, saved):
    """Make the admin's instance the row a service saved, so the admin's redirect, log entry and
    inlines use it (services build and return their own instances)."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


def error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


class ServiceErrorsAsMessagesMixin:
    """Saves go through services, which re-check everything under a row lock. A check that fails only
    there (someone else acted between the form's check and the save) rolls the whole admin save back
    and is shown as a message on the same page, instead of a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (services.EditConflict, PermissionDenied, ValidationError) as exc:
            self.message_user(request, f"Nothing was saved: {error_text(exc)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(ReportingRound)
class ReportingRoundAdmin(ServiceErrorsAsMessagesMixin, admin.ModelAdmin):
    list_display = ["name", "strategy", "kind", "opens_on", "deadline", "closed_at", "entry_count"]
    list_select_related = ["strategy"]
    search_fields = ["name", "strategy__short_name", "strategy__title"]
    list_filter = ["strategy", "kind", ("closed_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "deadline"
    autocomplete_fields = ["strategy"]
    fields = ["strategy", "name", "kind", ("opens_on", "deadline"), "closed_at", "created_by"]
    readonly_fields = ["closed_at", "created_by"]
    actions = ["close_selected", "reopen_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_count=models.Count("progress_entries"))

    def get_readonly_fields(self, request, obj=None):
        # A round's strategy is fixed once entries may answer it.
        return [*self.readonly_fields, "strategy"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = {
            name: form.cleaned_data[name] for name in ["strategy", "name", "kind", "opens_on", "deadline"]
        }
        adopt(obj, services.reporting_round_open(user=request.user, **data))

    @admin.display(description="entries", ordering="entry_count")
    def entry_count(self, obj):
        return obj.entry_count

    @admin.action(description="Close selected rounds (their entries are locked)")
    def close_selected(self, request, queryset):
        for reporting_round in queryset:
            services.reporting_round_close(user=request.user, reporting_round=reporting_round)
        self.message_user(
            request, f"Closed {len(queryset)} round(s); their entries are locked.", messages.SUCCESS
        )

    @admin.action(description="Reopen selected rounds")
    def reopen_selected(self, request, queryset):
        for reporting_round in queryset:
            services.reporting_round_reopen(user=request.user, reporting_round=reporting_round)
        self.message_user(request, f"Reopened {len(queryset)} round(s).", messages.SUCCESS)


class ProgressEntryAdminForm(forms.ModelForm):
    """Content fields of a progress entry, plus what the edit service needs: the version the editor
    started from (a conflict is reported, never overwritten) and, for an approved entry, a reason."""

    reason = forms.CharField(
        label="Reason for the change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Required when changing an approved entry; it is kept in the history.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ProgressEntry
        fields = ["activity", "range_state", *services.EDITABLE_FIELDS]

    request = None  # set by ProgressEntryAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def content_changes(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in self.changed_data if name in services.EDITABLE_FIELDS
        }

    def clean(self):
        cleaned = super().clean()
        user = self.request.user
        if not self.instance.pk:
            activity = cleaned.get("activity")
            if activity is not None:
                new = ProgressEntry(activity=activity, range_state=cleaned.get("range_state"))
                if not permissions.allowed(user, Action.CREATE, new):
                    raise ValidationError(permissions.explain_denial(user, Action.CREATE, new))
            return cleaned
        current = ProgressEntry.objects.select_related(
            "activity__strategy", "range_state", "reporting_round"
        ).get(pk=self.instance.pk)
        if cleaned.get("expected_version") != current.version:
            who = current.history.first().history_user if current.history.exists() else None
            raise ValidationError(
                f"This entry was changed by {who or 'someone else'} while you were editing it. Your changes "
                "have not been saved: reload the page to see the current version, then apply them again."
            )
        if not self.content_changes():
            return cleaned
        if not permissions.allowed(user, Action.EDIT, current):
            raise ValidationError(permissions.explain_denial(user, Action.EDIT, current))
        if (
            current.review_state == ProgressEntry.ReviewState.APPROVED
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error(
                "reason", "Editing an approved entry requires a reason; it is kept in the history."
            )
        return cleaned


CONTENT_FIELDS = [
    "reporting_round",
    "reporting_date",
    ("status", "confidence"),
    "narrative",
    "source",
    "restricted_details",
    "amount_spent_usd",
]
WORKFLOW_FIELDS = [
    "review_state",
    "review_comment",
    ("reported_by", "first_submitted_at"),
    ("submitted_by", "submitted_at"),
    ("reviewed_by", "reviewed_at"),
    "version",
    ("created_at", "updated_at"),
]


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ServiceErrorsAsMessagesMixin, SimpleHistoryAdmin):
    """Progress entries through the workflow services: adding creates a draft reported by you,
    changing goes through the edit service (conflicts, reasons, locked rounds), and "Approve selected"
    approves in bulk. The history (who changed what, when and why) is under "History"."""

    form = ProgressEntryAdminForm
    list_display = [
        "activity",
        "strategy",
        "scope",
        "reporting_date",
        "status",
        "review_state",
        "reporting_round",
        "reported_by",
        "updated_at",
    ]
    list_select_related = ["activity__strategy", "range_state", "reporting_round__strategy", "reported_by"]
    search_fields = ["activity__code", "activity__text", "narrative", "range_state__name"]
    list_filter = [
        "review_state",
        "status",
        "activity__strategy",
        ("range_state", RangeWideListFilter),
        ("reporting_round", ReportingRoundListFilter),
        "reporting_date",
    ]
    date_hierarchy = "reporting_date"
    autocomplete_fields = ["activity", "range_state", "reporting_round"]
    readonly_fields = [
        "review_state",
        "review_comment",
        "reported_by",
        "submitted_by",
        "submitted_at",
        "first_submitted_at",
        "reviewed_by",
        "reviewed_at",
        "version",
        "created_at",
        "updated_at",
    ]
    history_list_display = ["review_state", "status"]
    inlines = [EvidenceInline]
    actions = ["approve_selected"]

    def get_queryset(self, request):
        # An entry's name includes its activity and Range State, and autocomplete lists print it for
        # every row; as on ObjectiveAdmin, the changelist then needs the same joins here.
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["activity", "range_state", *CONTENT_FIELDS]})]
        return [
            (None, {"fields": ["activity", "range_state", *CONTENT_FIELDS, "reason", "expected_version"]}),
            ("Workflow", {"fields": WORKFLOW_FIELDS}),
        ]

    def get_readonly_fields(self, request, obj=None):
        # What an entry is about is fixed; report on another activity or state as a new entry.
        return [*self.readonly_fields, "activity", "range_state"] if obj else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def get_actions(self, request):
        # Deleting approved entries would silently change reported statuses; the workflow has no delete.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.review_state == ProgressEntry.ReviewState.APPROVED:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            adopt(obj, services.progress_entry_create(user=request.user, **data))
            return
        changes = form.content_changes()
        if changes:
            saved = services.progress_entry_update(
                user=request.user,
                entry=obj,
                expected_version=form.cleaned_data["expected_version"],
                reason=form.cleaned_data["reason"],
                **changes,
            )
            adopt(obj, saved)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Evidence:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for evidence in formset.deleted_objects:
            services.evidence_remove(user=request.user, evidence=evidence)
        for evidence_form in formset.extra_forms:
            if evidence_form.has_changed() and not formset._should_delete_form(evidence_form):
                data = evidence_form.cleaned_data
                services.evidence_add(
                    user=request.user,
                    entry=form.instance,
                    title=data.get("title", ""),
                    url=data.get("url", ""),
                    file=data.get("file") or None,
                    restricted=data.get("restricted", False),
                )

    def delete_model(self, request, obj):
        obj._history_user = request.user
        super().delete_model(request, obj)

    @admin.action(description="Approve selected progress entries")
    def approve_selected(self, request, queryset):
        result = services.progress_entries_bulk_approve(user=request.user, entries=queryset)
        if result.approved:
            self.message_user(request, f"Approved {len(result.approved)} progress entries.", messages.SUCCESS)
        for entry, reason in result.refused:
            self.message_user(request, f"Not approved: {entry}: {reason}", messages.WARNING)

    @admin.display(description="strategy", ordering="activity__strategy")
    def strategy(self, obj):
        return obj.activity.strategy

    @admin.display(description="Range State", ordering="range_state__name")
    def scope(self, obj):
        return obj.scope


@admin.register(Evidence)
class EvidenceAdmin(ServiceErrorsAsMessagesMixin, SimpleHistoryAdmin):
    """Evidence is added (type and size checked) and removed through services; it is not edited."""

    form = EvidenceForm
    list_display = ["__str__", "kind", "restricted", "entry", "added_by", "created_at"]
    list_select_related = ["entry__activity", "entry__range_state", "added_by"]
    search_fields = ["title", "url", "file", "entry__activity__code"]
    list_filter = [
        "restricted",
        "entry__activity__strategy",
        ("entry__range_state", RangeWideListFilter),
        ("file", admin.EmptyFieldListFilter),
    ]
    autocomplete_fields = ["entry"]
    formfield_overrides = HTTPS_URLS
    readonly_fields = ["content_type", "size", "added_by", "created_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["entry", "title", "url", "file", "restricted"]
        return [
            "entry",
            "title",
            "url",
            "file",
            "restricted",
            "content_type",
            "size",
            "added_by",
            "created_at",
        ]

    def has_change_permission(self, request, obj=None):
        # Shown read-only once added: replace evidence by removing it and adding another.
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.evidence_add(
            user=request.user,
            entry=data["entry"],
            title=data.get("title", ""),
            url=data.get("url", ""),
            file=data.get("file") or None,
            restricted=data.get("restricted", False),
        )
        adopt(obj, saved)

    def delete_model(self, request, obj):
        services.evidence_remove(user=request.user, evidence=obj)

    @admin.display(description="kind")
    def kind(self, obj):
        return f"file ({obj.content_type})" if obj.is_file else "link"


@admin.register(ActivityStateStatus)
class ActivityStateStatusAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The latest approved status per activity and Range State, maintained by the approval service."""

    list_display = ["activity", "strategy", "scope", "status", "reporting_date", "approved_at", "entry_id"]
    list_select_related = ["activity__strategy", "range_state"]
    search_fields = ["activity__code", "activity__text", "range_state__name"]
    list_filter = ["status", "activity__strategy", ("range_state", RangeWideListFilter)]

    @admin.display(description="strategy", ordering="activity__strategy")
    def strategy(self, obj):
        return obj.activity.strategy

    @admin.display(description="Range State", ordering="range_state__name")
    def scope(self, obj):
        return obj.range_state or "Range-wide"


class DelegationAdminForm(forms.ModelForm):
    class Meta:
        model = Delegation
        fields = ["delegate", "range_state", "activity", "objective"]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("activity")) == bool(cleaned.get("objective")):
            raise ValidationError("Delegate either one activity or one objective.")
        return cleaned


@admin.register(Delegation)
class DelegationAdmin(ServiceErrorsAsMessagesMixin, admin.ModelAdmin):
    """Delegations are granted and revoked through services; a grant is never edited afterwards."""

    list_display = ["delegate", "scope", "range_state", "granted_by", "created_at", "revoked_at"]
    list_select_related = ["delegate", "granted_by", "range_state", "activity", "objective__strategy"]
    search_fields = ["delegate__username", "delegate__email", "range_state__name", "activity__code"]
    list_filter = ["range_state", ("revoked_at", admin.EmptyFieldListFilter)]
    autocomplete_fields = ["delegate", "range_state", "activity", "objective"]
    form = DelegationAdminForm
    actions = ["revoke_selected"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["delegate", "range_state", "activity", "objective"]
        return ["delegate", "range_state", "activity", "objective", "granted_by", "created_at", "revoked_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name] for name in ["delegate", "range_state", "activity", "objective"]
        }
        adopt(obj, services.delegation_grant(user=request.user, **data))

    @admin.display(description="activity or objective")
    def scope(self, obj):
        return obj.activity or obj.objective

    @admin.action(description="Revoke selected delegations")
    def revoke_selected(self, request, queryset):
        for delegation in queryset:
            services.delegation_revoke(user=request.user, delegation=delegation)
        self.message_user(request, f"Revoked {len(queryset)} delegation(s).", messages.SUCCESS)


@admin.register(ReportingLink)
class ReportingLinkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Links are made on the focal point's page (the token is shown once); here they are listed and
    withdrawn. Only a hash of the token is stored, and it is not shown."""

    list_display = [
        "user",
        "range_state",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_select_related = ["user", "range_state", "created_by"]
    search_fields = ["user__username", "user__email", "range_state__name"]
    list_filter = ["range_state", ("revoked_at", admin.EmptyFieldListFilter), "expires_at"]
    fields = ["user", "range_state", "created_by", "created_at", "expires_at", "last_used_at", "revoked_at"]
    actions = ["revoke_selected"]

    @admin.action(description="Withdraw selected reporting links")
    def revoke_selected(self, request, queryset):
        for link in queryset:
            services.reporting_link_revoke(user=request.user, link=link)
        self.message_user(request, f"Withdrew {len(queryset)} link(s).", messages.SUCCESS)


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sent_on", "user", "reporting_round"]
    list_select_related = ["user", "reporting_round__strategy"]
    search_fields = ["user__username", "user__email", "reporting_round__name"]
    list_filter = ["sent_on", ("reporting_round", ReportingRoundListFilter)]
    date_hierarchy = "sent_on"


@admin.register(MeetingSnapshot)
class MeetingSnapshotAdmin(ServiceErrorsAsMessagesMixin, admin.ModelAdmin):
    """A strategy's statuses "as presented to" a meeting, taken by services.meeting_snapshot_take;
    only the note may change afterwards."""

    list_display = ["strategy", "meeting", "taken_at", "taken_by", "status_count"]
    list_select_related = ["strategy", "meeting", "taken_by"]
    search_fields = ["meeting__name", "strategy__short_name", "strategy__title", "note"]
    list_filter = ["strategy", "meeting"]
    autocomplete_fields = ["meeting", "strategy"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(status_count=models.Count("statuses"))

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["meeting", "strategy", "note"]
        return ["meeting", "strategy", "note", "taken_at", "taken_by"]

    def get_readonly_fields(self, request, obj=None):
        return ["meeting", "strategy", "taken_at", "taken_by"] if obj else []

    def get_inlines(self, request, obj):
        return [SnapshotStatusInline] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = {name: form.cleaned_data[name] for name in ["meeting", "strategy", "note"]}
        adopt(obj, services.meeting_snapshot_take(user=request.user, **data))

    @admin.display(description="statuses", ordering="status_count")
    def status_count(self, obj):
        return obj.status_count


@admin.register(SnapshotStatus)
class SnapshotStatusAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["activity", "scope", "status", "reporting_date", "snapshot"]
    list_select_related = ["activity", "range_state", "snapshot__meeting", "snapshot__strategy"]
    search_fields = ["activity__code", "snapshot__meeting__name"]
    list_filter = ["status", "snapshot__strategy", "snapshot__meeting"]

    @admin.display(description="Range State", ordering="range_state__name")
    def scope(self, obj):
        return obj.range_state or "Range-wide"


# API tokens, webhooks and deliveries are registered beside the API that uses them.
from .api import admin as _api_admin  # noqa: E402, F401
