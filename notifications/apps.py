from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Notices to people: e-mailed and shown on their home page, in their language, as they chose."""

    name = "notifications"
    verbose_name = _("Notifications")
