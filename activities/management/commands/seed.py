"""manage.py seed: load the strategies from fixtures/*.yaml, idempotently."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from activities.seeding import SeedError, seed_load


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Load the seed fixtures (fixtures/*.yaml). Safe to run again: only rows whose values differ are "
        "written, and each changed field is listed. Nothing is written if any file has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", type=Path, help="Fixture files (default: all of fixtures/*.yaml)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would change, write nothing.")

    def handle(self, *args, paths, dry_run, verbosity, **options):
        try:
            with transaction.atomic():
                report = seed_load(paths=paths or None)
                if dry_run:
                    raise _DryRun
        except SeedError as exc:
            raise CommandError("The seed fixtures were not loaded:\n  " + "\n  ".join(exc.problems)) from exc
        except _DryRun:
            self.stdout.write("Dry run: nothing was written.")
        if verbosity >= 1:
            for line in report.changes:
                self.stdout.write(f"  {line}")
            message = report.summary() if report.changed_anything else "Seed data already up to date."
            self.stdout.write(self.style.SUCCESS(message))
