"""What the background tasks add to django-tasks: one way to queue a task with a write, retries, and the
recovery of tasks whose worker died.

    from ops.tasks import enqueue_on_commit

    @transaction.atomic
    def progress_entry_submit(...):
        ...
        enqueue_on_commit(notifications.entry_submitted, entry.pk)   # a django_tasks @task

The task runs only if the transaction commits, and after it has: on the database backend (the default)
the task's row is written in the same transaction, so it is committed with the change or not at all and
cannot be lost in between; on any other backend it is queued by transaction.on_commit. Arguments must be
JSON values (ids, not model instances), and the task must be idempotent: it may run more than once.

Every task that raises is retried, after RETRY_DELAYS, until it has been tried MAX_ATTEMPTS times; it then
stays FAILED (in the admin, with its traceback) and is logged as an error, which reaches Sentry. A task
still RUNNING after settings.TASKS_RUNNING_TIMEOUT seconds lost its worker (killed, machine gone): the
scheduler's sweep (`recover_abandoned`) puts it back in the queue, as one more attempt.
"""

import datetime
import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.utils import normalize_json
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

log = logging.getLogger(__name__)

# Seconds to wait before the 2nd, 3rd, 4th and 5th attempt of a task that failed.
RETRY_DELAYS = [10, 60, 300, 1800]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def enqueue_on_commit(task, /, *args, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Queue `task(*args, **kwargs)` to run after the current transaction on `using` commits (at once when
    there is none); nothing runs if it rolls back. See the module's docstring."""
    backend = task.get_backend()
    backend.validate_task(task)
    normalize_json({"args": args, "kwargs": kwargs})  # refuse what cannot be queued now, not at commit
    if isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == using:
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs), using=using, robust=True)


def retry_failed_task(sender, task_result, **kwargs):
    """task_finished receiver: put a failed task back in the queue for a later attempt, or give up."""
    db_result = getattr(task_result, "db_result", None)
    if db_result is None or task_result.status != TaskResultStatus.FAILED:
        return
    attempts = len(task_result.worker_ids)
    error = task_result.errors[-1].exception_class_path if task_result.errors else "?"
    if attempts >= MAX_ATTEMPTS:
        log.error(
            "task %s %s failed for good after %s attempts (%s)",
            task_result.task.module_path,
            task_result.id,
            attempts,
            error,
        )
        return
    run_after = timezone.now() + datetime.timedelta(seconds=RETRY_DELAYS[attempts - 1])
    DBTaskResult.objects.filter(pk=db_result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=run_after, finished_at=None
    )
    log.warning(
        "task %s %s failed (attempt %s/%s, %s); retrying at %s",
        task_result.task.module_path,
        task_result.id,
        attempts,
        MAX_ATTEMPTS,
        error,
        run_after.isoformat(),
    )


def recover_abandoned(now=None) -> int:
    """Put back in the queue every task that has been RUNNING for longer than TASKS_RUNNING_TIMEOUT (its
    worker died), or fail it if it has had all its attempts. Returns how many were put back."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.TASKS_RUNNING_TIMEOUT)
    recovered = 0
    with transaction.atomic():
        stale = (
            DBTaskResult.objects.running().filter(started_at__lt=cutoff).select_for_update(skip_locked=True)
        )
        for db_result in stale:
            attempts = len(db_result.worker_ids)
            if attempts >= MAX_ATTEMPTS:
                db_result.status = TaskResultStatus.FAILED
                db_result.finished_at = now
                db_result.exception_class_path = "ops.tasks.Abandoned"
                db_result.traceback = f"The worker running attempt {attempts} stopped before it finished."
                db_result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                log.error(
                    "task %s %s abandoned %s times: given up", db_result.task_path, db_result.pk, attempts
                )
                continue
            db_result.status = TaskResultStatus.READY
            db_result.run_after = now
            db_result.save(update_fields=["status", "run_after"])
            recovered += 1
            log.warning(
                "task %s %s was abandoned by worker %s (attempt %s/%s); queued again",
                db_result.task_path,
                db_result.pk,
                db_result.worker_ids[-1] if db_result.worker_ids else "?",
                attempts,
                MAX_ATTEMPTS,
            )
    return recovered


def backlog() -> int:
    """How many tasks are due and waiting for a worker."""
    return DBTaskResult.objects.ready().count()
