import pytest
from django.core.exceptions import ImproperlyConfigured

from strategy_tracker.settings import env_bool


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("TRUE", True), ("off", False), ("", False)])
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", default=not expected) is expected


def test_env_bool_refuses_values_it_does_not_understand(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", default=False)


def _database_settings(monkeypatch, **env) -> dict:
    """The default database's settings as the settings module computes them from this environment."""
    import importlib

    import strategy_tracker.settings as module

    for name in ("DATABASE_CONN_MAX_AGE", "DATABASE_POOL", "DATABASE_REPLICA_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    try:
        return importlib.reload(module).DATABASES["default"]
    finally:
        monkeypatch.undo()
        importlib.reload(module)


POSTGRES = "postgres://u:p@127.0.0.1:5432/db"


def test_postgresql_keeps_connections_open_between_requests_and_checks_them(monkeypatch):
    database = _database_settings(monkeypatch, DATABASE_URL=POSTGRES)
    assert database["CONN_MAX_AGE"] == 600
    assert database["CONN_HEALTH_CHECKS"] is True


def test_connection_age_can_be_set_or_turned_off(monkeypatch):
    assert (
        _database_settings(monkeypatch, DATABASE_URL=POSTGRES, DATABASE_CONN_MAX_AGE="0")["CONN_MAX_AGE"] == 0
    )
    assert (
        _database_settings(monkeypatch, DATABASE_URL=POSTGRES, DATABASE_CONN_MAX_AGE="30")["CONN_MAX_AGE"]
        == 30
    )


def test_a_pool_replaces_persistent_connections(monkeypatch):
    database = _database_settings(monkeypatch, DATABASE_URL=POSTGRES, DATABASE_POOL="1")
    assert database["CONN_MAX_AGE"] == 0
    assert database["OPTIONS"]["pool"]["max_size"] == 4


def test_sqlite_closes_connections_after_each_request(monkeypatch):
    assert _database_settings(monkeypatch, DATABASE_URL="sqlite:////tmp/x.sqlite3")["CONN_MAX_AGE"] == 0
