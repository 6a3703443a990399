"""Tasks for the tests of ops.tasks: one that fails a given number of times before it succeeds."""

from django.core.cache import cache
from django_tasks import task


class Flaky(Exception):
    pass


@task()
def flaky(key: str, failures: int) -> int:
    runs = cache.get(key, 0) + 1
    cache.set(key, runs, timeout=None)
    if runs <= failures:
        raise Flaky(f"run {runs} of {key} fails on purpose")
    return runs


@task()
def record(key: str) -> None:
    cache.set(key, cache.get(key, 0) + 1, timeout=None)
