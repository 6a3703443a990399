"""Admin for two-factor devices: who has set up two-factor sign-in, and when it was last used.

django-otp's own admin shows and edits each device's secret key, and adds devices for anyone; it is
replaced by a read-only list for superusers, without the key. Devices are added by their owner
(/accounts/two-factor/) and removed by `manage.py remove_two_factor` (logged)."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .base import ReadOnlyAdminMixin

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "name"]
    list_filter = ["confirmed"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


# --- sign-in lockouts (django-axes) ------------------------------------------------------------------
# django-axes' own admin lets a superuser edit the records of failed sign-ins. They are evidence of an
# attack, so they are only read; a lockout is lifted by deleting its attempt (or `manage.py
# axes_reset_username NAME`), and the logs are trimmed by `manage.py axes_reset_logs`. The Secretariat
# does not see them: they are the IT team's, like accounts.


class SuperuserOnlyMixin:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class LockoutAttemptAdmin(SuperuserOnlyMixin, AccessAttemptAdmin):
    """Deleting an attempt lifts its lockout; nothing else changes it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class SignInLogAdmin(SuperuserOnlyMixin, ReadOnlyAdminMixin, AccessLogAdmin):
    pass


class SignInFailureLogAdmin(SuperuserOnlyMixin, ReadOnlyAdminMixin, AccessFailureLogAdmin):
    pass


for model, model_admin in (
    (AccessAttempt, LockoutAttemptAdmin),
    (AccessLog, SignInLogAdmin),
    (AccessFailureLog, SignInFailureLogAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
