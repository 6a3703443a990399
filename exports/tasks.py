"""The background tasks of large exports (django-tasks; run by `manage.py db_worker`). Idempotent."""

from django_tasks import task

from . import services


@task()
def export_run(job_id: int) -> str:
    """Make one export job's file (retried by ops.tasks when it raises)."""
    return services.export_job_run(job_id)


@task()
def exports_expire() -> dict:
    """Delete expired export files; fail jobs that were lost. Queued daily by the scheduler."""
    return services.export_jobs_expire()
