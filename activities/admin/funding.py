"""Admin for funding: organisations, programmes (with their outputs and links inline) and grants (with
their activity lines inline; a line for a per-country cost names its Range State, and the lines never
add up to more than the grant)."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from activities.models import Grant, GrantActivity, Organisation, Programme, ProgrammeLink, ProgrammeOutput

from .base import COMPACT_TEXT, names


class ProgrammeOutputInline(admin.TabularInline):
    model = ProgrammeOutput
    fields = ["number", "text"]
    formfield_overrides = COMPACT_TEXT
    extra = 0


class ProgrammeLinkInline(admin.TabularInline):
    model = ProgrammeLink
    fk_name = "source"
    fields = ["relation", "target", "source_text"]
    autocomplete_fields = ["target"]
    formfield_overrides = COMPACT_TEXT
    extra = 0


class GrantLinesFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        total = self.instance.amount_usd
        if total is None or any(form.errors for form in self.forms):
            return
        committed = sum(
            (form.cleaned_data.get("amount_usd") or Decimal(0))
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        )
        if committed > total:
            raise ValidationError(
                _("The lines commit %(committed)s USD, more than the grant's %(total)s USD.")
                % {"committed": committed, "total": total}
            )


class GrantActivityInline(admin.TabularInline):
    model = GrantActivity
    formset = GrantLinesFormSet
    fields = ["activity", "range_state", "amount_usd"]
    autocomplete_fields = ["activity", "range_state"]
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    list_select_related = False  # no foreign-key columns
    search_fields = ["name", "slug", "description"]
    list_filter = ["programme_memberships"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "managed_by", "period_text", "species_names"]
    list_select_related = ["managed_by"]
    search_fields = ["name", "short_name", "slug", "overview"]
    list_filter = ["kind", "species", "range_states"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["managed_by", "donors", "members_and_partners", "species", "range_states"]
    inlines = [ProgrammeOutputInline, ProgrammeLinkInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("species")

    @admin.display(description=_("target species"))
    def species_names(self, obj):
        return names(obj.species)


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "programme",
        "donor",
        "grantee",
        "amount_usd",
        "starts_on",
        "ends_on",
        "state_names",
    ]
    list_select_related = ["programme", "donor", "grantee"]
    search_fields = ["title", "slug", "note", "grantee__name", "donor__name"]
    list_filter = ["programme", "range_states", "species"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["programme", "donor", "grantee", "range_states", "species"]
    inlines = [GrantActivityInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("range_states")

    @admin.display(description=_("Range States"))
    def state_names(self, obj):
        return names(obj.range_states)


@admin.register(GrantActivity)
class GrantActivityAdmin(admin.ModelAdmin):
    list_display = ["grant", "activity", "strategy", "range_state", "amount_usd"]
    list_select_related = ["grant", "activity__strategy", "range_state"]
    search_fields = ["grant__title", "activity__code", "activity__text"]
    list_filter = ["activity__strategy", "range_state"]
    autocomplete_fields = ["grant", "activity", "range_state"]

    @admin.display(description=_("strategy"), ordering="activity__strategy__short_name")
    def strategy(self, obj):
        return obj.activity.strategy


@admin.register(ProgrammeOutput)
class ProgrammeOutputAdmin(admin.ModelAdmin):
    list_display = ["__str__", "text", "programme"]
    list_select_related = ["programme"]
    search_fields = ["text", "programme__name"]
    list_filter = ["programme"]
    autocomplete_fields = ["programme"]


@admin.register(ProgrammeLink)
class ProgrammeLinkAdmin(admin.ModelAdmin):
    list_display = ["source", "relation", "target"]
    list_select_related = ["source", "target"]
    search_fields = ["source__name", "target__name", "source_text"]
    list_filter = ["relation"]
    autocomplete_fields = ["source", "target"]
