from unittest import mock

import pytest
from django.core.cache import cache
from django_tasks_db.management.commands.db_worker import Worker


def run_worker():
    """Run every task that is due now, as `manage.py db_worker --batch` does, in this process. (Inside a
    test's transaction: the worker's close_old_connections would close the test's connection.)"""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        _worker().run()


def _worker():
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


@pytest.fixture
def worker():
    return run_worker


@pytest.fixture
def clean_cache():
    cache.clear()
    yield
    cache.clear()
