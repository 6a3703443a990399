"""`manage.py remove_demo_data`: remove the demonstration data set, and only it (demo.loading)."""

from django.core.management.base import BaseCommand, CommandError

from demo.loading import DemoError, demo_remove


class Command(BaseCommand):
    help = (
        "Remove the demonstration data set loaded by `manage.py load_demo_data` and what was derived from "
        "it (history, statuses, events, notices, files). Seeded and user-entered data stay."
    )

    def handle(self, *args, **options):
        try:
            counts = demo_remove()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if counts is None:
            self.stdout.write("No demonstration data is loaded: nothing changed.")
            return
        summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demonstration data removed: {summary}."))
