"""Which database a request reads from when a replica is configured (ops.routers)."""

import pytest
from django.db import router, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from activities.models import Strategy
from ops.routers import PIN_COOKIE, ReplicaRoutingMiddleware

# The router's choices only: the test database serves both names, as TEST MIRROR does in the settings.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    settings.DATABASE_ROUTERS = ["ops.routers.ReplicaRouter"]


def read_from(request, *, write=False, in_transaction=False):
    seen = {}

    def view(request):
        if in_transaction:
            with transaction.atomic():
                seen["read"] = router.db_for_read(Strategy)
        else:
            if write:
                router.db_for_write(Strategy)
            seen["read"] = router.db_for_read(Strategy)
        return HttpResponse()

    response = ReplicaRoutingMiddleware(view)(request)
    return seen["read"], response


@pytest.fixture
def rf():
    return RequestFactory()


@pytest.fixture(autouse=True)
def replica_router(with_replica, monkeypatch):
    from ops.routers import ReplicaRouter

    monkeypatch.setattr(router, "routers", [ReplicaRouter()])


def test_report_pages_and_api_reads_go_to_the_replica(rf):
    assert read_from(rf.get("/reports/matrix/"))[0] == "replica"
    assert read_from(rf.get("/api/v1/activities/"))[0] == "replica"


def test_other_pages_read_the_primary(rf):
    assert read_from(rf.get("/home/"))[0] == "default"
    assert read_from(rf.get("/admin/"))[0] == "default"


def test_a_write_pins_the_browser_to_the_primary_for_a_while(rf, settings):
    settings.DATABASE_REPLICA_PIN_SECONDS = 15
    read, response = read_from(rf.post("/api/v1/progress/1/approve/"))
    assert read == "default"
    assert response.cookies[PIN_COOKIE]["max-age"] == 15
    pinned = rf.get("/reports/matrix/")
    pinned.COOKIES[PIN_COOKIE] = "1"
    assert read_from(pinned)[0] == "default"  # reads its own writes


def test_a_read_after_a_write_in_the_same_request_goes_to_the_primary(rf):
    assert read_from(rf.get("/api/v1/activities/"), write=True)[0] == "default"


def test_reads_inside_a_transaction_go_to_the_primary(transactional_db, rf):
    assert read_from(rf.get("/reports/matrix/"), in_transaction=True)[0] == "default"


def test_outside_a_request_everything_reads_the_primary():
    assert router.db_for_read(Strategy) == "default"


def test_without_a_replica_nothing_changes(rf, settings):
    settings.DATABASES = {k: v for k, v in settings.DATABASES.items() if k != "replica"}
    read, response = read_from(rf.post("/reports/snapshots/take/"))
    assert read == "default"
    assert PIN_COOKIE not in response.cookies
