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


def _project(root):
    for name, text in {
        "app/views.py": "x = 1\n",
        "app/templates/app/page.html": "<p>{{ x }}</p>\n",
        "locale/fa/LC_MESSAGES/django.po": 'msgid "a"\nmsgstr "b"\n',
        "uv.lock": "django==5.2\n",
        "tests/test_app.py": "def test(): pass\n",
        "media/upload.txt": "a file someone uploaded\n",
        ".venv/lib/site.py": "y = 2\n",
    }.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_release_is_a_fingerprint_of_what_renders_pages(tmp_path, monkeypatch):
    """Cached pages are keyed by it (strategy_tracker/release.py): code, templates, catalogues and
    libraries change it; tests, uploads and the virtual environment do not."""
    from strategy_tracker.release import code_release

    monkeypatch.delenv("DJANGO_RELEASE", raising=False)
    _project(tmp_path)
    first = code_release(tmp_path)
    assert code_release(tmp_path) == first  # the same code, the same release on every server
    for unchanged in ("tests/test_app.py", "media/upload.txt", ".venv/lib/site.py"):
        (tmp_path / unchanged).write_text("changed\n")
        assert code_release(tmp_path) == first, unchanged
    seen = {first}
    for changed in (
        "app/views.py",
        "app/templates/app/page.html",
        "locale/fa/LC_MESSAGES/django.po",
        "uv.lock",
    ):
        (tmp_path / changed).write_text("changed\n")
        release = code_release(tmp_path)
        assert release not in seen, changed
        seen.add(release)
    monkeypatch.setenv("DJANGO_RELEASE", "v2.3.1")
    assert code_release(tmp_path) == "v2.3.1"
