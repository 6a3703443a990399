from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """Large exports made by the background worker and fetched later from "Your exports"."""

    name = "exports"
    verbose_name = _("Exports")
