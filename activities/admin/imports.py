"""Admin for strategy imports from spreadsheets: a read-only record of who uploaded which file, what
its preview said and whether it was applied. Uploads and confirmations happen on the import pages
(activities.views.strategy_import), through activities.services."""

from django.contrib import admin

from activities.models import StrategyImport


@admin.register(StrategyImport)
class StrategyImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "strategy_slug", "uploaded_by", "state", "created_at", "applied_at"]
    list_select_related = ["uploaded_by"]
    search_fields = ["file_name", "strategy_slug", "file_sha256"]
    list_filter = ["state", ("created_at", admin.DateFieldListFilter)]
    readonly_fields = [
        "strategy_slug",
        "uploaded_by",
        "file_name",
        "file_sha256",
        "state",
        "base_fingerprint",
        "preview",
        "problems",
        "created_at",
        "applied_at",
    ]
    exclude = ["plan"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
