"""The periodic jobs (ops.schedule) and `manage.py run_scheduler`."""

import datetime
import io
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from ops import schedule


@pytest.fixture
def tehran(settings):
    settings.TIME_ZONE = "Asia/Tehran"
    settings.REMINDERS_HOUR = 6
    return zoneinfo.ZoneInfo("Asia/Tehran")


def jobs():
    return {job.name: job for job in schedule.jobs()}


def test_the_days_notices_go_out_daily_at_the_configured_hour_in_the_sites_time_zone(tehran):
    trigger = jobs()["reporting-notices"].trigger
    after = datetime.datetime(2025, 6, 20, 6, 0, 1, tzinfo=tehran)
    assert trigger.get_next_fire_time(None, after) == datetime.datetime(2025, 6, 21, 6, 0, tzinfo=tehran)


def test_the_sweeps_run_every_interval(settings):
    settings.TASKS_SWEEP_INTERVAL = 30
    for name in ("tasks-recover", "webhooks-sweep"):
        assert jobs()[name].trigger.interval == datetime.timedelta(seconds=30)


def test_a_scheduler_started_after_the_reminder_hour_sends_todays_notices_at_once(tehran):
    job = jobs()["reporting-notices"]
    assert schedule.missed_today(job, datetime.datetime(2025, 6, 20, 9, 0, tzinfo=tehran))
    assert not schedule.missed_today(job, datetime.datetime(2025, 6, 20, 5, 59, tzinfo=tehran))


def test_the_scheduler_registers_every_job_once(db):
    scheduler = schedule.build_scheduler()
    assert sorted(job.id for job in scheduler.get_jobs()) == sorted(jobs())


@pytest.mark.parametrize(
    ("name", "task_path"),
    [
        ("webhooks-sweep", "activities.tasks.webhooks_sweep"),
        ("reporting-notices", "activities.tasks.reporting_notices_send"),
    ],
)
def test_running_a_job_queues_its_task_for_the_workers(db, name, task_path):
    call_command("run_scheduler", "--run", name, stdout=io.StringIO())
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == [task_path]


def test_the_list_shows_each_job_and_its_next_run(db):
    out = io.StringIO()
    call_command("run_scheduler", "--list", stdout=out)
    for name in jobs():
        assert name in out.getvalue()


def test_an_unknown_job_is_refused_with_the_names_of_the_jobs(db):
    with pytest.raises(CommandError, match="webhooks-sweep"):
        call_command("run_scheduler", "--run", "nightly-magic")
    assert DBTaskResult.objects.count() == 0
