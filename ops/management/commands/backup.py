"""`manage.py backup [PATH]`: write the database and every evidence file, with checksums, to one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ops import backup


class Command(BaseCommand):
    help = "Back up the database (with its history) and every evidence file to one .tar archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="The archive to write, or a directory for it (default: strategy-tracker-<time>.tar here).",
        )

    def handle(self, *args, path=None, **options):
        name = f"strategy-tracker-{timezone.now():%Y%m%d-%H%M%S}.tar"
        target = Path(path or name)
        if target.is_dir():
            target = target / name
        if target.exists():
            raise CommandError(f"{target} exists already; backups never overwrite one another.")
        try:
            summary = backup.backup(target)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{summary.path}: {summary.tables} tables, {summary.rows} rows, "
            f"{summary.files} files ({summary.bytes} bytes), checksums in manifest.json"
        )
