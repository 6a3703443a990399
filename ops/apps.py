from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the site: health checks, background-task retries, the scheduler, backups, the replica router."""

    name = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from django_tasks.signals import task_finished

        from . import tasks

        task_finished.connect(tasks.retry_failed_task, dispatch_uid="ops.tasks.retry_failed_task")
