from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "Strategies and activities"

    def ready(self):
        from .roles import ensure_role_groups

        # After migrate, when the permissions exist: the groups must be there in every deployment.
        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="activities-role-groups")
