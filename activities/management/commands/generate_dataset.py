"""manage.py generate_dataset: the synthetic benchmark dataset (see activities/synthetic/)."""

import datetime
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from activities.synthetic import DEFAULT_AS_OF, DatasetError, Targets, generate


class Command(BaseCommand):
    help = (
        "Load the seed fixtures, then add a synthetic dataset at the design scale (50 strategies, 5,000 "
        "activities, 20 Range States, 1,000,000 progress entries with their history) or a fraction of it. "
        "For benchmarks: refuses a database that already holds progress entries."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Fraction of the design target, e.g. 0.01 (default 1)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed, the same data.")
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            default=DEFAULT_AS_OF,
            help=f"The dataset's today, YYYY-MM-DD (default {DEFAULT_AS_OF}); eight years of reporting end there.",
        )
        parser.add_argument("--no-seed", action="store_true", help="Do not load the seed fixtures first.")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even though DEBUG is off. It adds thousands of synthetic rows: never on a real site.",
        )

    def handle(self, *args, scale, seed, as_of, no_seed, allow_production, verbosity, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off, so this looks like production: refusing to add synthetic data. "
                "Set DJANGO_DEBUG=1, or pass --allow-production if this really is a benchmark database."
            )
        if scale <= 0:
            raise CommandError("--scale must be more than 0.")
        started = time.perf_counter()
        if not no_seed:
            call_command("seed", verbosity=0)
        targets = Targets.at_scale(scale)
        if verbosity >= 1:
            self.stdout.write(f"Generating {targets} with seed {seed}, as of {as_of}…")
        try:
            dataset = generate(
                seed=seed,
                targets=targets,
                as_of=as_of,
                log=(lambda message: self.stdout.write(f"  {message}")) if verbosity >= 2 else None,
            )
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc
        analyzed = time.perf_counter()
        with connection.cursor() as cursor:
            # Fresh statistics (and, on PostgreSQL, the visibility map) before anyone measures anything.
            # VACUUM cannot run in a transaction (as when a test calls the command).
            vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        dataset.seconds["analyze"] = time.perf_counter() - analyzed
        if verbosity >= 1:
            for name, n in dataset.counts.items():
                self.stdout.write(f"  {n:>10,}  {name}")
            phases = ", ".join(f"{name} {s:.1f} s" for name, s in dataset.seconds.items())
            self.stdout.write(
                self.style.SUCCESS(f"Done in {time.perf_counter() - started:.1f} s ({phases}).")
            )
