from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demonstration data set: loaded by `manage.py load_demo_data` (development only), removed by
    `manage.py remove_demo_data`, announced by a banner on every page while it is loaded."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = _("demonstration data")
