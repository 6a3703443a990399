"""Admin for national reports: read-only, with their history. A report changes only on its own page,
through activities.services (started, edited, submitted, accepted, returned)."""

from django.contrib import admin

from activities.models import NationalReport, ReportComment, ReportReminder

from .base import HistoryWithoutRevertAdmin, ReadOnlyAdminMixin, ReportingRoundListFilter


@admin.register(NationalReport)
class NationalReportAdmin(ReadOnlyAdminMixin, HistoryWithoutRevertAdmin):
    list_display = ["range_state", "reporting_round", "status", "submitted_at", "reviewed_at"]
    list_select_related = ["range_state", "reporting_round__strategy"]
    search_fields = ["range_state__name", "reporting_round__name", "prepared_by"]
    list_filter = ["status", ("reporting_round", ReportingRoundListFilter)]


@admin.register(ReportComment)
class ReportCommentAdmin(ReadOnlyAdminMixin, HistoryWithoutRevertAdmin):
    list_display = ["report", "section", "entry", "author", "created_at"]
    list_select_related = ["report__range_state", "report__reporting_round", "entry__activity", "author"]
    search_fields = ["text", "author__username", "report__range_state__name"]
    list_filter = ["section"]


@admin.register(ReportReminder)
class ReportReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The Secretariat's reminders of national reports (sent from a round's overview): the record."""

    list_display = ["range_state", "reporting_round", "sent_by", "sent_at"]
    list_select_related = ["range_state", "reporting_round__strategy", "sent_by"]
    search_fields = ["range_state__name", "reporting_round__name", "sent_by__username"]
    list_filter = [("reporting_round", ReportingRoundListFilter)]
