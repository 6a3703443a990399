"""Health checks for a load balancer or a process manager.

/healthz: the process is alive and answers (touches nothing else), 200.
/readyz:  this server can do its work: each database (the primary and, when configured, the replica),
          the cache, the file storage and the task queue. 200 when every check passes, 503 otherwise;
          the JSON body says which check failed, without any detail an outsider could use.
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import tasks

log = logging.getLogger(__name__)


def check_databases() -> None:
    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")


def check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was just stored")
    cache.delete(key)


def check_storage() -> None:
    # Write, read and delete a small object: a storage that lists but cannot write is not ready.
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != b"ok":
                raise RuntimeError("the storage did not return what was just stored")
    finally:
        default_storage.delete(name)


def check_queue() -> None:
    waiting = tasks.backlog()
    if waiting > settings.TASKS_READY_BACKLOG:
        raise RuntimeError(f"{waiting} tasks are waiting for a worker")


CHECKS = {"database": check_databases, "cache": check_cache, "storage": check_storage, "queue": check_queue}


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    results, ready = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as exc:  # any failure means "not ready"; the log has the reason
            log.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = {"ok": False}
            ready = False
        else:
            results[name] = {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results}, status=200 if ready else 503
    )
