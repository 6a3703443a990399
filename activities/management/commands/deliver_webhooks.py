"""Deliver partner webhooks: `manage.py deliver_webhooks --once` from cron (e.g. every minute), or
`manage.py deliver_webhooks` as a long-running process that polls every --interval seconds."""

import time

from django.core.management.base import BaseCommand

from activities import webhooks


class Command(BaseCommand):
    help = (
        "Turn new domain events into webhook deliveries and send those that are due (signed, with retries)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Process due deliveries once, then exit.")
        parser.add_argument("--interval", type=float, default=30, help="Seconds between runs (default 30).")

    def handle(self, *args, once=False, interval=30, **options):
        while True:
            queued = webhooks.enqueue()
            done = webhooks.deliver_due()
            delivered = sum(d.state == d.State.DELIVERED for d in done)
            if options["verbosity"] >= 1 and (queued or done):
                self.stdout.write(
                    f"queued {queued}, attempted {len(done)}: {delivered} delivered, "
                    f"{len(done) - delivered} to retry or given up"
                )
            if once:
                return
            time.sleep(interval)
