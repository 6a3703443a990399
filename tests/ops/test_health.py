"""/healthz and /readyz, as a load balancer reads them."""

from django_tasks_db.models import DBTaskResult

from tests.ops import sample_tasks


def test_healthz_answers_without_touching_anything(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_database_cache_storage_and_queue(db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "cache": True,
        "storage": True,
        "queue": True,
    }
    assert response["Cache-Control"].startswith("max-age=0")
    assert list(tmp_path.rglob("*.txt")) == []  # the storage probe cleans up after itself


def test_readyz_is_unavailable_while_the_cache_is_down(db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"ok": False}
    assert "127.0.0.1" not in response.content.decode()  # no detail for outsiders


def test_readyz_is_unavailable_while_storage_cannot_be_written(db, client, settings, tmp_path):
    (tmp_path / "file").write_text("")
    settings.MEDIA_ROOT = tmp_path / "file"  # a file, not a directory
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {"ok": False}


def test_readyz_is_unavailable_when_the_workers_fall_behind(db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS_READY_BACKLOG = 2
    for _ in range(3):
        sample_tasks.record.enqueue("k")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == {"ok": False}
    DBTaskResult.objects.all().delete()
    assert client.get("/readyz").status_code == 200


def test_health_checks_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
