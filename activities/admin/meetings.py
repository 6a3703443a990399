"""Admin for what happens at meetings: their days and agenda items (with times, documents and expected
outcomes), their documents by symbol, and reviews of National Action Plans held at them. The Meeting
admin itself (regional.py) shows the days and documents inline."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from activities.models import AgendaItem, MeetingDay, MeetingDocument, PlanReview

from .base import COMPACT_TEXT, names, short


class MeetingDayInline(admin.TabularInline):
    model = MeetingDay
    fields = ["date", "hours"]
    show_change_link = True
    extra = 0


class MeetingDocumentInline(admin.TabularInline):
    model = MeetingDocument
    fk_name = "meeting"
    fields = ["symbol", "title", "kind", "revises", "strategy"]
    autocomplete_fields = ["revises", "strategy"]
    show_change_link = True
    extra = 0


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ["position", "kind", "number", "title", "time_text", "starts_at", "ends_at", "parent"]
    formfield_overrides = COMPACT_TEXT
    show_change_link = True
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A sub-item's item is on the same day; the day is the page's.
        if (
            db_field.name == "parent"
            and request.resolver_match
            and request.resolver_match.kwargs.get("object_id")
        ):
            kwargs["queryset"] = AgendaItem.objects.filter(day_id=request.resolver_match.kwargs["object_id"])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(MeetingDay)
class MeetingDayAdmin(admin.ModelAdmin):
    list_display = ["date", "meeting", "hours", "item_count"]
    list_select_related = ["meeting"]
    search_fields = ["meeting__name", "hours"]
    list_filter = ["meeting"]
    autocomplete_fields = ["meeting"]
    inlines = [AgendaItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(description=_("agenda rows"), ordering="item_count")
    def item_count(self, obj):
        return obj.item_count


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["short_title", "number", "kind", "day", "time_text", "document_names"]
    list_select_related = ["day__meeting"]
    search_fields = ["title", "comments", "expected_outcome", "documents_text"]
    list_filter = ["day__meeting", "kind"]
    autocomplete_fields = ["day", "parent", "documents"]
    formfield_overrides = COMPACT_TEXT

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("documents")

    @admin.display(description=_("title"), ordering="title")
    def short_title(self, obj):
        return short(obj.title)

    @admin.display(description=_("documents"))
    def document_names(self, obj):
        return ", ".join(doc.symbol or doc.title for doc in obj.documents.all())


@admin.register(MeetingDocument)
class MeetingDocumentAdmin(admin.ModelAdmin):
    list_display = ["symbol", "title", "kind", "meeting", "revises", "strategy"]
    list_select_related = ["meeting", "revises", "strategy"]
    search_fields = ["symbol", "title", "description"]
    list_filter = ["meeting", "kind"]
    autocomplete_fields = ["meeting", "revises", "strategy"]


@admin.register(PlanReview)
class PlanReviewAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "meeting", "reviewed_names"]
    list_select_related = ["meeting"]
    search_fields = ["title", "summary", "method"]
    list_filter = ["year", "meeting"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["meeting", "plans_reviewed", "plans_informed"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("plans_reviewed")

    @admin.display(description=_("plans reviewed"))
    def reviewed_names(self, obj):
        return names(obj.plans_reviewed)
