from django.contrib import admin

from .models import Notice, NoticePreference


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Read-only: notices are made by the background tasks, and read or dismissed by their recipient."""

    list_display = ["created_at", "recipient", "kind", "text", "emailed_at", "read_at", "dismissed_at"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "recipient__email", "key", "text"]
    list_filter = ["kind", "on_home", ("emailed_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email", "on_home"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    list_filter = ["kind", "email", "on_home"]
