"""Admin for the regional picture around a strategy: meetings, Range States, metapopulations and
national action plans."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from activities.models import Meeting, Metapopulation, NationalActionPlan, RangeState

from .base import names
from .meetings import MeetingDayInline, MeetingDocumentInline
from .species import PlanSpeciesInline
from .translations import MetapopulationTranslationInline


class MetapopulationInline(admin.TabularInline):
    model = Metapopulation
    fields = ["number", "name", "range_states"]
    autocomplete_fields = ["range_states"]
    extra = 0


class NationalActionPlanInline(admin.TabularInline):
    model = NationalActionPlan
    fields = [
        "range_state",
        "kind",
        "title",
        "slug",
        "period_start",
        "period_end",
        "year_developed",
        "supersedes",
    ]
    autocomplete_fields = ["range_state", "supersedes"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "place", "year", "start_date", "end_date", "document_symbol"]
    list_select_related = False  # no foreign-key columns
    search_fields = ["name", "place", "document_symbol", "slug"]
    list_filter = ["kind", "year"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MeetingDayInline, MeetingDocumentInline]


@admin.register(RangeState)
class RangeStateAdmin(admin.ModelAdmin):
    list_display = ["name", "iso_code", "strategy_names"]
    list_select_related = False  # no foreign-key columns; strategies are prefetched
    search_fields = ["name", "iso_code"]
    list_filter = ["strategies"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("strategies")

    @admin.display(description=_("strategies"))
    def strategy_names(self, obj):
        return names(obj.strategies)


@admin.register(Metapopulation)
class MetapopulationAdmin(admin.ModelAdmin):
    inlines = [MetapopulationTranslationInline]
    list_display = ["name", "number", "strategy", "range_state_names"]
    list_select_related = ["strategy"]
    search_fields = ["name", "range_states__name"]
    list_filter = ["strategy", "range_states"]
    autocomplete_fields = ["strategy", "range_states"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("range_states")

    @admin.display(description=_("Range States"))
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
        "supersedes",
    ]
    list_select_related = ["range_state", "strategy", "supersedes"]
    search_fields = ["title", "slug", "range_state__name", "note"]
    list_filter = ["strategy", "kind", "range_state", "species"]
    autocomplete_fields = ["strategy", "range_state", "supersedes"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PlanSpeciesInline]
