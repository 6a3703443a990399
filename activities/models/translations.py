"""Translations of strategy content, added by the Secretariat: django-parler's translation tables.

The source texts stay where they are (Strategy.title, Objective.text, Activity.text, …), in the language
of their source document, exactly as seeded: a translation is a row here, one per object and language,
never a change to the source. Adding a language needs no migration (a row's language is data).

Each translated field is named after its source field with `_translated` (parler puts a field of the
translation table on the shared model under its own name, so it may not reuse the source field's name).
Pages read them through activities.content.localized(), which falls back to the source and says so, and
prefetch them with translation_prefetches(): the active language's rows only, one query per model, none
when the active language is the source's."""

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from parler.fields import TranslationsForeignKey
from parler.models import TranslatedFieldsModel

from .activity import Activity
from .logframe import Objective, Result, Strategy, Theme
from .regional import Metapopulation


class StrategyTranslation(TranslatedFieldsModel):
    """A strategy's title, short name, vision and goal in another language."""

    master = TranslationsForeignKey(Strategy, on_delete=models.CASCADE, related_name="translations")
    title_translated = models.CharField(_("title"), max_length=300, blank=True)
    short_name_translated = models.CharField(_("short name"), max_length=80, blank=True)
    vision_translated = models.TextField(_("vision"), blank=True)
    goal_translated = models.TextField(_("goal"), blank=True)

    class Meta:
        db_table = "activities_strategy_translation"
        verbose_name = _("strategy translation")
        unique_together = [("language_code", "master")]


class ThemeTranslation(TranslatedFieldsModel):
    """A theme's title in another language."""

    master = TranslationsForeignKey(Theme, on_delete=models.CASCADE, related_name="translations")
    title_translated = models.CharField(_("title"), max_length=300, blank=True)

    class Meta:
        db_table = "activities_theme_translation"
        verbose_name = _("theme translation")
        unique_together = [("language_code", "master")]


class ObjectiveTranslation(TranslatedFieldsModel):
    """An objective's text in another language."""

    master = TranslationsForeignKey(Objective, on_delete=models.CASCADE, related_name="translations")
    text_translated = models.TextField(_("text"), blank=True)

    class Meta:
        db_table = "activities_objective_translation"
        verbose_name = _("objective translation")
        unique_together = [("language_code", "master")]


class ResultTranslation(TranslatedFieldsModel):
    """A result's text in another language."""

    master = TranslationsForeignKey(Result, on_delete=models.CASCADE, related_name="translations")
    text_translated = models.TextField(_("text"), blank=True)

    class Meta:
        db_table = "activities_result_translation"
        verbose_name = _("result translation")
        unique_together = [("language_code", "master")]


class ActivityTranslation(TranslatedFieldsModel):
    """An activity's text and indicator in another language."""

    master = TranslationsForeignKey(Activity, on_delete=models.CASCADE, related_name="translations")
    text_translated = models.TextField(_("text"), blank=True)
    indicator_translated = models.TextField(_("indicator"), blank=True)

    class Meta:
        db_table = "activities_activity_translation"
        verbose_name = _("activity translation")
        unique_together = [("language_code", "master")]


class MetapopulationTranslation(TranslatedFieldsModel):
    """A metapopulation's name (the strategy's own, e.g. "Caucasus") in another language."""

    master = TranslationsForeignKey(Metapopulation, on_delete=models.CASCADE, related_name="translations")
    name_translated = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        db_table = "activities_metapopulation_translation"
        verbose_name = _("metapopulation translation")
        unique_together = [("language_code", "master")]


def _touch_master(sender, instance, **kwargs):
    """A translation saved or deleted moves its object's updated_at: pages and API answers keyed by a
    change marker (activities.changes) read it there. A signal rather than a service, because the
    admin's inlines and its bulk delete are the writers, and a queryset delete() calls no delete()."""
    master = type(instance).master.field.related_model
    master.objects.filter(pk=instance.master_id).update(updated_at=timezone.now())


for _model in (
    StrategyTranslation,
    ThemeTranslation,
    ObjectiveTranslation,
    ResultTranslation,
    ActivityTranslation,
):  # (metapopulations have no updated_at, and no marker reads them)
    post_save.connect(_touch_master, sender=_model, dispatch_uid=f"touch-master-{_model.__name__}")
    post_delete.connect(_touch_master, sender=_model, dispatch_uid=f"touch-master-{_model.__name__}")
