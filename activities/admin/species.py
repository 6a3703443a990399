"""Admin for species: their synonyms and common names (inline, in the source's order), and which
strategies and National Action Plans concern them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from activities.models import CommonName, Species, SpeciesSynonym

from .base import names


class SpeciesSynonymInline(admin.TabularInline):
    model = SpeciesSynonym
    fields = ["position", "scientific_name", "as_written", "reference", "source_note"]
    extra = 0


class CommonNameInline(admin.TabularInline):
    model = CommonName
    fields = ["position", "language", "language_code", "name"]
    extra = 0


class StrategySpeciesInline(admin.TabularInline):
    """On a strategy's page: the species it concerns."""

    model = Species.strategies.through
    autocomplete_fields = ["species"]
    verbose_name = _("species concerned")
    verbose_name_plural = _("species concerned")
    extra = 0


class PlanSpeciesInline(admin.TabularInline):
    """On a National Action Plan's page: the species it concerns."""

    model = Species.national_action_plans.through
    autocomplete_fields = ["species"]
    verbose_name = _("species concerned")
    verbose_name_plural = _("species concerned")
    extra = 0


@admin.register(Species)
class SpeciesAdmin(admin.ModelAdmin):
    list_display = ["common_name", "scientific_name", "rank", "parent", "red_list_category", "strategy_names"]
    list_select_related = ["parent"]
    search_fields = [
        "common_name",
        "scientific_name",
        "slug",
        "synonyms__scientific_name",
        "common_names__name",
    ]
    list_filter = ["rank", "red_list_category", "strategies"]
    prepopulated_fields = {"slug": ["common_name"]}
    autocomplete_fields = ["parent", "strategies", "national_action_plans"]
    inlines = [SpeciesSynonymInline, CommonNameInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("strategies")

    @admin.display(description=_("strategies"))
    def strategy_names(self, obj):
        return names(obj.strategies)


@admin.register(SpeciesSynonym)
class SpeciesSynonymAdmin(admin.ModelAdmin):
    list_display = ["scientific_name", "species", "as_written", "reference"]
    list_select_related = ["species"]
    search_fields = ["scientific_name", "as_written", "species__common_name"]
    list_filter = ["species"]
    autocomplete_fields = ["species"]


@admin.register(CommonName)
class CommonNameAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "language_code", "species"]
    list_select_related = ["species"]
    search_fields = ["name", "language", "species__common_name"]
    list_filter = ["species", "language"]
    autocomplete_fields = ["species"]
