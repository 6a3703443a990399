"""ops.tasks: enqueue_on_commit, retries of failed tasks, and the recovery of tasks whose worker died."""

import datetime
import logging

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ops import tasks
from tests.ops import sample_tasks

pytestmark = pytest.mark.usefixtures("clean_cache")


def due_now():
    """Pretend every waiting retry's delay has passed."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


def test_a_task_queued_in_a_transaction_that_rolls_back_never_runs(db, worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.enqueue_on_commit(sample_tasks.record, "k")
        raise RuntimeError("the write failed")
    assert DBTaskResult.objects.count() == 0
    worker()
    assert cache.get("k") is None


def test_a_task_queued_in_a_transaction_that_commits_runs_once(db, worker):
    with transaction.atomic():
        tasks.enqueue_on_commit(sample_tasks.record, "k")
    worker()
    worker()
    assert cache.get("k") == 1
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_on_another_backend_the_task_is_queued_only_at_commit(
    db, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = settings.TASKS | {
        "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    immediate = sample_tasks.record.using(backend="immediate")
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        tasks.enqueue_on_commit(immediate, "k")
        assert cache.get("k") is None  # not before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert cache.get("k") == 1


def test_arguments_that_cannot_be_queued_are_refused_at_once(db):
    with pytest.raises(TypeError):
        tasks.enqueue_on_commit(sample_tasks.record, object())
    assert DBTaskResult.objects.count() == 0


def test_a_failing_task_is_retried_after_a_delay_until_it_succeeds(db, worker, caplog):
    sample_tasks.flaky.enqueue("k", 2)
    worker()
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.READY  # back in the queue, not FAILED
    assert "Flaky" in result.traceback  # the error stays visible in the admin
    wait = result.run_after - timezone.now()
    assert (
        datetime.timedelta(seconds=tasks.RETRY_DELAYS[0] - 2)
        < wait
        <= datetime.timedelta(seconds=tasks.RETRY_DELAYS[0])
    )
    worker()  # not due yet: nothing runs
    assert cache.get("k") == 1
    due_now()
    worker()
    result.refresh_from_db()
    assert result.status == TaskResultStatus.READY
    assert result.run_after - timezone.now() > datetime.timedelta(seconds=tasks.RETRY_DELAYS[1] - 2)
    due_now()
    worker()
    result.refresh_from_db()
    assert (result.status, result.return_value, len(result.worker_ids)) == (TaskResultStatus.SUCCESSFUL, 3, 3)
    assert "retrying" in caplog.text


def test_a_task_that_always_fails_is_given_up_after_the_last_attempt_and_logged(db, worker, caplog):
    sample_tasks.flaky.enqueue("k", 99)
    for _ in range(tasks.MAX_ATTEMPTS + 2):
        due_now()
        worker()
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.FAILED
    assert cache.get("k") == tasks.MAX_ATTEMPTS
    assert any(r.levelno == logging.ERROR and "failed for good" in r.message for r in caplog.records)


def running(started_seconds_ago, attempts=1):
    result = DBTaskResult.objects.create(
        args_kwargs={"args": ["k"], "kwargs": {}},
        task_path="tests.ops.sample_tasks.record",
        backend_name="default",
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(seconds=started_seconds_ago),
        worker_ids=[f"dead-{i}" for i in range(attempts)],
    )
    return result


def test_a_task_whose_worker_died_is_queued_again_and_then_runs(db, settings, worker):
    settings.TASKS_RUNNING_TIMEOUT = 60
    abandoned = running(61)
    busy = running(30)  # may still be running: left alone
    assert tasks.recover_abandoned() == 1
    abandoned.refresh_from_db()
    busy.refresh_from_db()
    assert (abandoned.status, busy.status) == (TaskResultStatus.READY, TaskResultStatus.RUNNING)
    worker()
    abandoned.refresh_from_db()
    assert abandoned.status == TaskResultStatus.SUCCESSFUL
    assert cache.get("k") == 1
    assert len(abandoned.worker_ids) == 2  # the dead worker's attempt counts


def test_a_task_abandoned_on_every_attempt_is_failed_not_retried_forever(db, settings):
    settings.TASKS_RUNNING_TIMEOUT = 60
    hopeless = running(61, attempts=tasks.MAX_ATTEMPTS)
    assert tasks.recover_abandoned() == 0
    hopeless.refresh_from_db()
    assert hopeless.status == TaskResultStatus.FAILED
    assert hopeless.exception_class_path == "ops.tasks.Abandoned"


def test_backlog_counts_tasks_due_and_waiting(db):
    sample_tasks.record.enqueue("a")
    sample_tasks.record.using(run_after=timezone.now() + datetime.timedelta(hours=1)).enqueue("b")
    running(1)
    assert tasks.backlog() == 1
