from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Strategies and activities")

    def ready(self):
        from django.apps import apps
        from django.conf import settings

        from .roles import ensure_role_groups
        from .security import arm_staff_session
        from .two_factor import note_two_factor_enrolment
        from .validators import guard_text_fields

        # After migrate, when the permissions exist: the groups must be there in every deployment.
        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="activities-role-groups")
        # Staff sessions start with their short idle expiry, saved with the sign-in (activities.security).
        user_logged_in.connect(arm_staff_session, dispatch_uid="activities-staff-session")
        # Whether the account has a second factor, read once per sign-in (activities.two_factor).
        user_logged_in.connect(note_two_factor_enrolment, dispatch_uid="activities-two-factor")
        # Every text field of the project's own apps refuses control characters (activities.validators).
        guard_text_fields(
            model
            for app in apps.get_app_configs()
            if app.path.startswith(str(settings.BASE_DIR)) and "/.venv/" not in app.path
            for model in app.get_models(include_auto_created=True)
        )
