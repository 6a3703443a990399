"""`manage.py restore ARCHIVE`: restore a backup into the configured database, which must be empty."""

from django.core.management.base import BaseCommand, CommandError

from ops import backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and the file storage (checksums verified first)."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--verify-only", action="store_true", help="Check the archive's checksums; restore nothing."
        )

    def handle(self, *args, archive, verify_only=False, **options):
        try:
            if verify_only:
                manifest = backup.verify(archive)
                self.stdout.write(
                    f"{archive}: intact ({len(manifest['tables'])} tables, {len(manifest['files'])} files, "
                    f"taken {manifest['created_at']} from {manifest['vendor']})"
                )
                return
            summary = backup.restore(archive)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {summary.tables} tables ({summary.rows} rows) and {summary.files} files from {archive}; "
            "row counts and file checksums match the backup."
        )
