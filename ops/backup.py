"""One archive holds the whole site: the database (every table, the history included) and every evidence
file, each with its SHA-256; restoring it into an empty database gives back the same rows and files.

    archive.tar
      manifest.json        format, when, from which database, row count per table, every member's sha256
      database.pgdump      PostgreSQL: `pg_dump --format=custom` (restored with pg_restore), or
      database.sqlite3     SQLite: a consistent copy made with SQLite's online backup
      files/<name>         every file a FileField refers to, in the database or its history

The database is written first and the files after: files are never deleted (removed evidence keeps its
file for the history), so every file the dumped rows refer to is still there to be copied.
"""

import contextlib
import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import django
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The archive or the target is not what a backup or restore needs; nothing was changed."""


def sha256_of(handle) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def extra_database(alias: str, settings_dict: dict):
    """A second database connection, named `alias` for `.using()` and `migrate --database`, for this thread
    only and for the duration of the block (not added to settings.DATABASES)."""
    default = connections.settings[DEFAULT_DB_ALIAS]
    config = default | {"OPTIONS": {}, "CONN_MAX_AGE": 0, "TEST": dict(default["TEST"])} | settings_dict
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    try:
        yield connections[alias]
    finally:
        connections[alias].close()
        del connections[alias]


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: PG_BIN if set, else the newest PostgreSQL's under /usr/lib/postgresql, else PATH."""
    if os.environ.get("PG_BIN"):
        return str(Path(os.environ["PG_BIN"]) / name)
    installed = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if installed:
        return str(installed[-1])
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def pg_environment(settings_dict) -> dict:
    """libpq's variables for a Django database: no password on a command line."""
    env = os.environ.copy()
    for var, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")]:
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    env["PGDATABASE"] = settings_dict["NAME"]
    return env


def file_names(using=DEFAULT_DB_ALIAS) -> list[str]:
    """Every file name a FileField holds, in any model, the historical ones included."""
    names = set()
    for model in apps.get_models():
        # django-simple-history keeps a file's name as text; its original model says it is a file.
        original = getattr(model, "instance_type", model)
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) or (
                original is not model and isinstance(_field_or_none(original, field.name), models.FileField)
            ):
                names.update(
                    model._base_manager.using(using)
                    .exclude(**{field.attname: ""})
                    .values_list(field.attname, flat=True)
                )
    return sorted(name for name in names if name)


def _field_or_none(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def table_counts(using=DEFAULT_DB_ALIAS) -> dict[str, int]:
    connection = connections[using]
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def dump_database(path: Path, using=DEFAULT_DB_ALIAS) -> str:
    connection = connections[using]
    if connection.vendor == "postgresql":
        result = subprocess.run(
            [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"],
            env=pg_environment(connection.settings_dict),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return "database.pgdump"
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # a consistent copy even while the site writes
        finally:
            target.close()
        return "database.sqlite3"
    raise BackupError(f"backups of {connection.vendor} databases are not supported")


@dataclass
class Summary:
    path: Path
    tables: int
    rows: int
    files: int
    bytes: int


def backup(path: Path, *, using=DEFAULT_DB_ALIAS) -> Summary:
    """Write the archive to `path` (through a temporary file, so a failed backup leaves no partial archive)."""
    path = Path(path)
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix="strategy-tracker-backup-") as work:
        dump = Path(work) / "database"
        member = dump_database(dump, using)
        counts = table_counts(using)
        names = file_names(using)
        partial = path.with_name(path.name + ".partial")
        files, missing = [], []
        with tarfile.open(partial, "w") as tar:
            with open(dump, "rb") as handle:
                database = {"name": member, "sha256": sha256_of(handle), "size": dump.stat().st_size}
            tar.add(dump, arcname=member)
            for name in names:
                if not default_storage.exists(name):
                    missing.append(name)
                    continue
                with default_storage.open(name, "rb") as handle:
                    digest = sha256_of(handle)
                    size = handle.tell()
                    handle.seek(0)
                    info = tarfile.TarInfo(f"files/{name}")
                    info.size = size
                    tar.addfile(info, handle)
                files.append({"name": name, "sha256": digest, "size": size})
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "vendor": connection.vendor,
                "django": django.get_version(),
                "migrations": sorted(
                    f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
                ),
                "database": database,
                "tables": counts,
                "files": files,
                "missing_files": missing,
            }
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
        partial.replace(path)
    return Summary(path, len(counts), sum(counts.values()), len(files), sum(f["size"] for f in files))


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(tar.extractfile(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise BackupError("this is not a strategy tracker backup: it has no readable manifest.json") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def verify(path: Path) -> dict:
    """Check every member against the manifest's checksums; return the manifest."""
    try:
        tar = tarfile.open(path, "r")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read {path}: {exc}") from exc
    with tar:
        manifest = read_manifest(tar)
        expected = {manifest["database"]["name"]: manifest["database"]["sha256"]}
        expected |= {f"files/{f['name']}": f["sha256"] for f in manifest["files"]}
        for name, digest in expected.items():
            try:
                handle = tar.extractfile(name)
            except KeyError:
                handle = None
            if handle is None:
                raise BackupError(f"the archive is incomplete: {name} is missing")
            if sha256_of(handle) != digest:
                raise BackupError(f"the archive is damaged: {name} does not match its checksum")
    return manifest


def require_empty(using=DEFAULT_DB_ALIAS) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        raise BackupError(
            f"the database {connection.settings_dict['NAME']} is not empty ({len(tables)} tables): "
            "restore into a new, empty database"
        )


def restore(path: Path, *, using=DEFAULT_DB_ALIAS) -> Summary:
    """Restore the archive into the empty database `using` and the default file storage."""
    manifest = verify(path)
    connection = connections[using]
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"this is a {manifest['vendor']} backup and the database is {connection.vendor}; "
            "to move from SQLite to PostgreSQL use `manage.py move_to_postgres`"
        )
    require_empty(using)
    with tarfile.open(path, "r") as tar:
        clashes = [
            f["name"]
            for f in manifest["files"]
            if default_storage.exists(f["name"]) and _stored_sha256(f["name"]) != f["sha256"]
        ]
        if clashes:
            raise BackupError(f"the file storage already holds different files of these names: {clashes[:5]}")
        with tempfile.TemporaryDirectory(prefix="strategy-tracker-restore-") as work:
            dump = Path(work) / "database"
            with open(dump, "wb") as out:
                shutil.copyfileobj(tar.extractfile(manifest["database"]["name"]), out)
            _load_database(dump, using)
        for entry in manifest["files"]:
            if default_storage.exists(entry["name"]):
                continue  # the same file (checked above)
            saved = default_storage.save(entry["name"], File(tar.extractfile(f"files/{entry['name']}")))
            if saved != entry["name"] or _stored_sha256(saved) != entry["sha256"]:
                raise BackupError(f"the file {entry['name']} was not stored intact")
    counts = table_counts(using)
    if counts != manifest["tables"]:
        differ = sorted(
            t for t in set(counts) | set(manifest["tables"]) if counts.get(t) != manifest["tables"].get(t)
        )
        raise BackupError(f"the restored tables do not match the backup's row counts: {differ[:5]}")
    files = manifest["files"]
    return Summary(Path(path), len(counts), sum(counts.values()), len(files), sum(f["size"] for f in files))


def _stored_sha256(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return sha256_of(handle)


def _load_database(dump: Path, using) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        connection.close()
        result = subprocess.run(
            [
                pg_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ],
            env=pg_environment(connection.settings_dict),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(f"pg_restore failed (nothing was restored): {result.stderr.strip()}")
        return
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
