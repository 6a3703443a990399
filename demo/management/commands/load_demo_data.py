"""`manage.py load_demo_data`: the demonstration data set (demo.loading), for local development only."""

from django.core.management.base import BaseCommand, CommandError

from demo.loading import DemoError, demo_load


class Command(BaseCommand):
    help = (
        "Load the demonstration data set: an open reporting round, entries in every review state for "
        "several Range States, evidence and a meeting snapshot, made with the demo accounts. Development "
        "only (refuses with DEBUG off); safe to run again (nothing changes once it is loaded); "
        "`manage.py remove_demo_data` removes it."
    )

    def handle(self, *args, **options):
        try:
            made = demo_load()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if made is None:
            self.stdout.write("Demonstration data already loaded: nothing changed.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demonstration data loaded: the round “{made['round'].name}”, {len(made['entries'])} "
                f"entries, a meeting snapshot, {made['notices']} notices. "
                "Remove it with `manage.py remove_demo_data`."
            )
        )
