"""Move a site from its embedded SQLite database to PostgreSQL: every row of every table (the history,
the task queue and the migration records included, timestamps to the microsecond) and, when the files
move too, every evidence file, checked by SHA-256.

The target is migrated to the same schema, emptied of the rows `migrate` itself creates (content types,
permissions, role groups), filled in one transaction, and its sequences set past the highest ids. If
anything fails, the transaction rolls back and the SQLite database is untouched either way.
"""

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from .backup import BackupError, extra_database, file_names, require_empty, sha256_of, table_counts

TARGET = "move_target"
CHUNK = 2000


@dataclass
class Moved:
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0


def target_settings(url: str) -> dict:
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError("the target must be a PostgreSQL URL (postgres://user:password@host:port/name)")
    return config


def models_to_copy():
    """Every table the schema has: the apps' models, m2m tables, and django_migrations."""
    found = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    return [*found, MigrationRecorder.Migration]


def copy_rows(model, target) -> int:
    out = connections[target]
    fields = model._meta.concrete_fields
    table = out.ops.quote_name(model._meta.db_table)
    columns = ", ".join(out.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    rows = (
        model._base_manager.using(DEFAULT_DB_ALIAS).order_by("pk").values_list(*(f.attname for f in fields))
    )
    copied, batch = 0, []
    with out.cursor() as cursor:
        # values_list converts each value from SQLite's storage into Python (aware datetimes, JSON,
        # decimals); get_db_prep_save turns it into PostgreSQL's, without what save() would add (auto_now).
        for row in rows.iterator(chunk_size=CHUNK):
            batch.append(
                [f.get_db_prep_save(value, connection=out) for f, value in zip(fields, row, strict=True)]
            )
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                copied += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            copied += len(batch)
    return copied


def migrate(url: str) -> None:
    # In a process of its own, where the target is the default database: data migrations written for
    # the default database (as most are) then work on the target too.
    result = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "migrate", "--no-input", "--verbosity=0"],
        env=os.environ | {"DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BackupError(f"migrating the PostgreSQL database failed: {result.stderr.strip()[-2000:]}")


def move(url: str, *, media_root: str | None = None) -> Moved:
    if connections[DEFAULT_DB_ALIAS].vendor != "sqlite":
        raise BackupError("the site's database is not SQLite; back it up and restore it instead")
    with extra_database(TARGET, target_settings(url)):
        require_empty(TARGET)
        migrate(url)
        return _move(TARGET, media_root)


def _move(target: str, media_root: str | None) -> Moved:
    names = file_names()
    destination = FileSystemStorage(location=media_root) if media_root else None
    missing = [name for name in names if not default_storage.exists(name)]
    if missing:
        raise BackupError(f"{len(missing)} evidence files are missing from storage, e.g. {missing[:3]}")
    out = connections[target]
    to_copy = models_to_copy()
    moved = Moved()
    with transaction.atomic(using=target):
        with out.cursor() as cursor:
            tables = ", ".join(out.ops.quote_name(m._meta.db_table) for m in to_copy)
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        for model in to_copy:
            moved.tables[model._meta.db_table] = copy_rows(model, target)
        with out.cursor() as cursor:
            for statement in out.ops.sequence_reset_sql(no_style(), to_copy):
                cursor.execute(statement)
    if table_counts(target) != {t: n for t, n in table_counts().items() if t != "sqlite_sequence"}:
        raise BackupError("the row counts of the moved tables differ from SQLite's")
    if destination is not None:
        for name in names:
            moved.files += copy_file(name, destination)
    else:
        moved.files = len(names)
    return moved


def copy_file(name: str, destination: FileSystemStorage) -> int:
    with default_storage.open(name, "rb") as handle:
        digest = sha256_of(handle)
        handle.seek(0)
        if destination.exists(name):
            with destination.open(name, "rb") as existing:
                if sha256_of(existing) != digest:
                    raise BackupError(f"{Path(destination.location) / name} exists with other content")
            return 1
        saved = destination.save(name, File(handle))
    with destination.open(saved, "rb") as copy:
        if saved != name or sha256_of(copy) != digest:
            raise BackupError(f"the file {name} was not copied intact")
    return 1
