"""`manage.py create_demo_accounts`: the logins that `make run` prints, for local development.

The passwords are fixed and published in this file, so the command refuses to run with DEBUG off
unless told `--allow-production`, and never silently replaces a password someone has changed.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from activities.models import FocalPoint, RangeState


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    range_state_iso: str | None = None  # the Range State a focal point reports for

    @property
    def is_secretariat(self) -> bool:
        return self.range_state_iso is None


DEMO_ACCOUNTS = [
    DemoAccount("secretariat", "secretariat-demo", "Secretariat (superuser)"),
    DemoAccount("focal-armenia", "focal-armenia-demo", "National focal point, Armenia", "AM"),
    DemoAccount("focal-iran", "focal-iran-demo", "National focal point, Iran", "IR"),
]

KEPT = "exists with another password: kept (--reset-passwords restores the demo one)"


class Command(BaseCommand):
    help = "Create the demo Secretariat and focal-point accounts (idempotent; development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even though DEBUG is off. The demo passwords are public: never use this on a real site.",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set the demo password on demo accounts whose password has been changed.",
        )

    def handle(self, *args, allow_production, reset_passwords, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off, so this looks like production: refusing to create accounts with public "
                "demo passwords. Pass --allow-production if that is really what you want."
            )
        range_states = self._range_states()
        with transaction.atomic():
            outcomes = [
                (account, self._ensure(account, range_states, reset_passwords=reset_passwords))
                for account in DEMO_ACCOUNTS
            ]
        self._print_table(outcomes)

    def _range_states(self) -> dict[str, RangeState]:
        wanted = {a.range_state_iso for a in DEMO_ACCOUNTS if a.range_state_iso}
        found = {rs.iso_code: rs for rs in RangeState.objects.filter(iso_code__in=wanted)}
        if missing := sorted(wanted - found.keys()):
            raise CommandError(
                f"Range State(s) {', '.join(missing)} not found: run `manage.py seed` first, "
                "then run this command again."
            )
        return found

    def _ensure(self, account: DemoAccount, range_states, *, reset_passwords: bool) -> str:
        """Create the account or check the existing one; return what happened, for the table."""
        User = get_user_model()
        user = User.objects.filter(username=account.username).first()
        if user is None:
            make = User.objects.create_superuser if account.is_secretariat else User.objects.create_user
            user = make(account.username, f"{account.username}@example.org", account.password)
            outcome = "created"
        elif user.check_password(account.password):
            outcome = "already there"
        elif reset_passwords:
            user.set_password(account.password)
            user.save(update_fields=["password"])
            outcome = "password reset to the demo one"
        else:
            # Someone chose another password; it is theirs to keep. Leave the account untouched.
            return KEPT
        if account.range_state_iso:
            FocalPoint.objects.get_or_create(user=user, range_state=range_states[account.range_state_iso])
        return outcome

    def _print_table(self, outcomes):
        rows = [("username", "password", "role", "status")]
        for account, outcome in outcomes:
            password = "(not the demo one)" if outcome == KEPT else account.password
            rows.append((account.username, password, account.role, outcome))
        w = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("Demo accounts (local development only):")
        for i, (username, password, role, status) in enumerate(rows):
            line = f"  {username:<{w[0]}}  {password:<{w[1]}}  {role:<{w[2]}}  {status}"
            self.stdout.write(self.style.MIGRATE_HEADING(line) if i == 0 else line)
