"""Translations of strategy content (activities/models/translations.py): the Secretariat adds them as
rows, one per language, below the source text they translate, which stays as it is. Each model's
admin shows its translations inline; the lists here show every translation, by language, for review."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from activities.models import (
    ActivityTranslation,
    MetapopulationTranslation,
    ObjectiveTranslation,
    ResultTranslation,
    StrategyTranslation,
    ThemeTranslation,
)

from .base import COMPACT_TEXT


class TranslationInline(admin.StackedInline):
    """The object's translations, one per language; the source text above stays untouched."""

    extra = 0
    formfield_overrides = COMPACT_TEXT
    verbose_name = _("translation")
    verbose_name_plural = _("translations (the source text above stays as it is)")


class StrategyTranslationInline(TranslationInline):
    model = StrategyTranslation


class ThemeTranslationInline(TranslationInline):
    model = ThemeTranslation


class ObjectiveTranslationInline(TranslationInline):
    model = ObjectiveTranslation


class ResultTranslationInline(TranslationInline):
    model = ResultTranslation


class ActivityTranslationInline(TranslationInline):
    model = ActivityTranslation


class MetapopulationTranslationInline(TranslationInline):
    model = MetapopulationTranslation


class TranslationAdmin(admin.ModelAdmin):
    """Every translation of one kind, filterable by language: for reviewing a translator's work."""

    list_display = ["master", "language_code"]
    list_select_related = ["master"]
    list_filter = ["language_code"]
    formfield_overrides = COMPACT_TEXT
    autocomplete_fields = ["master"]


@admin.register(StrategyTranslation)
class StrategyTranslationAdmin(TranslationAdmin):
    search_fields = ["master__title", "title_translated"]


@admin.register(ThemeTranslation)
class ThemeTranslationAdmin(TranslationAdmin):
    search_fields = ["master__title", "title_translated"]


@admin.register(ObjectiveTranslation)
class ObjectiveTranslationAdmin(TranslationAdmin):
    search_fields = ["master__text", "text_translated"]


@admin.register(ResultTranslation)
class ResultTranslationAdmin(TranslationAdmin):
    search_fields = ["master__code", "master__text", "text_translated"]


@admin.register(ActivityTranslation)
class ActivityTranslationAdmin(TranslationAdmin):
    search_fields = ["master__code", "master__text", "text_translated"]


@admin.register(MetapopulationTranslation)
class MetapopulationTranslationAdmin(TranslationAdmin):
    search_fields = ["master__name", "name_translated"]
