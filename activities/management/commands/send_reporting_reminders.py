"""E-mail focal points what is still to be reported before a reporting round's deadline (the "deadline
near" notice; the scheduler's reporting-notices job sends it with the day's other notices).

Running it again on the same day sends nothing new. `--dry-run` lists who would be reminded of what,
without sending or recording anything. Focal points without an e-mail address, or who chose not to
have reminders by e-mail, see the reminder on their home page only."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from activities.reminders import reporting_reminders_due, reporting_reminders_send


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = "E-mail deadline reminders to focal points whose Range States have activities not yet reported."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=14,
            help="Remind for open rounds whose deadline is within this many days (default 14).",
        )
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD); default: today.")
        parser.add_argument("--dry-run", action="store_true", help="List the reminders; send nothing.")

    def handle(self, *args, days, today, dry_run, **options):
        if days < 0:
            raise CommandError("--days cannot be negative.")
        today = _date(today) if today else timezone.localdate()
        reminders = reporting_reminders_due(today=today, days_before=days)

        for reminder in reminders:
            where = ", ".join(f"{s.range_state.name} ({len(s.activities)})" for s in reminder.states)
            line = (
                f"{reminder.reporting_round}: {reminder.user.username} <{reminder.user.email or 'no e-mail'}>"
                f" – {reminder.count} not reported in {where}; {reminder.days_left} days left"
            )
            self.stdout.write(line)
        missing = [r for r in reminders if not r.has_email]
        for reminder in missing:
            self.stderr.write(
                f"Not reminded: {reminder.user.username} has no e-mail address "
                f"({reminder.reporting_round}, {reminder.count} activities not reported)."
            )
        for reminder in (r for r in reminders if r.has_email and not r.wants_email):
            self.stdout.write(
                f"Not e-mailed: {reminder.user.username} chose not to receive reminders by e-mail."
            )

        if dry_run:
            would = sum(1 for r in reminders if r.emailed)
            self.stdout.write(f"Dry run for {today}: {would} reminder(s) would be sent; nothing was sent.")
            return
        sent = reporting_reminders_send(today=today, days_before=days)
        summary = f"{today}: {sent} reminder(s) sent"
        if missing:
            summary += f", {len(missing)} focal point(s) without an e-mail address"
        self.stdout.write(self.style.SUCCESS(summary + "."))
