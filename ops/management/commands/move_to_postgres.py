"""`manage.py move_to_postgres --to postgres://…`: move a SQLite site to PostgreSQL (see ops.move)."""

from django.core.management.base import BaseCommand, CommandError

from ops import move
from ops.backup import BackupError


class Command(BaseCommand):
    help = (
        "Copy every row (history included) from the SQLite database to an empty PostgreSQL database, "
        "and the evidence files to --media-root if they move too. Then point DATABASE_URL at it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, metavar="URL", help="The empty PostgreSQL database's URL.")
        parser.add_argument(
            "--media-root",
            metavar="DIR",
            help="Copy the evidence files here too (checked by SHA-256); default: they stay where they are.",
        )

    def handle(self, *args, to, media_root=None, **options):
        try:
            moved = move.move(to, media_root=media_root)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(moved.tables.values())
        self.stdout.write(
            f"Moved {rows} rows in {len(moved.tables)} tables and {moved.files} evidence files; "
            "row counts match. Now set DATABASE_URL to the PostgreSQL URL"
            + (" and DJANGO_MEDIA_ROOT to the new directory." if media_root else ".")
        )
