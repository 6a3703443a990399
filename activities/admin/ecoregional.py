"""Admin for ecoregional conservation plans (ECP 2020): their landscapes and thematic areas inline, and
the landscapes' tags on activities (progress entries are tagged through their own forms)."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from activities.models import EcoregionalMeasure, EcoregionalPlan, Landscape, ThematicArea

from .base import COMPACT_TEXT, short


class LandscapeInline(admin.TabularInline):
    model = Landscape
    fields = ["kind", "code", "name"]
    show_change_link = True
    extra = 0


class ThematicAreaInline(admin.TabularInline):
    model = ThematicArea
    fields = ["letter", "title"]
    formfield_overrides = COMPACT_TEXT
    show_change_link = True
    extra = 0


class EcoregionalMeasureInline(admin.TabularInline):
    model = EcoregionalMeasure
    fields = ["kind", "code", "text"]
    formfield_overrides = COMPACT_TEXT
    extra = 0


@admin.register(EcoregionalPlan)
class EcoregionalPlanAdmin(admin.ModelAdmin):
    list_display = ["short_name", "title", "area_km2", "targets_year", "actions_year", "landscape_count"]
    list_select_related = False  # no foreign-key columns
    search_fields = ["title", "short_name", "slug"]
    list_filter = ["targets_year"]
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [LandscapeInline, ThematicAreaInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(landscape_count=Count("landscapes"))

    @admin.display(description=_("landscapes"), ordering="landscape_count")
    def landscape_count(self, obj):
        return obj.landscape_count


@admin.register(Landscape)
class LandscapeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "plan", "activity_count", "progress_entry_count"]
    list_display_links = ["code", "name"]
    list_select_related = ["plan"]
    search_fields = ["code", "name"]
    list_filter = ["plan", "kind"]
    autocomplete_fields = ["plan", "activities"]
    fields = ["plan", "kind", "code", "name", "activities"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_tag_counts()

    @admin.display(description=_("activities tagged"), ordering="activity_count")
    def activity_count(self, obj):
        return obj.activity_count

    @admin.display(description=_("progress entries tagged"), ordering="progress_entry_count")
    def progress_entry_count(self, obj):
        return obj.progress_entry_count


@admin.register(ThematicArea)
class ThematicAreaAdmin(admin.ModelAdmin):
    list_display = ["letter", "short_title", "plan"]
    list_select_related = ["plan"]
    search_fields = ["title"]
    list_filter = ["plan"]
    autocomplete_fields = ["plan"]
    inlines = [EcoregionalMeasureInline]

    @admin.display(description=_("title"), ordering="title")
    def short_title(self, obj):
        return short(obj.title)


@admin.register(EcoregionalMeasure)
class EcoregionalMeasureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "short_text", "thematic_area"]
    list_select_related = ["thematic_area__plan"]
    search_fields = ["code", "text"]
    list_filter = ["kind", "thematic_area__plan"]
    autocomplete_fields = ["thematic_area"]

    @admin.display(description=_("text"), ordering="text")
    def short_text(self, obj):
        return short(obj.text)
