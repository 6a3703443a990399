"""Backup and restore (ops.backup) and the move from SQLite to PostgreSQL (ops.move): round trips that
compare every row of every table and the hash of every file.

These tests commit (transactional_db): pg_dump and the restoring process are other connections."""

import contextlib
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connections

from activities import services
from activities.models import Evidence, ProgressEntry
from ops import move
from ops.backup import extra_database
from tests.factories import ProgressEntryFactory, SecretariatUserFactory
from tests.ops import sample_tasks

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(5000)


@pytest.fixture
def site(transactional_db, settings, tmp_path):
    """A site with seeded strategies, progress with its history, evidence files (one removed, its file
    kept for the history), queued tasks, unicode text and microsecond timestamps."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed", verbosity=0)
    reviewer = SecretariatUserFactory()
    entries = ProgressEntryFactory.create_batch(
        3,
        range_state=None,
        narrative="گزارش پیشرفت — отчёт о ходе работ",
        review_state=ProgressEntry.ReviewState.SUBMITTED,
    )
    services.progress_entry_approve(user=reviewer, entry=entries[0])
    for name, content in [
        ("camera-trap.png", PNG),
        ("survey report ۱۴۰۳.pdf", PDF),
        ("patrols.pdf", PDF[::-1]),
    ]:
        Evidence.objects.create(
            entry=entries[1], title=name, file=ContentFile(content, name=name), restricted=True
        )
    Evidence.objects.get(title="patrols.pdf").delete()
    sample_tasks.record.enqueue("queued at backup time")
    return tmp_path


def all_rows(alias) -> dict[str, list]:
    connection = connections[alias]
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def file_hashes(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


@contextlib.contextmanager
def empty_database():
    """A new empty database of the suite's kind: (its URL, a connection alias to read it)."""
    default = connections["default"]
    alias = f"restored_{uuid.uuid4().hex[:8]}"
    if default.vendor == "sqlite":
        path = Path(tempfile.mkdtemp()) / "restored.sqlite3"
        url, name = f"sqlite:///{path}", str(path)
    else:
        name = alias
        with default.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        s = default.settings_dict
        url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{name}"
    try:
        with extra_database(alias, {"NAME": name}):
            yield url, alias
    finally:
        if default.vendor != "sqlite":
            with default.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def manage(*args, url, media_root):
    env = os.environ | {
        "DATABASE_URL": url,
        "DJANGO_MEDIA_ROOT": str(media_root),
        "DJANGO_LOG_FORMAT": "text",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )


def test_a_backup_restored_into_an_empty_database_gives_back_every_row_and_file(site):
    archive = site / "site.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names
    assert sum(n.startswith("files/") for n in names) == 3  # the removed evidence's file too

    with empty_database() as (url, alias):
        result = manage("restore", str(archive), url=url, media_root=site / "restored-media")
        assert result.returncode == 0, result.stderr
        source, restored = all_rows("default"), all_rows(alias)
        assert sorted(restored) == sorted(source)
        for table, rows in source.items():
            assert restored[table] == rows, f"{table} differs after the round trip"
    assert file_hashes(site / "restored-media") == file_hashes(site / "media")


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(site):
    archive = site / "site.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    with empty_database() as (url, alias):
        manage("migrate", url=url, media_root=site / "other")
        before = all_rows(alias)
        result = manage("restore", str(archive), url=url, media_root=site / "other")
        assert result.returncode != 0
        assert "not empty" in result.stderr
        assert all_rows(alias) == before


def test_a_damaged_archive_is_refused_before_anything_is_restored(site):
    archive = site / "site.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    data = bytearray(archive.read_bytes())
    where = data.find(PNG[100:140])
    data[where] ^= 0xFF  # one flipped bit in an evidence photo
    archive.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(archive), verify_only=True)
    with empty_database() as (url, alias):
        result = manage("restore", str(archive), url=url, media_root=site / "restored-media")
        assert result.returncode != 0
        assert "camera-trap" in result.stderr
        assert all_rows(alias) == {}
    assert not (site / "restored-media").exists()


def test_a_backup_never_overwrites_another(site):
    archive = site / "site.tar"
    archive.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(archive))
    assert archive.read_bytes() == b"yesterday's backup"


# --- SQLite → PostgreSQL ----------------------------------------------------------------------------


@pytest.fixture
def postgres():
    """A throwaway PostgreSQL 15 (scripts/postgres.sh), for the SQLite suite's move test."""
    pg_dir = f"{tempfile.gettempdir()}/strategy-tracker-move-{uuid.uuid4().hex[:8]}"
    script = str(settings.BASE_DIR / "scripts" / "postgres.sh")
    env = os.environ | {"PG_DIR": pg_dir}
    started = subprocess.run([script, "start"], env=env, capture_output=True, text=True)
    if started.returncode:
        pytest.fail(f"could not start PostgreSQL: {started.stderr}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([script, "stop"], env=env, check=False)


def model_rows(alias) -> dict[str, list]:
    return {
        model._meta.db_table: list(
            model._base_manager.using(alias)
            .order_by("pk")
            .values_list(*(f.attname for f in model._meta.concrete_fields))
        )
        for model in move.models_to_copy()
    }


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="moves from SQLite")
def test_one_command_moves_a_sqlite_site_to_postgresql_with_every_row_and_file(site, postgres):
    call_command("move_to_postgres", to=postgres, media_root=str(site / "pg-media"), stdout=io.StringIO())
    source_tables = set(all_rows("default")) - {"sqlite_sequence"}
    with extra_database("moved", move.target_settings(postgres)):
        alias = "moved"
        assert set(all_rows(alias)) == source_tables  # every table
        assert {m._meta.db_table for m in move.models_to_copy()} == source_tables
        assert model_rows(alias) == model_rows("default")  # every row, timestamps to the microsecond
        # New rows get new ids: the sequences were moved past the copied ones.
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence('activities_progressentry', 'id'))")
            assert cursor.fetchone()[0] > ProgressEntry.objects.order_by("-pk").first().pk
    assert file_hashes(site / "pg-media") == file_hashes(site / "media")


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="moves from SQLite")
def test_the_move_refuses_a_postgresql_database_that_is_not_empty(site, postgres):
    call_command("move_to_postgres", to=postgres, stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("move_to_postgres", to=postgres)


def test_an_archive_that_is_not_a_backup_is_refused_in_plain_words(db):
    archive = Path(tempfile.mkdtemp()) / "x.tar"
    with tarfile.open(archive, "w"):
        pass
    with pytest.raises(CommandError, match="not a strategy tracker backup"):
        call_command("restore", str(archive))
