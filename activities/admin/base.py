"""What the admin modules share: compact widgets, list filters over several families, read-only rows,
and the bridge between the admin's save and the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from activities import services
from activities.models import Objective, ReportingRound

# Tabular inlines show long texts in two-line boxes rather than the default ten-line ones.
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}
# Evidence and webhooks are pasted from browsers; a bare "example.org/x" means https (Django 6's default).
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
        self.empty_value_display = gettext("Range-wide")


# --- history -------------------------------------------------------------------------------------


class HistoryWithoutRevertAdmin(SimpleHistoryAdmin):
    """The history pages, to read only. django-simple-history's "Revert" saves an old version through
    the change form (SIMPLE_HISTORY_REVERT_DISABLED only hides its button): past the workflow, and, for
    evidence, re-attaching the file of removed evidence, restricted or not. It is refused outright."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(_("Old versions are not restored; change the current one instead."))
        return super().history_form_view(request, object_id, version_id, extra_context)


# --- rows the services write --------------------------------------------------------------------


class ReadOnlyAdminMixin:
    """Rows written by services only: the admin lists and shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def adopt(obj, saved):
    """Make the admin's instance the row a service saved, so the admin's redirect, log entry and
    inlines use it (services build and return their own instances)."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


def service_action(description: str, service, argument: str, done: str):
    """An admin action that runs `service` on each selected row (passed as `argument`, with the acting
    user), then says `done`, in which %(count)s is the number of rows: an ngettext_lazy(singular, plural,
    "count"), so the sentence takes the plural form of the count in the user's language."""

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        for obj in queryset:
            service(user=request.user, **{argument: obj})
        modeladmin.message_user(request, done % {"count": len(queryset)}, messages.SUCCESS)

    return action


def error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


class ServiceErrorsAsMessagesMixin:
    """Saves go through services, which re-check everything under a row lock. A check that fails only
    there (someone else acted between the form's check and the save) rolls the whole admin save back
    and is shown as a message on the same page, instead of a server error. An evidence file that could
    not be stored after the commit is named in a message too."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        may_save = (
            self.has_add_permission(request) if object_id is None else self.has_change_permission(request)
        )
        if request.method != "POST" or not may_save:
            # The admin's own refusal (403) is not a service's: it is not turned into a message.
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
        except (services.EditConflict, PermissionDenied, ValidationError) as exc:
            message = gettext("Nothing was saved: %(reason)s") % {"reason": error_text(exc)}
            self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        # Evidence files are stored once the admin's transaction has committed; say which could not be.
        for name in services.evidence_files_not_stored():
            self.message_user(request, services.not_stored_message(name), messages.ERROR)
        return response
