"""Reads from a PostgreSQL streaming replica (settings.DATABASES["replica"], from DATABASE_REPLICA_URL).

Only safe requests (GET, HEAD) to the read-only parts of the site (settings.DATABASE_REPLICA_PATHS: the
reports and the API) read from the replica. Everything else uses the primary: every write, every read
inside a transaction, the worker and management commands, and - so that people see what they have just
done although the replica lags a little - every request of a browser or client that wrote in the last
DATABASE_REPLICA_PIN_SECONDS (a cookie says so), and the rest of any request that writes.
"""

import contextvars

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PIN_COOKIE = "primary_pin"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

_use_replica = contextvars.ContextVar("use_replica", default=False)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        _use_replica.set(False)  # read-your-writes for the rest of this request
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, **hints):
        return False if db == REPLICA else None  # the replica copies the primary's schema


def reads_from_replica(request) -> bool:
    return (
        REPLICA in settings.DATABASES
        and request.method in SAFE_METHODS
        and request.path.startswith(settings.DATABASE_REPLICA_PATHS)
        and PIN_COOKIE not in request.COOKIES
    )


class ReplicaRoutingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _use_replica.set(reads_from_replica(request))
        try:
            response = self.get_response(request)
        finally:
            _use_replica.reset(token)
        if REPLICA in settings.DATABASES and request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response
