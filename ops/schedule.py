"""The periodic jobs, run by one scheduler process: `manage.py run_scheduler` (APScheduler).

The scheduler does no domain work itself: each job queues a background task for the workers, except the
recovery of abandoned tasks, which it does itself so that it still happens when every worker is stuck.
Every job is idempotent (notices are recorded per person and event, reminders per person and day,
deliveries are locked and rechecked), so a second scheduler, or a job run by hand with
`run_scheduler --run NAME`, sends nothing twice.
"""

import datetime
from dataclasses import dataclass

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.module_loading import import_string

from . import tasks


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    trigger: object
    task_path: str = ""  # a django-tasks task to queue; or
    call: object = None  # a function the scheduler runs itself
    catch_up: bool = False  # run at start-up if today's run was missed (a daily job)

    def run(self) -> None:
        # As a request does: a connection broken by a database restart is replaced, not reused forever.
        # (Not inside a transaction: a job run from a test or a shell keeps the caller's connection.)
        fresh = not connection.in_atomic_block
        if fresh:
            close_old_connections()
        try:
            if self.task_path:
                import_string(self.task_path).enqueue()
            else:
                self.call()
        finally:
            if fresh:
                close_old_connections()


def prune_task_results() -> None:
    # Finished tasks are kept two weeks (failed ones four) for the admin, then deleted.
    call_command("prune_db_task_results", min_age_days=14, failed_min_age_days=28, verbosity=0)


def jobs() -> list[Job]:
    tz = timezone.get_default_timezone()
    every = IntervalTrigger(seconds=settings.TASKS_SWEEP_INTERVAL, timezone=tz)
    return [
        Job(
            "tasks-recover",
            "Queue again the tasks whose worker died.",
            every,
            call=tasks.recover_abandoned,
        ),
        Job(
            "webhooks-sweep",
            "Send webhook deliveries that are due (retries, and events a crash left behind).",
            every,
            task_path="activities.tasks.webhooks_sweep",
        ),
        Job(
            "reporting-notices",
            "Tell focal points of rounds that opened, deadlines near (reminders) and deadlines passed.",
            CronTrigger(hour=settings.REMINDERS_HOUR, minute=0, timezone=tz),
            task_path="activities.tasks.reporting_notices_send",
            catch_up=True,
        ),
        Job(
            "exports-expire",
            "Delete the files of background exports past their expiry, and fail exports that were lost.",
            CronTrigger(minute=15, timezone=tz),
            task_path="exports.tasks.exports_expire",
        ),
        Job(
            "prune-task-results",
            "Delete finished task results older than two weeks.",
            CronTrigger(hour=3, minute=30, timezone=tz),
            call=prune_task_results,
        ),
    ]


def missed_today(job: Job, now: datetime.datetime) -> bool:
    """Whether a daily job's run time today has passed (the scheduler was not running then)."""
    today = job.trigger.get_next_fire_time(None, now.replace(hour=0, minute=0, second=0, microsecond=0))
    return today is not None and today <= now


def build_scheduler() -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=timezone.get_default_timezone())
    now = timezone.localtime()
    for job in jobs():
        scheduler.add_job(
            job.run,
            job.trigger,
            id=job.name,
            name=job.description,
            # One run after a pause, however many were missed; late by up to an hour is still worth it.
            coalesce=True,
            misfire_grace_time=3600,
            max_instances=1,
            **({"next_run_time": now} if job.catch_up and missed_today(job, now) else {}),
        )
    return scheduler
