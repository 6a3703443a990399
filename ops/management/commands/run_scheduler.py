"""`manage.py run_scheduler`: run the periodic jobs of ops.schedule (one such process per site).

`--list` shows the jobs and when each runs next; `--run NAME` runs one job now and exits."""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ops import schedule

log = logging.getLogger("ops.schedule")


class Command(BaseCommand):
    help = "Run the periodic jobs (reminders, webhook retries, task recovery) on their schedule."

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", action="store_true", help="List the jobs and their next run, then exit."
        )
        parser.add_argument("--run", metavar="NAME", help="Run one job now, then exit.")

    def handle(self, *args, list=False, run=None, **options):
        jobs = {job.name: job for job in schedule.jobs()}
        if list:
            now = timezone.localtime()
            for job in jobs.values():
                next_run = job.trigger.get_next_fire_time(None, now)
                self.stdout.write(f"{job.name:<22} next {next_run:%Y-%m-%d %H:%M:%S %Z}  {job.description}")
            return
        if run:
            if run not in jobs:
                raise CommandError(f"No job {run!r}; the jobs are: {', '.join(jobs)}.")
            jobs[run].run()
            self.stdout.write(f"{run}: done")
            return
        scheduler = schedule.build_scheduler()
        log.info("scheduler started with jobs %s", ", ".join(jobs))
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            log.info("scheduler stopped")
